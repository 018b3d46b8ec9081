"""Reads of the banks: filtered lists at a fixed query count, visibility by role, the access
log of minors' data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import ORGANIZATION_MANAGER_ROLES, User
from tenants.participants.models import (
    ADULT_AGE,
    HEALTH_REASONS,
    Category,
    Consent,
    ConsentKind,
    MinorDataAccess,
    Participant,
)

CONSENT_STATES = [
    ("ok", "согласие есть"),
    ("missing", "нет согласия"),
    ("minor", "нет согласия родителя"),
    ("health", "нет согласия на сведения о здоровье"),
]


@dataclass
class BankFilters:
    bank: str = "mentees"  # or "mentors"
    query: str = ""
    category: str = ""
    reason: str = ""
    tag: str = ""  # a request, difficulty or competency
    consent: str = ""
    free_capacity: bool = False


def _years_ago(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _valid_consents(kind: str, today: dt.date) -> QuerySet[Consent]:
    return Consent.objects.filter(
        participant=OuterRef("pk"), kind=kind, withdrawn_on__isnull=True, signed_on__lte=today
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))


def with_consent_state(queryset: QuerySet[Participant], today: dt.date) -> QuerySet[Participant]:
    """Annotate what consent_check decides, in SQL, so lists can filter on it."""
    personal = _valid_consents(ConsentKind.PERSONAL_DATA, today)
    health = _valid_consents(ConsentKind.HEALTH, today)
    minor = Q(birth_date__gt=_years_ago(today, ADULT_AGE)) | Q(
        birth_date__isnull=True, category=Category.PUPIL
    )
    return queryset.annotate(
        has_personal=Exists(personal),
        has_personal_by_parent=Exists(personal.exclude(representative_name="")),
        has_health=Exists(health),
        is_minor_now=Exists(Participant.objects.filter(pk=OuterRef("pk")).filter(minor)),
    )


def _consent_gaps() -> tuple[Q, Q]:
    # Q objects on the annotations made by with_consent_state.
    health_needed = Q(reasons__overlap=list(HEALTH_REASONS)) & Q(has_health=False)
    minor_without_parent = Q(is_minor_now=True) & Q(has_personal_by_parent=False)
    return health_needed, minor_without_parent


def consent_not_ok() -> Q:
    """What consent_check refuses, on a queryset annotated by with_consent_state."""
    health_needed, minor_without_parent = _consent_gaps()
    return Q(has_personal=False) | minor_without_parent | health_needed


def bank_list(*, academic_year: int, filters: BankFilters, today: dt.date) -> QuerySet[Participant]:
    in_year = Participant.objects.filter(academic_year=academic_year)
    bank = in_year.mentors() if filters.bank == "mentors" else in_year.mentees()
    participants: QuerySet[Participant] = with_consent_state(bank, today).prefetch_related(
        Prefetch("consents", queryset=Consent.objects.order_by("-signed_on"))
    )
    if filters.query:
        for word in filters.query.split():
            participants = participants.filter(
                Q(last_name__icontains=word) | Q(first_name__icontains=word)
                | Q(patronymic__icontains=word) | Q(class_group__icontains=word)
                | Q(position__icontains=word) | Q(subject__icontains=word)
            )  # fmt: skip
    if filters.category:
        participants = participants.filter(category=filters.category)
    if filters.reason:
        participants = participants.filter(reasons__contains=[filters.reason])
    if filters.tag:
        tag = filters.tag.strip()
        participants = participants.filter(
            Q(requests__icontains=tag) | Q(difficulties__icontains=tag)
            | Q(competencies__icontains=tag) | Q(requests_text__icontains=tag)
            | Q(difficulties_text__icontains=tag) | Q(offer__icontains=tag)
        )  # fmt: skip
    health_needed, minor_without_parent = _consent_gaps()
    if filters.consent == "ok":
        participants = participants.exclude(consent_not_ok())
    elif filters.consent == "missing":
        participants = participants.filter(Q(has_personal=False))
    elif filters.consent == "minor":
        participants = participants.filter(minor_without_parent)
    elif filters.consent == "health":
        participants = participants.filter(health_needed)
    if filters.free_capacity:
        participants = participants.filter(capacity__gt=0)
    return participants.order_by("last_name", "first_name", "patronymic", "pk")


def can_see_whole_bank(roles: frozenset[str]) -> bool:
    return bool(roles & ORGANIZATION_MANAGER_ROLES)


def visible_participants(*, user: User | None, roles: frozenset[str]) -> QuerySet[Participant]:
    """Coordinators and the director see the banks; a mentor sees their own card and their
    mentees'; a mentee sees their own card."""
    participants = Participant.objects.in_banks()
    if can_see_whole_bank(roles):
        return participants
    if user is None:
        return participants.none()
    from tenants.mentoring.models import Pair

    mentored = Pair.objects.filter(mentor__user=user).values("mentees")
    return participants.filter(Q(user=user) | Q(pk__in=mentored))


def bank_counts(*, academic_year: int) -> dict[str, int]:
    participants = Participant.objects.filter(academic_year=academic_year)
    return {
        "mentees": participants.mentees().count(),
        "mentors": participants.mentors().count(),
    }


@dataclass
class AccessLogFilters:
    user_id: int | None = None  # who read
    participant_id: int | None = None  # whose data
    date_from: dt.date | None = None  # local dates of the organisation, both inclusive
    date_to: dt.date | None = None


def minor_access_log(*, filters: AccessLogFilters) -> QuerySet[MinorDataAccess]:
    """The log newest first; dates compare in the current time zone, which the membership
    middleware sets to the organisation's."""
    events = MinorDataAccess.objects.select_related("participant")
    if filters.user_id is not None:
        events = events.filter(user_id=filters.user_id)
    if filters.participant_id is not None:
        events = events.filter(participant_id=filters.participant_id)
    if filters.date_from is not None:
        events = events.filter(at__date__gte=filters.date_from)
    if filters.date_to is not None:
        events = events.filter(at__date__lte=filters.date_to)
    return events.order_by("-at", "-id")


def minor_access_readers() -> list[tuple[int, str]]:
    """Everyone who appears in the log as a reader (for the «кто» filter), by name."""
    rows = (
        MinorDataAccess.objects.filter(user_id__isnull=False)
        .values_list("user_id", "user_name")
        .distinct()
        .order_by("user_name", "user_id")
    )
    seen: dict[int, str] = {}
    for user_id, name in rows:
        seen.setdefault(user_id, name)  # a renamed user: the first name by order is enough
    return list(seen.items())
