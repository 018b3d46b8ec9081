"""A tutor opens a teacher's route: the assignment (public schema) and the teacher's consent
(the school's schema) are checked on every request, the read is written into the route's
access log, and only the route's own tables are read in that schema."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import ORGANIZATION_ROLES, Membership, User
from cnppm.models import Assignment, RouteStatus, Visit
from cnppm.services import is_tutor_of
from organizations.models import Organization
from tenants.routes.access import access_record
from tenants.routes.models import AccessWhat, ActorRole, Recipient, Route
from tenants.routes.services import consent_active

NOT_ASSIGNED = "Маршрут недоступен: педагог не закреплён за вами (или закрепление завершено)."
NO_CONSENT = (
    "Маршрут недоступен: педагог не дал согласия на передачу маршрута тьютору (или отозвал его)."
)


@dataclass(frozen=True)
class TutorRoute:
    organization: Organization
    assignment: Assignment
    status: RouteStatus


def tutor_route(*, tutor: User, organization_id: int, route_id: int) -> TutorRoute:
    """The assignment that lets `tutor` see this route, or PermissionDenied."""
    status = (
        RouteStatus.objects.filter(organization_id=organization_id, route_id=route_id)
        .select_related("organization__municipality")
        .first()
    )
    if status is None:
        raise PermissionDenied(NOT_ASSIGNED)
    assignment = Assignment.objects.filter(
        tutor=tutor, organization_id=organization_id, teacher_id=status.teacher_id,
        ended_at__isnull=True,
    ).first()  # fmt: skip
    # The assignment counts while the tutor is a tutor of its region, the teacher works in the
    # school and the school is connected: a role taken back ends access as an ended assignment.
    if (
        assignment is None
        or not status.organization.is_active
        or not is_tutor_of(tutor, assignment.region)
        or not Membership.objects.filter(
            user_id=status.teacher_id, organization_id=organization_id, role__in=ORGANIZATION_ROLES
        ).exists()
    ):
        raise PermissionDenied(NOT_ASSIGNED)
    return TutorRoute(status.organization, assignment, status)


@contextlib.contextmanager
def in_route_schema(
    found: TutorRoute, *, tutor: User, ip: str | None, what: str = AccessWhat.ROUTE,
) -> Iterator[Route]:  # fmt: skip
    """Inside the school's schema with the route, after its consent check and the log entry."""
    with schema_context(found.organization.schema_name), transaction.atomic():
        route = Route.objects.filter(
            pk=found.status.route_id, teacher_id=found.status.teacher_id
        ).first()
        if route is None or not consent_active(route, Recipient.TUTOR):
            raise PermissionDenied(NO_CONSENT)
        access_record(route=route, user=tutor, role=ActorRole.TUTOR, what=what, ip=ip)
        yield route


def visit_record(*, tutor: User, found: TutorRoute) -> None:
    Visit.objects.update_or_create(
        tutor=tutor, organization=found.organization, route_id=found.status.route_id,
        defaults={"seen_at": timezone.now()},
    )  # fmt: skip
