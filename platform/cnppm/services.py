"""Writes of the ЦНППМ: the instrument's versions, tutors' assignments."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from accounts.models import ORGANIZATION_ROLES, Membership, Role, User
from cnppm.catalogue import default_instrument
from cnppm.models import REVIEW_EVERY_DAYS, Assignment, Centre, Instrument
from organizations.models import Municipality, Organization, Region


def centre_of(region: Region) -> Centre:
    centre, _ = Centre.objects.get_or_create(
        region=region, defaults={"name": f"ЦНППМ педагогических работников: {region.name}"[:300]}
    )
    return centre


def instrument_current(region_id: int) -> Instrument:
    """The version in force; the shipped one becomes version 1 the first time it is asked for."""
    instrument = Instrument.objects.filter(region_id=region_id).order_by("-version").first()
    if instrument is not None:
        return instrument
    shipped = default_instrument()
    try:
        with transaction.atomic():
            return Instrument.objects.create(
                region_id=region_id, version=1, title=shipped["title"], areas=shipped["areas"],
                scale=shipped["scale"], note="перечень направлений Положения",
            )  # fmt: skip
    except IntegrityError:  # another request created it first
        return Instrument.objects.get(region_id=region_id, version=1)


def region_id_of(organization: Organization) -> int:
    return int(
        Municipality.objects.values_list("region_id", flat=True).get(
            pk=organization.municipality_id
        )
    )


def instrument_for(organization: Organization) -> Instrument:
    """The instrument of the organisation's region: one query when it exists."""
    instrument = (
        Instrument.objects.filter(region__municipalities=organization.municipality_id)
        .order_by("-version")
        .first()
    )
    return instrument or instrument_current(region_id_of(organization))


def _check_instrument(areas: Any, scale: Any) -> list[str]:
    problems: list[str] = []
    if not isinstance(areas, list) or not areas:
        return ["Нужно хотя бы одно направление."]
    codes: set[str] = set()
    for n, area in enumerate(areas, 1):
        if not isinstance(area, dict) or not str(area.get("title", "")).strip():
            problems.append(f"Направление {n}: нет названия.")
            continue
        code = str(area.get("code", "")).strip()
        if not code or code in codes:
            problems.append(f"Направление {n} «{area['title']}»: код пустой или повторяется.")
        codes.add(code)
        indicators = area.get("indicators")
        if not isinstance(indicators, list) or not indicators:
            problems.append(f"Направление «{area['title']}»: нет ни одного показателя.")
        elif any(not str(i.get("text", "")).strip() for i in indicators if isinstance(i, dict)):
            problems.append(f"Направление «{area['title']}»: показатель без текста.")
    values = (
        [level.get("value") for level in scale if isinstance(level, dict)]
        if isinstance(scale, list)
        else []
    )
    if (
        len(values) < 2
        or len(set(values)) != len(values)
        or not all(isinstance(v, int) for v in values)
    ):
        problems.append("Шкала: не меньше двух уровней с разными целыми значениями.")
    return problems


def instrument_publish(
    *, region: Region, by: User, title: str, areas: list[dict[str, Any]], scale: list[dict[str, Any]],
    note: str,
) -> Instrument:  # fmt: skip
    """A new version; the answers given on earlier versions keep theirs."""
    problems = _check_instrument(areas, scale)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        Region.objects.select_for_update().get(pk=region.pk)
        current = Instrument.objects.filter(region=region).aggregate(v=Max("version"))["v"] or 0
        return Instrument.objects.create(
            region=region, version=current + 1, title=title.strip()[:300] or default_instrument()["title"],
            areas=areas, scale=scale, note=note.strip()[:500], created_by=by,
        )  # fmt: skip


def teachers_of(organization: Organization) -> QuerySet[User]:
    """Whom a tutor may accompany: the school's pedagogical workers by their role, and any
    member who began a route (only pedagogical workers can): never a pupil's account."""
    from cnppm.models import RouteStatus

    staff = Membership.objects.filter(
        organization=organization,
        role__in=[Role.DIRECTOR, Role.DEPUTY, Role.COORDINATOR, Role.MENTOR],
    ).values("user_id")
    with_route = RouteStatus.objects.filter(organization=organization).values("teacher_id")
    members = Membership.objects.filter(
        organization=organization, role__in=ORGANIZATION_ROLES
    ).values("user_id")
    return User.objects.filter(Q(pk__in=staff) | Q(pk__in=with_route), pk__in=members).distinct()


def is_tutor_of(user: User, region: Region) -> bool:
    return Membership.objects.filter(user=user, role=Role.TUTOR, region=region).exists()


def assignment_create(
    *, region: Region, tutor: User, organization: Organization, teacher: User, by: User,
    review_every_days: int = REVIEW_EVERY_DAYS,
) -> Assignment:  # fmt: skip
    if region_id_of(organization) != region.pk:
        raise ValidationError("Организация не из этого региона.")
    if not is_tutor_of(tutor, region):
        raise ValidationError("Это не тьютор ЦНППМ региона.")
    if not teachers_of(organization).filter(pk=teacher.pk).exists():
        raise ValidationError(
            "Педагог не работает в этой организации (или это учётная запись обучающегося)."
        )
    if not 7 <= review_every_days <= 366:
        raise ValidationError("Периодичность сопровождения — от 7 до 366 дней.")
    with transaction.atomic():
        current = (
            Assignment.objects.select_for_update()
            .filter(organization=organization, teacher=teacher, ended_at__isnull=True)
            .first()
        )
        if current is not None and current.tutor_id == tutor.pk:
            return current
        if current is not None:  # another tutor takes over
            current.ended_at, current.ended_by = timezone.now(), by
            current.save(update_fields=["ended_at", "ended_by"])
            _mail_cancel(current, why="тьютор сменился")
        return Assignment.objects.create(
            region=region, tutor=tutor, organization=organization, teacher=teacher,
            assigned_by=by, review_every_days=review_every_days,
        )  # fmt: skip


def assignment_end(*, assignment: Assignment, by: User) -> None:
    with transaction.atomic():
        ended = Assignment.objects.filter(pk=assignment.pk, ended_at__isnull=True).update(
            ended_at=timezone.now(), ended_by=by
        )
        if ended:
            _mail_cancel(assignment, why="закрепление тьютора завершено")


def _mail_cancel(assignment: Assignment, *, why: str) -> None:
    """The tutor's reminders about the teacher's routes, not yet sent, are dropped."""
    from django_tenants.utils import schema_context

    from tenants.routes.models import Route
    from tenants.routes.reminders import tutor_mail_cancel

    with schema_context(assignment.organization.schema_name):
        routes = list(
            Route.objects.filter(teacher_id=assignment.teacher_id).values_list("pk", flat=True)
        )
        tutor_mail_cancel(route_ids=routes, why=why)
