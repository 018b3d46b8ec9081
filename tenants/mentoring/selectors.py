"""Reads for pairs: the board, unmatched mentees, suggestions, what a mentor or mentee sees."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import ORGANIZATION_MANAGER_ROLES, User
from tenants.mentoring import matching
from tenants.mentoring.models import (
    LIVE_STATUSES,
    Form,
    Meeting,
    Pair,
    PairStatus,
    PlanItem,
    Program,
)
from tenants.mentoring.services import chosen_mentors, mentor_load
from tenants.participants.models import Consent, Invitation, Participant
from tenants.participants.services import can_be_paired

if TYPE_CHECKING:
    from tenants.routes.models import Deficit


def pairs_filtered(
    pairs: QuerySet[Pair],
    *,
    academic_year: int | None = None,
    form_code: str = "",
    status: str = "",
) -> QuerySet[Pair]:
    """The board's and the API's filters (parsed by filters.PairFilterSet)."""
    if academic_year is not None:
        pairs = pairs.filter(academic_year=academic_year)
    if form_code:
        pairs = pairs.filter(form__code=form_code)
    if status:
        pairs = pairs.filter(status=status)
    return pairs


def pairs_board(*, academic_year: int, form_code: str = "") -> QuerySet[Pair]:
    pairs = (
        Pair.objects.select_related("mentor", "form", "order")
        .prefetch_related("mentees")
        .order_by("starts_on", "pk")
    )
    return pairs_filtered(pairs, academic_year=academic_year, form_code=form_code)


def own_pairs(*, user: User | None) -> QuerySet[Pair]:
    """Pairs where the user is the mentor or a mentee (through their card in the banks)."""
    if user is None:
        return Pair.objects.none()
    return (
        Pair.objects.filter(Q(mentor__user=user) | Q(mentees__user=user))
        .select_related("mentor", "form", "order")
        .prefetch_related("mentees")
        .distinct()
    )


def visible_pairs(*, user: User | None, roles: frozenset[str]) -> QuerySet[Pair]:
    """Which pairs a member sees, on the pages and the API alike: the director and coordinators
    every pair, a mentor or mentee their own."""
    pairs = Pair.objects.select_related("mentor", "form", "order").prefetch_related("mentees")
    if roles & ORGANIZATION_MANAGER_ROLES:
        return pairs
    if user is None:
        return pairs.none()
    own = Pair.objects.filter(Q(mentor__user=user) | Q(mentees__user=user)).values("pk")
    return pairs.filter(pk__in=own)


def can_keep_program(*, pair: Pair, user: User | None, roles: frozenset[str]) -> bool:
    """Who keeps a pair's program (goals, plan, meetings, completion), on the page and through
    the API: the director and coordinators, the pair's mentor and its mentees."""
    if roles & ORGANIZATION_MANAGER_ROLES:
        return True
    if user is None:
        return False
    return pair.mentor.user_id == user.pk or pair.mentees.filter(user=user).exists()


def pair_members(*, pair: Pair) -> QuerySet[Participant]:
    """The mentor and the mentees: who can attend the pair's meetings."""
    return Participant.objects.filter(Q(pk=pair.mentor_id) | Q(mentee_pairs=pair)).distinct()


def unmatched_mentees(*, academic_year: int, query: str = "") -> QuerySet[Participant]:
    """Mentees of the year not in a live pair (proposed, approved or active)."""
    mentees = (
        Participant.objects.filter(academic_year=academic_year)
        .mentees()
        .exclude(mentee_pairs__status__in=LIVE_STATUSES)
        .prefetch_related(Prefetch("consents", queryset=Consent.objects.order_by("-signed_on")))
        .order_by("last_name", "first_name")
    )
    for word in query.split():
        mentees = mentees.filter(
            Q(last_name__icontains=word)
            | Q(first_name__icontains=word)
            | Q(class_group__icontains=word)
        )
    return mentees


def _eligible_mentors(academic_year: int, today: dt.date) -> list[Participant]:
    return [
        m
        for m in Participant.objects.filter(academic_year=academic_year)
        .mentors()
        .prefetch_related("consents")
        if can_be_paired(participant=m, today=today).ok
    ]


