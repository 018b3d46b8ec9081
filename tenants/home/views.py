"""The organisation's home: who it is, and the sections its mentoring work will fill."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Role


def home(request: HttpRequest) -> HttpResponse:
    organization = request.tenant  # type: ignore[attr-defined]
    roles = request.roles  # type: ignore[attr-defined]
    start, end = organization.academic_year_bounds(
        organization.academic_year_of(organization.local_today())
    )
    return render(
        request,
        "home/organization_home.html",
        {
            "organization": organization,
            "roles": [Role(role).label for role in sorted(roles)],
            "academic_year": f"{start.year}/{end.year}",
            "academic_year_start": start,
            "academic_year_end": end,
        },
    )


class CurrentOrganizationSerializer(serializers.Serializer):
    slug = serializers.CharField()
    short_name = serializers.CharField()
    full_name = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    municipality = serializers.CharField()
    timezone = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())


@extend_schema(responses=CurrentOrganizationSerializer)
@api_view(["GET"])
def current_organization(request: Request) -> Response:
    """The organisation of this host and the caller's roles in it."""
    organization = request.tenant  # type: ignore[attr-defined]
    data = {
        "slug": organization.slug,
        "short_name": organization.short_name,
        "full_name": organization.full_name,
        "kind": organization.kind,
        "kind_label": organization.kind_label,
        "municipality": organization.municipality,
        "timezone": organization.timezone,
        "roles": sorted(request.roles),  # type: ignore[attr-defined]
    }
    return Response(CurrentOrganizationSerializer(data).data)
