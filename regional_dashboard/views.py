"""Pages of the regional layer: the registry of organisations and onboarding by list."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.selectors import operator_regions, user_organizations
from organizations.models import OrganizationKind, Region
from organizations.onboarding import (
    OnboardingFileError,
    onboarding_apply,
    onboarding_plan,
    template_workbook,
)
from organizations.services import domain_for
from regional_dashboard.selectors import region_overviews

UPLOAD_TTL = 30 * 60


def home(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in OrganizationKind.values:
        kind = ""
    port = request.get_port()
    suffix = "" if port in ("80", "443") else f":{port}"
    context = {
        "my_organizations": (
            user_organizations(user=request.user) if request.user.is_authenticated else []
        ),
        "overviews": region_overviews(kind=kind),
        "kinds": OrganizationKind.choices,
        "selected_kind": kind,
        "scheme": request.scheme,
        "port_suffix": suffix,
    }
    template = "regional/_registry.html" if request.htmx else "regional/home.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _operator_regions(request: HttpRequest) -> list[Region]:
    regions = operator_regions(user=request.user)
    if not regions:
        raise PermissionDenied("Подключать организации может региональный оператор.")
    return regions


@login_required
def onboarding(request: HttpRequest) -> HttpResponse:
    """Upload a list → preview with errors per row → confirm → organisations provisioned."""
    regions = _operator_regions(request)
    context: dict[str, object] = {"regions": regions}
    if request.method == "POST":
        region = next((r for r in regions if str(r.pk) == request.POST.get("region")), None)
        if region is None:
            messages.error(request, "Выберите регион.")
            return render(request, "regional/onboarding.html", context)
        token = request.POST.get("token", "")
        if token:
            stored = cache.get(f"onboarding:{request.user.pk}:{token}")
            if stored is None:
                messages.error(request, "Срок подтверждения истёк: загрузите файл ещё раз.")
                return render(request, "regional/onboarding.html", context)
            content, filename = stored
        else:
            upload = request.FILES.get("file")
            if upload is None:
                messages.error(request, "Выберите файл XLSX или CSV.")
                return render(request, "regional/onboarding.html", context)
            content, filename = upload.read(), upload.name or ""
        try:
            plan = onboarding_plan(content=content, filename=filename, region=region)
        except OnboardingFileError as error:
            messages.error(request, str(error))
            return render(request, "regional/onboarding.html", context)
        if token and plan.is_valid:
            created = onboarding_apply(plan=plan, region=region)
            cache.delete(f"onboarding:{request.user.pk}:{token}")
            messages.success(request, f"Подключено организаций: {len(created)}.")
            return redirect("regional:home")
        token = secrets.token_urlsafe(16)
        cache.set(f"onboarding:{request.user.pk}:{token}", (content, filename), UPLOAD_TTL)
        context.update(
            plan=plan,
            token=token,
            region=region,
            filename=filename,
            domains={row.slug: domain_for(row.slug) for row in plan.rows},
        )
    return render(request, "regional/onboarding.html", context)


@login_required
def onboarding_template(request: HttpRequest) -> HttpResponse:
    _operator_regions(request)
    response = HttpResponse(
        template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="organizations-template.xlsx"'
    return response
