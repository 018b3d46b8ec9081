"""Who sees a route on the school's host: the teacher whose route it is (and edits it); the
school's curator, director or deputy once the teacher consented to share it with the curator
(and every such read is in the route's access log). Nobody else, whatever their role.
The ЦНППМ tutor reads it from the regional host (cnppm.access)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest

from accounts.models import Role, User
from accounts.permissions import acting_user, is_manager
from core.clients import client_ip
from tenants.participants.models import STAFF_CATEGORIES, Participant
from tenants.routes.models import AccessWhat, ActorRole, Recipient, Route, RouteAccess
from tenants.routes.services import consent_active

# Members who are pedagogical workers by their role; a mentee only by the card in the banks.
STAFF_ROLES = frozenset({Role.DIRECTOR, Role.DEPUTY, Role.COORDINATOR, Role.MENTOR})


@dataclass(frozen=True)
class Viewer:
    user: User
    role: str  # ActorRole

    @property
    def is_teacher(self) -> bool:
        return self.role == ActorRole.TEACHER


def may_have_route(request: HttpRequest) -> bool:
    """A pedagogical worker of the organisation: staff roles, or a mentee whose card says so."""
    roles = set(getattr(request, "roles", ()))
    if roles & STAFF_ROLES:
        return True
    user = acting_user(request)
    if user is None or Role.MENTEE not in roles:
        return False
    return Participant.objects.in_banks().filter(user=user, category__in=STAFF_CATEGORIES).exists()


def viewer_of(request: HttpRequest, route: Route) -> Viewer | None:
    user = acting_user(request)
    if user is None:
        return None
    if route.teacher_id == user.pk:
        return Viewer(user, ActorRole.TEACHER)
    if is_manager(request) and consent_active(route, Recipient.CURATOR):
        return Viewer(user, ActorRole.CURATOR)
    return None


def route_for(
    request: HttpRequest, pk: int, *, what: str = AccessWhat.ROUTE
) -> tuple[Route, Viewer]:
    """The route and who looks at it; a route the user may not see is a 404 (its existence
    is not disclosed). A read by anyone but the teacher is logged."""
    route = Route.objects.filter(pk=pk).first()
    viewer = viewer_of(request, route) if route is not None else None
    if route is None or viewer is None:
        raise Http404("Маршрут не найден.")
    if not viewer.is_teacher:
        access_record(
            route=route, user=viewer.user, role=viewer.role, what=what, ip=client_ip(request)
        )
    return route, viewer


def deficits_read_record(request: HttpRequest, deficits: list[Any]) -> None:
    """The curator saw the shared deficits of these routes on the mentoring pages."""
    user = acting_user(request)
    if user is None:
        return
    ip = client_ip(request)
    for route in {d.route_id: d.route for d in deficits}.values():
        if route.teacher_id != user.pk:
            access_record(
                route=route, user=user, role=ActorRole.CURATOR, what=AccessWhat.MENTORING, ip=ip
            )


def access_record(*, route: Route, user: User, role: str, what: str, ip: str | None) -> None:
    RouteAccess.objects.create(
        route=route, user_id=user.pk, user_name=user.display_name[:300], role=role, what=what, ip=ip
    )
