"""REST API of the roadmap (organisation host): roadmaps, items, progress, the deadline grammar."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import IsManagerOrReadOnly, IsOrganizationMember, acting_user
from tenants.roadmap import selectors, services
from tenants.roadmap.deadlines import parse_deadline
from tenants.roadmap.models import Evidence, ItemStatus, Roadmap, RoadmapItem
from tenants.roadmap.views import EVIDENCE_REFUSED, evidence_file_response


def api_validation_error(error: DjangoValidationError) -> serializers.ValidationError:
    """A service's Russian ValidationError as the API's 400 answer."""
    return serializers.ValidationError(
        error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
    )


class TenantAPIViewSet(viewsets.GenericViewSet):
    """Base for the organisation's API: the schema is the tenant; members read, managers write."""

    permission_classes = [IsOrganizationMember, IsManagerOrReadOnly]

    @property
    def organization(self) -> Any:
        return self.request.tenant  # type: ignore[attr-defined]


class RoadmapSerializer(serializers.ModelSerializer):
    academic_year_label = serializers.CharField(read_only=True)

    class Meta:
        model = Roadmap
        fields = ["id", "academic_year", "academic_year_label", "title", "template_code",
                  "program_start", "approval"]  # fmt: skip


class OccurrenceSerializer(serializers.Serializer):
    start = serializers.DateField(source="starts_on", allow_null=True)
    due = serializers.DateField(source="due_on", allow_null=True)
    period = serializers.CharField(
        source="label", help_text="подпункт или период: «1 четверть», «Май, 2022»"
    )


class RoadmapItemSerializer(serializers.ModelSerializer):
    overdue = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    occurrences = OccurrenceSerializer(many=True, read_only=True)
    responsible_users: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = RoadmapItem
        fields = [
            "id", "roadmap", "parent", "is_stage", "position", "number", "title", "content",
            "deadline_text", "deadline", "deadline_readable", "starts_on", "due_on",
            "occurrences", "responsible_text", "responsible_users", "expected_result",
            "indicators", "recommended_acts", "status", "status_label", "overdue",
            "completed_on", "order_number", "order_date", "protocol", "comment",
        ]  # fmt: skip
        read_only_fields = [
            "roadmap", "is_stage", "position", "deadline", "deadline_readable", "starts_on",
            "due_on", "status", "completed_on", "order_number", "order_date", "protocol",
        ]  # fmt: skip

    def get_overdue(self, item: RoadmapItem) -> bool:
        return item.is_overdue(self.context["today"])


class EvidenceSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "name", "uploaded_at", "download"]

    def get_download(self, evidence: Evidence) -> str:
        return reverse("roadmap-item-evidence-file", args=[evidence.item_id, evidence.pk])


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ItemStatus.choices)
    completed_on = serializers.DateField(required=False, allow_null=True)
    order_number = serializers.CharField(required=False, allow_blank=True, default="")
    order_date = serializers.DateField(required=False, allow_null=True)
    protocol = serializers.CharField(required=False, allow_blank=True, default="")
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class RoadmapViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantAPIViewSet):
    queryset = Roadmap.objects.all()
    serializer_class = RoadmapSerializer


