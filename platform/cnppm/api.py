"""REST API of the ЦНППМ tutor (regional host): the caseload from the public projection, and
one route read in its school's schema after the assignment and consent checks (audited)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Membership, Role, User
from accounts.permissions import acting_user
from cnppm import access
from cnppm.selectors import caseload
from core.clients import client_ip
from core.params import ID_SCHEMA
from tenants.routes.api import RouteDetailSerializer, detailed
from tenants.routes.models import AccessWhat, Route


class IsTutor(permissions.BasePermission):
    message = "Только для тьюторов ЦНППМ."

    def has_permission(self, request: Request, view: object) -> bool:
        user = acting_user(request)
        return user is not None and Membership.objects.filter(user=user, role=Role.TUTOR).exists()


class CaseSerializer(serializers.Serializer):
    teacher = serializers.CharField(help_text="ФИО педагога")
    organization = serializers.IntegerField()
    organization_name = serializers.CharField()
    municipality = serializers.CharField()
    route = serializers.IntegerField(
        allow_null=True, help_text="id маршрута в схеме организации; null, если не начат"
    )
    step = serializers.IntegerField(allow_null=True)
    step_label = serializers.CharField()
    approval = serializers.CharField(allow_blank=True)
    deficit_areas = serializers.ListField(child=serializers.CharField())
    shared_with_tutor = serializers.BooleanField(
        help_text="педагог дал согласие на передачу маршрута"
    )
    next_review_on = serializers.DateField()
    review_due = serializers.BooleanField()
    overdue = serializers.IntegerField(help_text="мероприятий просрочено")
    changed = serializers.BooleanField(help_text="изменён с последнего просмотра")


def _user(request: Request) -> User:
    user = acting_user(request)
    if user is None:
        raise exceptions.NotAuthenticated()
    return user


class CaseloadView(APIView):
    """The teachers the tutor accompanies, with their routes' status (no content)."""

    permission_classes = [permissions.IsAuthenticated, IsTutor]

    @extend_schema(responses=CaseSerializer(many=True), summary="Сопровождаемые педагоги")
    def get(self, request: Request) -> Response:
        rows = caseload(tutor=_user(request), today=timezone.localdate())
        return Response([
            {
                "teacher": r.teacher.display_name, "organization": r.assignment.organization_id,
                "organization_name": r.assignment.organization.short_name,
                "municipality": r.assignment.organization.municipality.name,
                "route": r.status.route_id if r.status else None, "step": r.status.step if r.status else None,
                "step_label": r.step_label, "approval": r.status.approval if r.status else "",
                "deficit_areas": r.status.deficit_areas if r.status else [],
                "shared_with_tutor": r.consented,
                "next_review_on": r.next_review_on, "review_due": r.review_due, "overdue": r.overdue,
                "changed": r.changed,
            }
            for r in rows
        ])  # fmt: skip


class TutorRouteView(APIView):
    """One route of an assigned teacher who consented: read in the school's schema, logged."""

    permission_classes = [permissions.IsAuthenticated, IsTutor]

    @extend_schema(
        parameters=[
            OpenApiParameter("organization", ID_SCHEMA, OpenApiParameter.PATH),
            OpenApiParameter("route", ID_SCHEMA, OpenApiParameter.PATH),
        ],
        responses=RouteDetailSerializer, summary="Маршрут сопровождаемого педагога",
    )  # fmt: skip
    def get(self, request: Request, organization: int, route: int) -> Response:
        user = _user(request)
        # A refusal (not assigned, no consent) is Django's PermissionDenied: DRF answers 403.
        found = access.tutor_route(tutor=user, organization_id=organization, route_id=route)
        with access.in_route_schema(
            found, tutor=user, ip=client_ip(request), what=AccessWhat.API
        ) as opened:
            data = RouteDetailSerializer(detailed(Route.objects.filter(pk=opened.pk)).get()).data
        return Response(data)
