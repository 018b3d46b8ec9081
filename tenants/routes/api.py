"""REST API of routes (ИОМ), read-only: the teacher's own route, the routes teachers shared with
the curator (every read of those logged), and — on the regional host (cnppm.api) — the tutor's.
Writes go through the pages, where the reasons of a correction are asked."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from rest_framework import mixins, permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import IsOrganizationMember, acting_user, is_manager
from core.api import TenantAPIViewSet
from core.clients import client_ip
from tenants.routes.access import access_record
from tenants.routes.models import (
    AccessWhat,
    Activity,
    ActorRole,
    Change,
    Deficit,
    Recipient,
    Review,
    Route,
    RouteConsent,
)


class DeficitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Deficit
        fields = ["id", "area", "area_title", "description", "academic_year", "closed_on"]


class ActivitySerializer(serializers.ModelSerializer):
    section_label = serializers.CharField(source="get_section_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    deficits: serializers.PrimaryKeyRelatedField[Deficit] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = Activity
        fields = [
            "id", "section", "section_label", "title", "academic_year", "deadline_text", "starts_on",
            "due_on", "deficits", "expected_product", "provider", "hours", "course_starts_on",
            "course_ends_on", "course_format", "certificate", "status", "status_label", "product_kind",
            "product_title", "product_link", "attitude", "done_on", "recommended_by",
        ]  # fmt: skip


class ChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Change
        fields = ["at", "user_name", "role", "reason", "reason_text", "summary", "changes"]


class ReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = ["at", "reviewer_name", "role", "verdict", "step", "activity", "text"]


class RouteSerializer(serializers.ModelSerializer):
    step_label = serializers.CharField(source="get_step_display", read_only=True)
    approval_label = serializers.CharField(source="get_approval_display", read_only=True)
    ends_on = serializers.DateField(read_only=True)

    class Meta:
        model = Route
        fields = [
            "id", "teacher_name", "position", "subject", "started_on", "ends_on", "years", "step",
            "step_label", "approval", "approval_label", "last_reviewed_on", "completed_on",
        ]  # fmt: skip


class RouteDetailSerializer(RouteSerializer):
    deficits = DeficitSerializer(many=True, read_only=True)
    activities = ActivitySerializer(many=True, read_only=True)
    changes = ChangeSerializer(many=True, read_only=True)
    reviews = ReviewSerializer(many=True, read_only=True)

    class Meta(RouteSerializer.Meta):
        fields = [
            *RouteSerializer.Meta.fields,
            "desired_image",
            "deficits",
            "activities",
            "changes",
            "reviews",
        ]


def detailed(queryset: QuerySet[Route]) -> QuerySet[Route]:
    return queryset.prefetch_related("deficits", "activities__deficits", "changes", "reviews")


class RouteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantAPIViewSet):
    """The user's own routes; for the curator, director or deputy also the routes teachers
    shared with the curator."""

    queryset = Route.objects.none()
    serializer_class = RouteSerializer
    permission_classes = [IsOrganizationMember, permissions.IsAuthenticated]

    def get_queryset(self) -> QuerySet[Route]:
        user = acting_user(self.request)
        visible = Q(teacher_id=user.pk if user else None)
        if is_manager(self.request):
            shared = RouteConsent.objects.filter(
                recipient=Recipient.CURATOR, withdrawn_at__isnull=True
            )
            visible |= Q(pk__in=shared.values("route_id"))
        return Route.objects.filter(visible).order_by("teacher_name", "pk")

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Route]]:
        return RouteDetailSerializer if self.action == "retrieve" else RouteSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        route = self.get_object()
        user = acting_user(request)
        if user is not None and route.teacher_id != user.pk:
            access_record(
                route=route,
                user=user,
                role=ActorRole.CURATOR,
                what=AccessWhat.API,
                ip=client_ip(request),
            )
        return Response(
            RouteDetailSerializer(detailed(Route.objects.filter(pk=route.pk)).get()).data
        )
