"""Reads of the roadmap: filtered item lists, overdue, nearest deadlines, calendar feeds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from accounts.models import ORGANIZATION_MANAGER_ROLES, User
from organizations.models import Organization
from tenants.roadmap.models import (
    OPEN_STATUSES,
    Evidence,
    ItemChange,
    ItemOccurrence,
    ItemStatus,
    Roadmap,
    RoadmapItem,
)


def organization_today(organization: Organization, now: dt.datetime | None = None) -> dt.date:
    return organization.local_today(now)


def current_academic_year(organization: Organization, now: dt.datetime | None = None) -> int:
    return organization.academic_year_of(organization.local_today(now))


def roadmap_for_year(*, academic_year: int) -> Roadmap | None:
    return Roadmap.objects.filter(academic_year=academic_year).first()


@dataclass
class ItemFilters:
    stage: int | None = None
    responsible: str = ""
    status: str = ""  # a status, or "overdue"
    query: str = ""


def overdue_q(today: dt.date) -> Q:
    return Q(is_stage=False, status__in=OPEN_STATUSES, due_on__lt=today)


def roadmap_items(
    *, roadmap: Roadmap, today: dt.date, filters: ItemFilters | None = None
) -> QuerySet[RoadmapItem]:
    """Items in tree order with what the table shows; the query count does not grow with rows."""
    items = (
        roadmap.items.select_related("parent")
        .prefetch_related("responsible_users", "evidence")
        .annotate(n_changes=Count("changes"))
        .order_by("position")
    )
    if filters is None:
        return items
    if filters.stage:
        items = items.filter(Q(pk=filters.stage) | Q(parent_id=filters.stage))
    if filters.responsible:
        items = items.filter(
            Q(responsible_text__icontains=filters.responsible)
            | Q(responsible_users__last_name__icontains=filters.responsible)
        ).distinct()
    if filters.status == "overdue":
        items = items.filter(overdue_q(today))
    elif filters.status in ItemStatus.values:
        items = items.filter(status=filters.status, is_stage=False)
    if filters.query:
        items = items.filter(
            Q(title__icontains=filters.query) | Q(content__icontains=filters.query)
        )
    return items


@dataclass
class RoadmapProgress:
    total: int
    done: int
    overdue: int
    cancelled: int

    @property
    def percent_done(self) -> int:
        counted = self.total - self.cancelled
        return round(100 * self.done / counted) if counted else 0


def roadmap_progress(*, roadmap: Roadmap, today: dt.date) -> RoadmapProgress:
    figures = roadmap.items.filter(is_stage=False).aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(status=ItemStatus.DONE)),
        cancelled=Count("id", filter=Q(status=ItemStatus.CANCELLED)),
        overdue=Count("id", filter=overdue_q(today)),
    )
    return RoadmapProgress(**figures)


@dataclass
class UpcomingDeadline:
    item: RoadmapItem
    starts_on: dt.date | None
    due_on: dt.date
    label: str
    days_left: int


def upcoming_deadlines(
    *, today: dt.date, days: int | None = None, limit: int = 7, user: User | None = None
) -> list[UpcomingDeadline]:
    """«Ближайшие сроки»: overdue items first, then the next dates of open items.

    With `days`, only dates within that many days; without, the nearest ones however far.
    """
    overdue = RoadmapItem.objects.filter(overdue_q(today)).order_by("due_on", "position")
    soon = (
        ItemOccurrence.objects.filter(
            item__status__in=OPEN_STATUSES,
            item__is_stage=False,
            due_on__gte=today,
        )
        .select_related("item")
        .order_by("due_on", "item__position")
    )
    if days is not None:
        soon = soon.filter(due_on__lte=today + dt.timedelta(days=days))
    if user is not None:
        overdue = overdue.filter(responsible_users=user)
        soon = soon.filter(item__responsible_users=user)
    result = [
        UpcomingDeadline(item, item.starts_on, item.due_on, "", (item.due_on - today).days)  # type: ignore[operator, arg-type]
        for item in overdue[:limit]
    ]
    for occurrence in soon[: max(0, limit - len(result))]:
        due = occurrence.due_on
        assert due is not None
        result.append(
            UpcomingDeadline(
                occurrence.item, occurrence.starts_on, due, occurrence.label, (due - today).days
            )
        )
    return result


def roadmap_history(*, roadmap: Roadmap) -> QuerySet[ItemChange]:
    """The roadmap's whole history, deleted items' entries with it (their item is gone)."""
    return roadmap.changes.select_related("user", "item").order_by("-at", "-id")


def item_history(*, item: RoadmapItem) -> QuerySet[ItemChange]:
    return item.changes.select_related("user")


def calendar_items(*, user: User | None) -> QuerySet[ItemOccurrence]:
    occurrences = ItemOccurrence.objects.filter(item__is_stage=False).select_related(
        "item", "item__roadmap"
    )
    if user is not None:
        occurrences = occurrences.filter(item__responsible_users=user)
    return occurrences.order_by("due_on")


def downloadable_evidence(*, user: User | None, roles: frozenset[str]) -> QuerySet[Evidence]:
    """The evidence files a member may download: all of them for the director and the
    coordinators, otherwise those of the items the member is responsible for.

    Scanned приказы and протоколы name pupils and staff; a roadmap item is visible to every
    member, its evidence is not. The page, the download and the API all ask here.
    """
    evidence = Evidence.objects.select_related("item")
    if roles & ORGANIZATION_MANAGER_ROLES:
        return evidence
    if user is None:
        return evidence.none()
    return evidence.filter(item__responsible_users=user).distinct()


def stages_of(*, roadmap: Roadmap) -> QuerySet[RoadmapItem]:
    return roadmap.items.filter(is_stage=True).order_by("position")


def timeline_months(*, roadmap: Roadmap, organization: Organization) -> list[dt.date]:
    start = organization.academic_year_bounds(roadmap.academic_year)[0].replace(day=1)
    months = []
    for index in range(12):
        year = start.year + (start.month - 1 + index) // 12
        month = (start.month - 1 + index) % 12 + 1
        months.append(dt.date(year, month, 1))
    return months