def shared_deficits(*, user_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """Open deficits of the current routes of these accounts, where the teacher shared the
    route with the curator: (area, what exactly) by account."""
    found: dict[int, list[tuple[str, str]]] = {}
    for deficit in shared_deficit_rows(user_ids=user_ids):
        found.setdefault(deficit.route.teacher_id, []).append(
            (deficit.area_title, deficit.description)
        )
    return found


def shared_deficit_rows(*, user_ids: list[int]) -> list[Deficit]:
    from tenants.routes.models import Deficit, Recipient, RouteConsent

    if not user_ids:
        return []
    shared = RouteConsent.objects.filter(recipient=Recipient.CURATOR, withdrawn_at__isnull=True)
    return list(
        Deficit.objects.filter(
            closed_on__isnull=True, route__completed_on__isnull=True,
            route__teacher_id__in=user_ids, route_id__in=shared.values("route_id"),
        ).select_related("route").order_by("pk")
    )  # fmt: skip


def suggestions_for_all(
    *, academic_year: int, today: dt.date
) -> list[tuple[Participant, list[matching.Suggestion]]]:
    """The best three mentors for every unmatched mentee; mentors, forms and load read once.

    Suggestions only: accepting one uses a place, so the coordinator goes through them in turn.
    """
    mentors = _eligible_mentors(academic_year, today)
    forms = list(Form.objects.all())
    load = mentor_load(on=today)
    mentees = list(unmatched_mentees(academic_year=academic_year))
    deficits = shared_deficits(user_ids=[m.user_id for m in mentees if m.user_id])
    rows = []
    for mentee in mentees:
        if not can_be_paired(participant=mentee, today=today).ok:
            continue
        ranked = matching.rank_mentors(
            mentee, mentors, forms=forms, load=load, chosen=chosen_mentors(mentee=mentee), limit=3,
            route_deficits=deficits.get(mentee.user_id or 0, []),
        )  # fmt: skip
        rows.append((mentee, ranked))
    return rows


def suggestions(
    *, mentee: Participant, academic_year: int, today: dt.date, limit: int = 10
) -> list[matching.Suggestion]:
    """Ranked mentors with free places whose consents allow pairing, with the explanation."""
    return matching.rank_mentors(
        mentee,
        _eligible_mentors(academic_year, today),
        forms=list(Form.objects.all()),
        load=mentor_load(on=today),
        chosen=chosen_mentors(mentee=mentee),
        limit=limit,
        route_deficits=shared_deficits(user_ids=[mentee.user_id]).get(mentee.user_id, [])
        if mentee.user_id
        else [],
    )


@dataclass
class OwnPair:
    """A mentor's or a mentee's view of their pair: who, how to reach them, what comes next."""

    pair: Pair
    is_mentor: bool
    program: Program | None
    next_meeting: Meeting | None
    next_items: list[PlanItem]

    @property
    def mentor_contacts(self) -> str:
        mentor = self.pair.mentor
        parts = [mentor.phone, mentor.email or (mentor.user.email if mentor.user else "")]
        return ", ".join(p for p in parts if p)


def own_overview(*, user: User | None, today: dt.date) -> list[OwnPair]:
    """The user's live and recent pairs with the program's next meeting and plan items."""
    pairs = (
        own_pairs(user=user)
        .select_related("mentor__user", "program")
        .filter(status__in=[*LIVE_STATUSES, PairStatus.COMPLETED])
        .order_by("-starts_on")
    )
    overview = []
    for pair in pairs:
        program = getattr(pair, "program", None)
        next_meeting = None
        next_items: list[PlanItem] = []
        if program is not None:
            next_meeting = (
                program.meetings.filter(is_planned=True, held_on__gte=today)
                .order_by("held_on", "time")
                .first()
            )
            next_items = list(program.plan.filter(done_on__isnull=True).order_by("planned_on")[:3])
        assert user is not None
        overview.append(OwnPair(pair=pair, is_mentor=pair.mentor.user_id == user.pk, program=program,
                                next_meeting=next_meeting, next_items=next_items))  # fmt: skip
    return overview


def own_questionnaires(*, user: User | None, today: dt.date) -> list[Invitation]:
    """Questionnaires waiting for the user's own answer (links on their own cards)."""
    if user is None:
        return []
    return list(
        Invitation.objects.filter(
            participant__user=user, participant__anonymised_at__isnull=True,
            answered_at__isnull=True, expires_on__gte=today,
        ).select_related("questionnaire").order_by("expires_on")
    )  # fmt: skip
