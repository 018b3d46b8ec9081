"""REST API of pairs and groups: list and propose, lifecycle, suggestions, meetings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, permissions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import IsOrganizationMember, acting_user, is_manager
from core.api import SlugRelatedField, TenantAPIViewSet
from core.params import ID_SCHEMA, QueryParams
from tenants.mentoring import selectors, services
from tenants.mentoring.filters import PairFilterSet
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

PROGRAM_KEEPERS_ONLY = "Программу ведут наставник, наставляемые и куратор."


class PairSerializer(serializers.ModelSerializer):
    mentees = serializers.PrimaryKeyRelatedField(many=True, queryset=Participant.objects.in_banks())
    mentor = serializers.PrimaryKeyRelatedField(queryset=Participant.objects.in_banks())
    form = SlugRelatedField(slug_field="code", queryset=Form.objects.all())
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
        many=True, queryset=Participant.objects.none(), required=False,
        help_text="id участников пары: наставник и наставляемые",
    )  # fmt: skip

    class Meta:
        model = Meeting
        fields = ["id", "kind", "held_on", "format", "notes", "attendees"]

    def __init__(self, *args: Any, pair: Pair | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if pair is not None:
            # Only the pair's own members can have attended (the page offers no one else).
            field = self.fields["attendees"]
            assert isinstance(field, serializers.ManyRelatedField)
            child: Any = field.child_relation
            child.queryset = selectors.pair_members(pair=pair)


class CanKeepProgram(permissions.BasePermission):
    """Reading is for whoever sees the pair; writing to its program, for those who keep it
    (selectors.can_keep_program: the rule of the program page too)."""

    message = PROGRAM_KEEPERS_ONLY

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return selectors.can_keep_program(
            pair=obj, user=acting_user(request), roles=getattr(request, "roles", frozenset())
        )


class PairViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, TenantAPIViewSet
):
    """Managers see and propose pairs; a mentor or mentee sees their own."""

    queryset = Pair.objects.none()
    serializer_class = PairSerializer
    filterset_class = PairFilterSet

    def get_queryset(self) -> QuerySet[Pair]:
        return selectors.visible_pairs(user=acting_user(self.request), roles=self.roles).order_by(
            "pk"
        )

    def get_permissions(self) -> Sequence[Any]:
        if self.action == "meetings":
            return [IsOrganizationMember(), CanKeepProgram()]
        return super().get_permissions()

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = serializer.validated_data
        serializer.instance = services.pair_create(
            mentor=data["mentor"], mentees=list(data["mentees"]), form=data["form"], kind=data["kind"],
            starts_on=data["starts_on"], ends_on=data.get("ends_on"), user=acting_user(self.request),
            academic_year=self.organization.academic_year_of(self.today), today=self.today,
        )  # fmt: skip

    @extend_schema(request=TransitionSerializer, responses=PairSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Lifecycle: proposed → approved (through a signed приказ) → active → completed; terminated."""
        pair = self.get_object()
        incoming = TransitionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.pair_transition(pair=pair, to=incoming.validated_data["to"], user=acting_user(request),
                                 today=self.today, reason=incoming.validated_data["reason"])  # fmt: skip
        return Response(PairSerializer(pair).data)

    @extend_schema(methods=["GET"], request=None, responses=MeetingSerializer(many=True))
    @extend_schema(methods=["POST"], request=MeetingSerializer, responses={201: MeetingSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def meetings(self, request: Request, pk: str | None = None) -> Response:
        """The program's meetings; the mentor, the mentees and managers log one (as on the
        program page)."""
        pair = self.get_object()
        program = Program.objects.filter(pair=pair).first()
        if request.method == "GET":
            return Response(
                MeetingSerializer(program.meetings.all() if program else [], many=True).data
            )
        if program is None:
            raise exceptions.ValidationError(
                {"detail": ["Сначала составьте программу наставничества."]}
            )
        incoming = MeetingSerializer(data=request.data, pair=pair)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        meeting = services.meeting_log(
            program=program, kind=data["kind"], held_on=data["held_on"], meeting_format=data["format"],
            notes=data.get("notes", ""), attendees=list(data.get("attendees", [])),
            user=acting_user(request), today=self.today,
        )  # fmt: skip
        return Response(MeetingSerializer(meeting).data, status=201)


@extend_schema(
    parameters=[
        OpenApiParameter("mentee", ID_SCHEMA, required=True, description="id наставляемого")
    ],
    responses=SuggestionSerializer(many=True),
)
class SuggestionViewSet(TenantAPIViewSet):
    """Ranked mentor suggestions for a mentee, each with the reasons of its score."""

    queryset = Participant.objects.none()  # for the schema; the mentee comes from ?mentee=
    pagination_class = None  # at most ten, ranked

    def list(self, request: Request) -> Response:
        if not is_manager(request):
            raise exceptions.PermissionDenied(
                "Подбор наставников доступен куратору и руководителю."
            )
        mentee_id = QueryParams(request.query_params).integer("mentee", required=True)
        mentee = get_object_or_404(Participant.objects.in_banks().mentees(), pk=mentee_id)
        ranked = selectors.suggestions(
            mentee=mentee, academic_year=mentee.academic_year, today=self.today
        )
        return Response(
            SuggestionSerializer(
                [{"mentor": s.mentor.pk, "name": cast(Participant, s.mentor).full_name, "score": s.score,
                  "reasons": s.reasons, "forms": s.forms} for s in ranked],
                many=True,
            ).data
        )  # fmt: skip
