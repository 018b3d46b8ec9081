"""REST API of the roadmap (organisation host): roadmaps, items, progress, the deadline grammar."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action, api_view
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import acting_user
from core.api import TenantAPIViewSet
from core.params import YEAR_SCHEMA, QueryParams, text_schema
from tenants.roadmap import selectors, services
from tenants.roadmap.deadlines import parse_deadline
from tenants.roadmap.filters import RoadmapItemFilterSet
from tenants.roadmap.models import Evidence, ItemStatus, Roadmap, RoadmapItem
from tenants.roadmap.views import EVIDENCE_REFUSED, evidence_file_response


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
    filterset_class = RoadmapItemFilterSet  # the list: the year's roadmap, as the page filters

    def get_queryset(self) -> QuerySet[RoadmapItem]:
        return (
            RoadmapItem.objects.select_related("roadmap")
            .prefetch_related("occurrences", "responsible_users")
            .order_by("roadmap", "position")
        )

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return super().filter_queryset(queryset).order_by("roadmap", "position")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": self.today}

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
        serializer.instance = services.roadmap_item_create(
            roadmap=roadmap, organization=self.organization, user=acting_user(self.request),
            title=title, parent=parent, **data,
        )  # fmt: skip

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k in services.EDITABLE_FIELDS}
        services.roadmap_item_update(
            item=cast(RoadmapItem, serializer.instance),
            organization=self.organization,
            user=acting_user(self.request),
            **data,
        )

    def perform_destroy(self, instance: RoadmapItem) -> None:
        services.roadmap_item_delete(item=instance, user=acting_user(self.request))

    @extend_schema(request=StatusChangeSerializer, responses=RoadmapItemSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request: Request, pk: str | None = None) -> Response:
        """Change the status with evidence (multipart with `files` for documents)."""
        item = self.get_object()
        incoming = StatusChangeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        files = request.FILES.getlist("files") if hasattr(request, "FILES") else []
        services.roadmap_item_set_status(
            item=item, user=acting_user(request), status=data["status"],
            completed_on=data.get("completed_on"), order_number=data["order_number"],
            order_date=data.get("order_date"), protocol=data["protocol"],
            comment=data["comment"], files=files, today=self.today,
        )  # fmt: skip
        item.refresh_from_db()
        return Response(self.get_serializer(item).data, status=status.HTTP_200_OK)

    def _downloadable(self) -> QuerySet[Evidence]:
        return selectors.downloadable_evidence(user=acting_user(self.request), roles=self.roles)

    @extend_schema(responses=EvidenceSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="evidence", pagination_class=None,
            filter_backends=[])  # fmt: skip
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


DEADLINE_TEXT_MAX = 500  # the longest «Сроки» cell of the seed roadmaps is under 200


@extend_schema(
    parameters=[
        OpenApiParameter("text", text_schema(DEADLINE_TEXT_MAX), required=True,
                         description="срок, как он написан"),
        OpenApiParameter("academic_year", YEAR_SCHEMA, required=True,
                         description="учебный год: 2025 — это 2025/2026"),
    ],
    responses=ParsedDeadlineSerializer,
)  # fmt: skip
@api_view(["GET"])
def deadline_parse(request: Request) -> Response:
    """The deadline grammar: what a «Сроки» phrase means in an academic year."""
    params = QueryParams(request.query_params)
    text = params.text("text", required=True, max_length=DEADLINE_TEXT_MAX)
    year = params.year("academic_year", required=True)
    deadline = parse_deadline(text)
    return Response(
        {
            "kind": deadline.kind,
            "kind_label": deadline.kind_label,
            "recurring": deadline.recurring,
            "readable": deadline.readable,
            "occurrences": [
                o.as_json()
                for o in deadline.occurrences(
                    year,
                    year_start=request.tenant.academic_year_start,  # type: ignore[attr-defined]
                )
            ],
        }
    )
