"""Reads of the ЦНППМ's public tables: the caseload from assignments and route statuses, in a
fixed number of queries however many schools the teachers work in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from accounts.models import Role, User
from cnppm.catalogue import catalogue_titles
from cnppm.models import Assignment, RouteStatus, Visit, next_review
from tenants.routes.models import Approval, Step


@dataclass
class CaseRow:
    """One assigned teacher. Until the teacher consents, the tutor learns only that a route
    exists: `status` (step, deficits, dates) is None then."""

    assignment: Assignment
    status: RouteStatus | None
    started: bool
    next_review_on: dt.date
    overdue: int
    changed: bool
    deficit_titles: list[str]
    today: dt.date

    @property
    def teacher(self) -> User:
        return self.assignment.teacher

    @property
    def consented(self) -> bool:
        return self.status is not None

    @property
    def step_label(self) -> str:
        if self.status is not None:
            return str(Step(self.status.step).label)
        return "нет согласия на передачу маршрута" if self.started else "маршрут не начат"

    @property
    def approval_label(self) -> str:
        return str(Approval(self.status.approval).label) if self.status else ""

    @property
    def review_due(self) -> bool:
        return self.status is not None and self.next_review_on <= self.today


def caseload(
    *, tutor: User, today: dt.date, area_titles: dict[str, str] | None = None
) -> list[CaseRow]:
    """The tutor's active assignments with their routes' statuses: three queries."""
    titles = area_titles or catalogue_titles()
    assignments = list(
        Assignment.objects.filter(
            tutor=tutor,
            ended_at__isnull=True,
            organization__is_active=True,
            region__memberships__user=tutor,
            region__memberships__role=Role.TUTOR,
        )
        .select_related("teacher", "organization__municipality")
        .order_by("organization__short_name", "teacher__last_name", "teacher__first_name")
    )
    if not assignments:
        return []
    statuses: dict[tuple[int, int], RouteStatus] = {}
    for row in RouteStatus.objects.filter(is_active=True).filter(
        organization_id__in={a.organization_id for a in assignments},
        teacher_id__in={a.teacher_id for a in assignments},
    ):
        statuses[(row.organization_id, row.teacher_id)] = row
    seen = {(v.organization_id, v.route_id): v.seen_at for v in Visit.objects.filter(tutor=tutor)}
    rows = []
    for a in assignments:
        found = statuses.get((a.organization_id, a.teacher_id))
        status = found if found is not None and found.shared_with_tutor else None
        due = next_review(
            status.last_reviewed_on if status else None, a.assigned_at.date(), a.review_every_days
        )
        visit = seen.get((a.organization_id, status.route_id)) if status else None
        rows.append(CaseRow(
            assignment=a, status=status, started=found is not None, next_review_on=due,
            overdue=sum(1 for d in status.planned_due if d < today) if status else 0,
            changed=bool(status and (visit is None or status.changed_at > visit)),
            deficit_titles=[titles.get(c, c) for c in status.deficit_areas] if status else [],
            today=today,
        ))  # fmt: skip
    return rows
