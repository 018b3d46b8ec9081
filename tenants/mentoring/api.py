"""REST API of pairs and groups: list and propose, lifecycle, suggestions, meetings."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import acting_user, is_manager
from tenants.mentoring import selectors, services
from tenants.mentoring.models import (
    Form,
    Kind,
    Meeting,
    MeetingFormat,
    MeetingKind,
    Pair,
    PairStatus,
    Program,
)
from tenants.participants.models import Participant
from tenants.roadmap.api import TenantAPIViewSet, api_validation_error


class PairSerializer(serializers.ModelSerializer):
    mentees = serializers.PrimaryKeyRelatedField(many=True, queryset=Participant.objects.in_banks())
    mentor = serializers.PrimaryKeyRelatedField(queryset=Participant.objects.in_banks())
    form = serializers.SlugRelatedField(slug_field="code", queryset=Form.objects.all())
    kind = serializers.ChoiceField(choices=Kind.choices)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Pair
        fields = ["id", "mentor", "mentees", "form", "kind", "academic_year", "starts_on", "ends_on",
                  "status", "status_label", "order", "termination_reason"]  # fmt: skip
        read_only_fields = ["academic_year", "status", "order", "termination_reason"]
        extra_kwargs = {"ends_on": {"required": False}}


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=PairStatus.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class SuggestionSerializer(serializers.Serializer):
    mentor = serializers.IntegerField()
    name = serializers.CharField()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())
    forms = serializers.ListField(child=serializers.CharField())


class MeetingSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    format = serializers.ChoiceField(choices=MeetingFormat.choices, default=MeetingFormat.IN_PERSON)
    attendees = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Participant.objects.all(), required=False
    )

    class Meta:
        model = Meeting
        fields = ["id", "kind", "held_on", "format", "notes", "attendees"]


class PairViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, TenantAPIViewSet
):
    """Managers see and propose pairs; a mentor or mentee sees their own."""

    queryset = Pair.objects.none()
    serializer_class = PairSerializer

    def get_queryset(self) -> QuerySet[Pair]:
        if is_manager(self.request):
            return Pair.objects.select_related("form").prefetch_related("mentees").order_by("pk")
        return selectors.own_pairs(user=acting_user(self.request)).order_by("pk")

    @property
    def today(self) -> Any:
        return self.organization.local_today()

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = serializer.validated_data
        try:
            serializer.instance = services.pair_create(
                mentor=data["mentor"], mentees=list(data["mentees"]), form=data["form"], kind=data["kind"],
                starts_on=data["starts_on"], ends_on=data.get("ends_on"), user=acting_user(self.request),
                academic_year=self.organization.academic_year_of(self.today), today=self.today,
            )  # fmt: skip
        except DjangoValidationError as error:
            raise api_validation_error(error) from error

    @extend_schema(request=TransitionSerializer, responses=PairSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Lifecycle: proposed → approved (through a signed приказ) → active → completed; terminated."""
        pair = self.get_object()
        incoming = TransitionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            services.pair_transition(pair=pair, to=incoming.validated_data["to"], user=acting_user(request),
                                     today=self.today, reason=incoming.validated_data["reason"])  # fmt: skip
        except DjangoValidationError as error:
            raise api_validation_error(error) from error
        return Response(PairSerializer(pair).data)

    @extend_schema(request=MeetingSerializer, responses=MeetingSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def meetings(self, request: Request, pk: str | None = None) -> Response:
        pair = self.get_object()
        program = Program.objects.filter(pair=pair).first()
        if request.method == "GET":
            return Response(
                MeetingSerializer(program.meetings.all() if program else [], many=True).data
            )
        if program is None:
            raise serializers.ValidationError(
                {"detail": "Сначала составьте программу наставничества."}
            )
        incoming = MeetingSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            meeting = services.meeting_log(
                program=program, kind=data["kind"], held_on=data["held_on"], meeting_format=data["format"],
                notes=data.get("notes", ""), attendees=list(data.get("attendees", [])),
                user=acting_user(request), today=self.today,
            )  # fmt: skip
        except DjangoValidationError as error:
            raise api_validation_error(error) from error
        return Response(MeetingSerializer(meeting).data, status=201)


@extend_schema(
    parameters=[OpenApiParameter("mentee", int, required=True)],
    responses=SuggestionSerializer(many=True),
)
class SuggestionViewSet(TenantAPIViewSet):
    """Ranked mentor suggestions for a mentee, each with the reasons of its score."""

    def list(self, request: Request) -> Response:
        if not is_manager(request):
            return Response(
                {"detail": "Подбор наставников доступен куратору и руководителю."}, status=403
            )
        mentee = get_object_or_404(
            Participant.objects.in_banks(), pk=request.query_params.get("mentee", 0)
        )
        today = self.organization.local_today()
        ranked = selectors.suggestions(
            mentee=mentee, academic_year=mentee.academic_year, today=today
        )
        return Response([
            {"mentor": s.mentor.pk, "name": s.mentor.full_name, "score": s.score,  # type: ignore[attr-defined]
             "reasons": s.reasons, "forms": s.forms}
            for s in ranked
        ])  # fmt: skip
