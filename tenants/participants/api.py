"""REST API of the banks: participants (visibility by role), consents, the pairing check."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import acting_user
from core.api import TenantAPIViewSet
from core.clients import client_ip
from tenants.participants import selectors, services
from tenants.participants.filters import BankFilterSet
from tenants.participants.models import (
    AccessKind,
    BankRole,
    Category,
    Consent,
    MenteeReason,
    MentoringForm,
    Participant,
)


class ConsentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Consent
        fields = ["id", "kind", "signed_on", "valid_until", "form_version", "representative_name",
                  "representative_relation", "withdrawn_on", "purpose", "scope"]  # fmt: skip
        read_only_fields = ["withdrawn_on"]
        extra_kwargs = {"purpose": {"required": False}, "scope": {"required": False}}


class ParticipantSerializer(serializers.ModelSerializer):
    consent_ok = serializers.SerializerMethodField()
    consent_problems = serializers.SerializerMethodField()
    category = serializers.ChoiceField(choices=Category.choices)
    bank_role = serializers.ChoiceField(choices=BankRole.choices)
    reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=MenteeReason.choices), required=False
    )
    forms = serializers.ListField(
        child=serializers.ChoiceField(choices=MentoringForm.choices), required=False
    )
    requests = serializers.ListField(child=serializers.CharField(), required=False)
    difficulties = serializers.ListField(child=serializers.CharField(), required=False)
    competencies = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        model = Participant
        fields = [
            "id", "last_name", "first_name", "patronymic", "birth_date", "phone", "email", "category",
            "class_group", "position", "subject", "is_external", "workplace", "agreement_number",
            "agreement_date", "bank_role", "academic_year", "reasons", "requests", "requests_text",
            "difficulties", "difficulties_text", "competencies", "experience", "offer", "capacity",
            "availability", "forms", "consent_ok", "consent_problems",
        ]  # fmt: skip
        read_only_fields = ["academic_year"]

    def _check(self, participant: Participant) -> services.ConsentCheck:
        return services.consent_check(participant=participant, today=self.context["today"])

    def get_consent_ok(self, participant: Participant) -> bool:
        return self._check(participant).ok

    def get_consent_problems(self, participant: Participant) -> list[str]:
        return self._check(participant).problems


class PairingCheckSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    problems = serializers.ListField(child=serializers.CharField())


class ParticipantViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    TenantAPIViewSet,
):  # fmt: skip
    """Coordinators and the director see the banks; a mentor or mentee only their own card."""

    queryset = Participant.objects.none()
    serializer_class = ParticipantSerializer
    filterset_class = BankFilterSet  # the list: the year's bank, as the page filters it

    def get_queryset(self) -> QuerySet[Participant]:
        return (
            selectors.visible_participants(user=acting_user(self.request), roles=self.roles)
            .prefetch_related("consents")
            .order_by("last_name", "first_name", "patronymic", "pk")
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": self.today}

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One card; a minor's goes into the access log as the HTML card does."""
        participant = self.get_object()
        services.minor_read_record(
            participant=participant,
            kind=AccessKind.CARD_API,
            user=acting_user(request),
            ip=client_ip(request),
            today=self.today,
        )
        return Response(self.get_serializer(participant).data)

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        serializer.instance = services.participant_create(
            academic_year=self.organization.academic_year_of(self.today),
            data=services.ParticipantData(**serializer.validated_data),
            user=acting_user(self.request), today=self.today,
        )  # fmt: skip

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        participant = serializer.instance
        assert isinstance(participant, Participant)
        current = {
            f: getattr(participant, f) for f in services.ParticipantData.__dataclass_fields__
        }
        services.participant_update(
            participant=participant, data=services.ParticipantData(**{**current, **serializer.validated_data}),
            user=acting_user(self.request), today=self.today,
        )  # fmt: skip

    @extend_schema(responses=PairingCheckSerializer)
    @action(detail=True, methods=["get"], url_path="can-be-paired")
    def can_be_paired(self, request: Request, pk: str | None = None) -> Response:
        """Whether the person may enter a pair now (valid consents, a parent's for a minor)."""
        check = services.can_be_paired(participant=self.get_object(), today=self.today)
        return Response({"ok": check.ok, "problems": check.problems})

    @extend_schema(methods=["GET"], request=None, responses=ConsentSerializer(many=True))
    @extend_schema(methods=["POST"], request=ConsentSerializer, responses={201: ConsentSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def consents(self, request: Request, pk: str | None = None) -> Response:
        participant = self.get_object()
        if request.method == "GET":
            return Response(ConsentSerializer(participant.consents.all(), many=True).data)
        incoming = ConsentSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        consent = services.consent_add(
            participant=participant, user=acting_user(request), today=self.today,
            kind=data.pop("kind"), signed_on=data.pop("signed_on"), **data,
        )  # fmt: skip
        return Response(ConsentSerializer(consent).data, status=201)
