"""The organisation's home: who it is, and the sections its mentoring work will fill."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import SIGNING_ROLES, Role
from accounts.permissions import is_manager, manager_required
from core.requests import TenantAPIRequest, TenantRequest
from organizations.models import Organization
from tenants.home.checklist import first_run_checklist
from tenants.roadmap import selectors as roadmap_selectors


def home(request: TenantRequest) -> HttpResponse:
    organization = request.tenant
    roles = request.roles
    today = organization.local_today()
    year = organization.academic_year_of(today)
    start, end = organization.academic_year_bounds(year)
    roadmap = roadmap_selectors.roadmap_for_year(academic_year=year)
    manager = is_manager(request)
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
            "manager": manager,
            "signer": bool(roles & SIGNING_ROLES),
            "checklist": (
                first_run_checklist(organization=organization, academic_year=year)
                if manager
                else None
            ),
            "figures": _figures(year, today) if manager else None,
            **(_own(request) if roles & {Role.MENTOR, Role.MENTEE} and not manager else {}),
        },
    )


def _own(request: TenantRequest) -> dict[str, object]:
    from tenants.mentoring.views import own_context

    return {"own_section": True, **own_context(request)}


def _figures(year: int, today: object) -> dict[str, int]:
    """The live figures of the banks and pairs cards (a few COUNTs)."""
    from django.db.models import Count, Q

    from tenants.mentoring.models import Order, Pair, PairStatus
    from tenants.participants.models import Participant
    from tenants.participants.selectors import consent_not_ok, with_consent_state

    in_banks = Participant.objects.filter(academic_year=year).in_banks()
    pairs = Pair.objects.filter(academic_year=year).aggregate(
        proposed=Count("pk", filter=Q(status=PairStatus.PROPOSED)),
        approved=Count("pk", filter=Q(status=PairStatus.APPROVED)),
        active=Count("pk", filter=Q(status=PairStatus.ACTIVE)),
        completed=Count("pk", filter=Q(status=PairStatus.COMPLETED)),
    )
    return {
        "mentors": in_banks.mentors().count(),
        "mentees": in_banks.mentees().count(),
        "no_consent": with_consent_state(in_banks, today).filter(consent_not_ok()).count(),  # type: ignore[arg-type]
        "unmatched": in_banks.mentees()
        .exclude(
            mentee_pairs__status__in=[PairStatus.PROPOSED, PairStatus.APPROVED, PairStatus.ACTIVE]
        )
        .count(),
        "drafts": Order.objects.filter(number="").count(),
        **{key: int(value or 0) for key, value in pairs.items()},
    }


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["full_name", "short_name", "address", "locality", "timezone",
                  "pupils_count", "teachers_count"]  # fmt: skip
        widgets = {"full_name": forms.Textarea(attrs={"rows": 2})}


@manager_required
def profile(request: TenantRequest) -> HttpResponse:
    """«Сведения об организации»: what documents print; saving it ticks the checklist."""
    from organizations import tenant_cache

    organization = Organization.objects.get(pk=request.tenant.pk)
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=organization)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.profile_confirmed_at = timezone.now()
        saved.save()
        tenant_cache.clear()
        messages.success(request, "Сведения об организации сохранены.")
        return redirect("home")
    return render(request, "home/profile.html", {"form": form}, status=400 if form.errors else 200)


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


def _signing_queue(today: dt.date, year: int) -> dict[str, object]:
    from django.db.models import Prefetch

    from tenants.mentoring.models import Order, Pair, PairStatus
    from tenants.roadmap.models import RoadmapItem
    from tenants.roadmap.selectors import overdue_q

    pairs = Pair.objects.select_related("mentor").prefetch_related("mentees")
    drafts = list(
        Order.objects.filter(number="")
        .select_related("created_by")
        .prefetch_related(Prefetch("pairs", queryset=pairs))
        .order_by("created_at")
    )
    return {
        "drafts": drafts,
        "waiting_pairs": Pair.objects.filter(
            status=PairStatus.PROPOSED, order__isnull=True
        ).count(),
        "overdue": list(
            RoadmapItem.objects.filter(overdue_q(today), roadmap__academic_year=year)
            .select_related("roadmap")
            .order_by("due_on")[:20]
        ),
    }


@manager_required
def signing(request: TenantRequest) -> HttpResponse:
    """«На подпись»: the director's queue — draft приказы, pairs without a draft, overdue items."""
    from accounts.permissions import is_signer

    today = request.tenant.local_today()
    year = request.tenant.academic_year_of(today)
    return render(
        request,
        "home/signing.html",
        {**_signing_queue(today, year), "can_sign": is_signer(request), "today": today},
    )