@extend_schema(
    parameters=[
        OpenApiParameter(
            "academic_year", int, description="2025 = 2025/2026 (по умолчанию текущий)"
        ),
        OpenApiParameter(
            "status", str, description="planned, in_progress, done, cancelled или overdue"
        ),
        OpenApiParameter("stage", int),
        OpenApiParameter("responsible", str),
    ]
)
class RoadmapItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    TenantAPIViewSet,
):
    queryset = RoadmapItem.objects.all()  # for the schema; get_queryset narrows it
    serializer_class = RoadmapItemSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[RoadmapItem]:
        today = self.organization.local_today()
        params = self.request.query_params
        items = RoadmapItem.objects.select_related("roadmap").prefetch_related(
            "occurrences", "responsible_users"
        )
        if self.action == "list":
            year = params.get("academic_year")
            roadmap = selectors.roadmap_for_year(
                academic_year=int(year)
                if year and year.isdigit()
                else selectors.current_academic_year(self.organization)
            )
            if roadmap is None:
                return RoadmapItem.objects.none()
            stage = params.get("stage", "")
            items = selectors.roadmap_items(
                roadmap=roadmap,
                today=today,
                filters=selectors.ItemFilters(
                    stage=int(stage) if stage.isdigit() else None,
                    responsible=params.get("responsible", ""),
                    status=params.get("status", ""),
                ),
            ).prefetch_related("occurrences")
        return items.order_by("roadmap", "position")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": self.organization.local_today()}

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        roadmap = selectors.roadmap_for_year(
            academic_year=selectors.current_academic_year(self.organization)
        )
        if roadmap is None:
            raise serializers.ValidationError({"roadmap": "Нет дорожной карты на текущий год."})
        title = data.pop("title")
        parent = data.pop("parent", None)
        data.pop("responsible_users", None)
        try:
            serializer.instance = services.roadmap_item_create(
                roadmap=roadmap, organization=self.organization, user=acting_user(self.request),
                title=title, parent=parent, **data,
            )  # fmt: skip
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from error

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k in services.EDITABLE_FIELDS}
        try:
            services.roadmap_item_update(
                item=cast(RoadmapItem, serializer.instance),
                organization=self.organization,
                user=acting_user(self.request),
                **data,
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from error

    def perform_destroy(self, instance: RoadmapItem) -> None:
        services.roadmap_item_delete(item=instance)

    @extend_schema(request=StatusChangeSerializer, responses=RoadmapItemSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request: Request, pk: str | None = None) -> Response:
        """Change the status with evidence (multipart with `files` for documents)."""
        item = self.get_object()
        incoming = StatusChangeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        files = request.FILES.getlist("files") if hasattr(request, "FILES") else []
        try:
            services.roadmap_item_set_status(
                item=item, user=acting_user(request), status=data["status"],
                completed_on=data.get("completed_on"), order_number=data["order_number"],
                order_date=data.get("order_date"), protocol=data["protocol"],
                comment=data["comment"], files=files, today=self.organization.local_today(),
            )  # fmt: skip
        except DjangoValidationError as error:
            raise api_validation_error(error) from error
        item.refresh_from_db()
        return Response(self.get_serializer(item).data, status=status.HTTP_200_OK)

    def _downloadable(self) -> QuerySet[Evidence]:
        roles: frozenset[str] = getattr(self.request, "roles", frozenset())
        return selectors.downloadable_evidence(user=acting_user(self.request), roles=roles)

    @extend_schema(responses=EvidenceSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="evidence")
    def evidence(self, request: Request, pk: str | None = None) -> Response:
        """The item's evidence files this member may download (see downloadable_evidence)."""
        item = self.get_object()
        files = self._downloadable().filter(item=item).order_by("uploaded_at", "pk")
        return Response(EvidenceSerializer(files, many=True).data)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"], url_path=r"evidence/(?P<evidence_pk>[0-9]+)",
            url_name="evidence-file")  # fmt: skip
    def evidence_file(
        self, request: Request, pk: str | None = None, evidence_pk: str | None = None
    ) -> FileResponse:
        """One evidence file: the director, coordinators and the item's responsible people."""
        item = self.get_object()
        evidence = Evidence.objects.filter(item=item, pk=int(evidence_pk or 0)).first()
        if evidence is None:
            raise exceptions.NotFound("Документ не найден.")
        if not self._downloadable().filter(pk=evidence.pk).exists():
            raise exceptions.PermissionDenied(EVIDENCE_REFUSED)
        return evidence_file_response(evidence)


class ParsedDeadlineSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    recurring = serializers.BooleanField()
    readable = serializers.BooleanField()
    occurrences = serializers.ListField(child=serializers.DictField())


@extend_schema(
    parameters=[
        OpenApiParameter("text", str, required=True, description="срок, как он написан"),
        OpenApiParameter("academic_year", int, required=True),
    ],
    responses=ParsedDeadlineSerializer,
)
@api_view(["GET"])
def deadline_parse(request: Request) -> Response:
    """The deadline grammar: what a «Сроки» phrase means in an academic year."""
    text = request.query_params.get("text", "")
    year = request.query_params.get("academic_year", "")
    if not year.isdigit():
        return Response(
            {"academic_year": "Укажите учебный год числом: 2025 — это 2025/2026."}, status=400
        )
    deadline = parse_deadline(text)
    return Response(
        {
            "kind": deadline.kind,
            "kind_label": deadline.kind_label,
            "recurring": deadline.recurring,
            "readable": deadline.readable,
            "occurrences": [o.as_json() for o in deadline.occurrences(int(year))],
        }
    )
