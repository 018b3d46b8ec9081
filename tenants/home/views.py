"""The organisation's home: who it is, and the sections its mentoring work will fill."""

from __future__ import annotations

from typing import cast

from django.http import HttpResponse
from django.shortcuts import render
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Role
from core.requests import TenantAPIRequest, TenantRequest
from tenants.roadmap import selectors as roadmap_selectors


def home(request: TenantRequest) -> HttpResponse:
    organization = request.tenant
    roles = request.roles
    today = organization.local_today()
    year = organization.academic_year_of(today)
    start, end = organization.academic_year_bounds(year)
    roadmap = roadmap_selectors.roadmap_for_year(academic_year=year)
    return render(
        request,
        "home/organization_home.html",
        {
            "organization": organization,
            "roles": [Role(role).label for role in sorted(roles)],
            "academic_year": f"{start.year}/{end.year}",
            "academic_year_start": start,
            "academic_year_end": end,
            "today": today,
            "roadmap": roadmap,
            "progress": (
                roadmap_selectors.roadmap_progress(roadmap=roadmap, today=today)
                if roadmap
                else None
            ),
            "upcoming": roadmap_selectors.upcoming_deadlines(today=today, limit=7),
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
    tenant_request = cast(TenantAPIRequest, request)
    organization = tenant_request.tenant
    data = {
        "slug": organization.slug,
        "short_name": organization.short_name,
        "full_name": organization.full_name,
        "kind": organization.kind,
        "kind_label": organization.kind_label,
        "municipality": organization.municipality,
        "timezone": organization.timezone,
        "roles": sorted(tenant_request.roles),
    }
    return Response(CurrentOrganizationSerializer(data).data)
