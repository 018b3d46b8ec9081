"""REST API of the registry (public host): list organisations; provision one (operators)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.selectors import operator_regions
from organizations.models import Municipality, Organization, OrganizationKind
from organizations.services import OrganizationData, domain_for, organization_provision


class OrganizationSerializer(serializers.ModelSerializer):
    municipality = serializers.CharField(source="municipality.name", read_only=True)
    kind_label = serializers.CharField(read_only=True)
    domain = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = [
            "id",
            "slug",
            "full_name",
            "short_name",
            "kind",
            "kind_label",
            "municipality",
            "timezone",
            "pupils_count",
            "teachers_count",
            "domain",
        ]

    def get_domain(self, obj: Organization) -> str:
        return domain_for(obj.slug)


class OrganizationProvisionSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=500)
    short_name = serializers.CharField(max_length=200)
    slug = serializers.CharField(max_length=40)
    kind = serializers.ChoiceField(choices=OrganizationKind.choices)
    municipality_id = serializers.PrimaryKeyRelatedField(
        queryset=Municipality.objects.select_related("region"), source="municipality"
    )
    timezone = serializers.CharField(required=False, allow_blank=True, default="")
    pupils_count = serializers.IntegerField(min_value=0, default=0)
    teachers_count = serializers.IntegerField(min_value=0, default=0)


class IsRegionalOperatorOrSuperuser(permissions.BasePermission):
    message = "Подключать организации может региональный оператор."

    def has_permission(self, request: Request, view: object) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(operator_regions(user=request.user))


class OrganizationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The registry is public information (names, kinds, municipalities): no personal data."""

    queryset = Organization.objects.filter(is_active=True).select_related("municipality")
    serializer_class = OrganizationSerializer
    permission_classes = [permissions.IsAuthenticated, IsRegionalOperatorOrSuperuser]
    lookup_field = "slug"

    def get_serializer_class(self):  # type: ignore[no-untyped-def]
        return (
            OrganizationProvisionSerializer if self.action == "create" else OrganizationSerializer
        )

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        incoming = OrganizationProvisionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        municipality = incoming.validated_data["municipality"]
        if municipality.region not in operator_regions(user=request.user):
            return Response(
                {"detail": "Муниципалитет другого региона."}, status=status.HTTP_403_FORBIDDEN
            )
        try:
            organization = organization_provision(data=OrganizationData(**incoming.validated_data))
        except DjangoValidationError as error:
            detail = (
                error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
            )
            raise serializers.ValidationError(detail) from error
        return Response(OrganizationSerializer(organization).data, status=status.HTTP_201_CREATED)
