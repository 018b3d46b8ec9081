"""Pages of the regional layer: the registry of organisations and onboarding by list."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.permissions import acting_user
from accounts.selectors import operator_regions, user_organizations
from core.imports import import_job_start
from core.models import ImportStatus
from core.params import QueryParams
from core.requests import TenantRequest
from core.uploads import UploadField
from organizations.models import Municipality, Organization, OrganizationKind, Region
from organizations.onboarding import UPLOAD as ONBOARDING_UPLOAD
from organizations.onboarding import OrganizationsImporter, template_workbook
from regional_dashboard.dashboard import (
    Scope,
    Selection,
    Summary,
    by_municipality,
    chosen_municipality,
    heatmap,
    municipality_in_scope,
    ranked,
    scope_or_refuse,
    select,
    stage_totals,
    trend,
    year_and_kind,
)
from regional_dashboard.models import OrganizationRollup
from regional_dashboard.publication import organization_figures, organization_history, publications
from regional_dashboard.reports import report_csv, report_xlsx
from regional_dashboard.selectors import region_overviews
from tenants.roadmap.stages import label as stage_label


def home(request: TenantRequest) -> HttpResponse:
    kind = QueryParams(request.GET, strict=False).choice("kind", OrganizationKind.values)
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
    template = "regional/_registry.html" if request.htmx else "regional/home.html"
    return render(request, template, context)


def _operator_regions(request: HttpRequest) -> list[Region]:
    regions = operator_regions(user=request.user)
    if not regions:
        raise PermissionDenied("Подключать организации может региональный оператор.")
    return regions


class OnboardingForm(forms.Form):
    region = forms.ModelChoiceField(
        queryset=Region.objects.none(), label="Регион", empty_label=None
    )
    file = UploadField(
        policy=ONBOARDING_UPLOAD, label="Файл XLSX или CSV (до 5 МБ, до 500 организаций)"
    )

    def __init__(self, *args: Any, regions: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region_field = self.fields["region"]
        assert isinstance(region_field, forms.ModelChoiceField)
        region_field.queryset = Region.objects.filter(pk__in=[r.pk for r in regions])


@login_required
def onboarding(request: HttpRequest) -> HttpResponse:
    """Upload a list → preview with errors per row (core.imports) → confirm → provisioned."""
    regions = _operator_regions(request)
    posted = request.method == "POST"
    form = OnboardingForm(request.POST if posted else None, request.FILES if posted else None,
                          regions=regions)  # fmt: skip
    if posted and form.is_valid():
        job = import_job_start(
            importer=OrganizationsImporter(), upload=form.cleaned_data["file"],
            params={"region_id": form.cleaned_data["region"].pk}, user=acting_user(request),
        )  # fmt: skip
        if job.status != ImportStatus.FAILED:
            return redirect("regional:import-job", pk=job.pk)
        form.add_error("file", job.error)
    return render(request, "regional/onboarding.html", {"form": form, "regions": regions})


def operator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        _operator_regions(request)
        return view(request, *args, **kwargs)

    return wrapper


@login_required
def onboarding_template(request: HttpRequest) -> HttpResponse:
    _operator_regions(request)
    response = HttpResponse(
        template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="organizations-template.xlsx"'
    return response


# The committee's dashboard ---------------------------------------------------------------


def _scope(request: HttpRequest) -> Scope:
    return scope_or_refuse(user=request.user)


def _select(
    request: HttpRequest, scope: Scope, municipality: Municipality | None = None
) -> Selection:
    return select(scope=scope, params=request.GET, municipality=municipality)


HEATMAP_ROWS = 60


def _page(request: HttpRequest, scope: Scope, municipality: Municipality | None,
          context: dict[str, Any]) -> HttpResponse:  # fmt: skip
    """One narrow read of the latest rows gives the sums, the sums per municipality and the
    rankings; stages are summed in PostgreSQL; only the heatmap's and the «most behind» rows
    are loaded whole."""
    selection = _select(request, scope, municipality)
    filters, organizations = selection.filters, selection.organizations
    summary = Summary.of_selection(selection)
    stages = stage_totals(selection)
    top, behind = ranked(selection, HEATMAP_ROWS)
    titles = [stage["title"] for stage in stages]
    heat_rows = heatmap(top, [stage["code"] for stage in stages])
    total = organizations.count()
    municipalities = by_municipality(selection) if municipality is None else []
    region = (
        municipality.region
        if municipality
        else (scope.regions[0] if len(scope.regions) == 1 else None)
    )
    context.update(
        filters=filters, scope=scope, region=region, municipality=municipality, summary=summary.shown(),
        breakdowns=summary.shown_breakdowns(), stage_titles=titles, heat_rows=heat_rows,
        heat_total=summary.organizations, behind=behind, organizations_total=total,
        without_rollup=total - summary.organizations, charts=_charts(stages, summary),
        municipalities=municipalities,
        monitoring_rows=_monitoring_rows(selection, municipality, municipalities),
        export_query=urlencode({k: v for k, v in {"year": filters["year"], "kind": filters["kind"],
                                "municipality": municipality.pk if municipality else ""}.items() if v}),
    )  # fmt: skip
    return render(request, "regional/dashboard.html", context)


MONITORING_ROWS = 300


def _monitoring_rows(selection: Selection, municipality: Municipality | None,
                     municipalities: list[tuple[Municipality, dict[str, Any]]]) -> list[tuple[str, dict[str, Any], str]]:  # fmt: skip
    """The monitoring table: per municipality on the region's page (the figures the page has
    already summed), per organisation (as published) on a municipality's."""
    year = selection.filters["year"]
    if municipality is None:
        return [(m.name, s, reverse("regional:dashboard-municipality", args=[m.pk]) + f"?year={year}")
                for m, s in municipalities]  # fmt: skip
    published = selection.organization_figures
    rows = selection.rows.order_by("organization__short_name")[:MONITORING_ROWS]
    return [(row.organization.short_name, Summary.of_row(row, published.get(row.organization_id)).shown(),
             reverse("regional:dashboard-organization", args=[row.organization_id]) + f"?year={year}")
            for row in rows]  # fmt: skip


def _charts(stages: list[dict[str, Any]], summary: Summary) -> dict[str, Any]:
    """Chart.js specs: roadmap compliance by stage (items, not people) and pairs by form
    (withheld counts left out, like everywhere else)."""
    forms = sorted(((label, n) for label, n in summary.breakdown("pairs_by_form").items() if n),
                   key=lambda item: -item[1])  # fmt: skip
    return {
        "stages": {"type": "bar", "stacked": True, "horizontal": True,
                   # Lines of ≤ 26 characters (Chart.js draws a list as lines): never cut off.
                   "labels": [textwrap.wrap(s["title"], 26) or [s["title"]] for s in stages],
                   "datasets": [
                       {"label": "выполнено", "data": [s["done"] for s in stages], "backgroundColor": "#2e7d32"},
                       {"label": "в срок", "data": [s["on_time"] for s in stages], "backgroundColor": "#90a4ae"},
                       {"label": "просрочено", "data": [s["overdue"] for s in stages], "backgroundColor": "#c62828"},
                   ]},
        "forms": {"type": "bar", "horizontal": True, "labels": [f for f, _ in forms],
                  "datasets": [{"label": "пар и групп", "data": [n for _, n in forms], "backgroundColor": "#1565c0"}]},
    }  # fmt: skip


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    chosen = QueryParams(request.GET, strict=False).integer("municipality")  # bad: the region
    only = (
        scope.municipalities[0].pk
        if scope.municipalities and len(scope.municipalities) == 1
        else None
    )
    pk = chosen or only
    if pk is not None:
        query = request.GET.copy()
        query.pop("municipality", None)
        target = reverse("regional:dashboard-municipality", args=[pk])
        return redirect(f"{target}?{query.urlencode()}" if query else target)
    return _page(request, scope, None, {"level": "region"})


@login_required
def dashboard_trend(request: HttpRequest) -> HttpResponse:
    """The weekly trend of the page's selection, loaded by htmx after the page itself."""
    scope = _scope(request)
    municipality = chosen_municipality(scope, request.GET)
    selection = _select(request, scope, municipality)
    points = trend(selection, timezone.localdate())
    chart = {"type": "line", "labels": [p["day"].strftime("%d.%m") for p in points],
             "datasets": [
                 {"label": "выполнено мероприятий, %", "data": [p["items_done_share"] for p in points], "borderColor": "#2e7d32"},
                 {"label": "охват обучающихся, %", "data": [p["pupils_coverage"] for p in points], "borderColor": "#1565c0"},
             ]}  # fmt: skip
    return render(request, "regional/_dashboard_trend.html", {"points": points, "chart": chart})


@login_required
def dashboard_municipality(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    municipality = municipality_in_scope(scope, pk)
    return _page(request, scope, municipality, {"level": "municipality"})


@login_required
def dashboard_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The report of the region (or of one municipality) as XLSX or CSV, as filtered."""
    scope = _scope(request)
    municipality = chosen_municipality(scope, request.GET)
    selection = _select(request, scope, municipality)
    filters = selection.filters
    place = municipality.name if municipality else ", ".join(r.name for r in scope.regions)
    stem = f"monitoring-{filters['year']}-{municipality.pk if municipality else 'region'}"
    if fmt == "csv":
        response = HttpResponse(report_csv(selection), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
        return response
    heading = [
        ("Отчёт", "Мониторинг внедрения целевой модели наставничества"),
        ("Территория", place),
        ("Учебный год", f"{filters['year']}/{filters['year'] + 1}"),
        ("Тип организаций", OrganizationKind(filters["kind"]).label if filters["kind"] else "все"),
        ("Сформирован", timezone.localtime().strftime("%d.%m.%Y %H:%M")),
    ]
    response = HttpResponse(
        report_xlsx(selection, heading, with_municipalities=municipality is None),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
    return response


@login_required
def dashboard_organization(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    organization = (
        scope.organizations().select_related("municipality__region").filter(pk=pk).first()
    )
    if organization is None:
        elsewhere = Organization.objects.select_related("municipality").filter(pk=pk).first()
        if elsewhere is None:
            raise Http404("Такой организации в реестре нет.")
        # The registry is public (the regional home lists it): saying where it is hides nothing.
        raise PermissionDenied(
            f"{elsewhere.short_name} — в другом муниципальном образовании "
            f"({elsewhere.municipality.name}): её показатели видят специалисты этого "
            "муниципалитета и региональный оператор."
        )
    organizations = Organization.objects.filter(pk=organization.pk)
    filters = year_and_kind(request.GET, organizations)
    history = list(
        OrganizationRollup.objects.filter(
            organization=organization, academic_year=filters["year"]
        ).order_by("-day")[:60]
    )
    latest = history[0] if history else None
    region = organization.municipality.region
    current = organization_figures(publications([region], filters["year"]), filters["year"])
    published_on = organization_history(organization.pk, filters["year"])
    summary = Summary.of_row(latest, current.get(organization.pk))
    context = {
        "level": "organization", "organization": organization, "municipality": organization.municipality,
        "filters": filters, "summary": summary.shown(),
        "latest": latest,
        "stages": [{**stage, "title": stage_label(stage["code"])} for stage in latest.stages] if latest else [],
        # Each day with that day's publication (a day without one shows its counts withheld).
        "history": [(row.day, Summary.of_row(row, published_on.get(row.day)).shown()) for row in history],
        "region": organization.municipality.region,
    }  # fmt: skip
    return render(request, "regional/dashboard_organization.html", context)


# The region's common core of the monitoring questionnaires --------------------------------------


@operator_required
def monitoring_core(request: HttpRequest) -> HttpResponse:
    """What every school of the region asks unchanged, per questionnaire; edited by the
    regional operator, one questionnaire at a time."""
    from regional_dashboard.monitoring_core import core_current, core_publish, core_text
    from tenants.monitoring.catalogue import BUILTIN, PURPOSES

    regions = _operator_regions(request)
    posted = QueryParams(request.POST if request.method == "POST" else request.GET, strict=False)
    region = next((r for r in regions if r.pk == posted.integer("region")), regions[0])
    codes = [i["code"] for i in BUILTIN]
    code = posted.choice("code", codes) or codes[0]
    version, core = core_current(region.pk)
    text = core_text(core.get(code, []))
    problems: list[str] = []
    if request.method == "POST":
        text = request.POST.get("text", "")[:30_000]
        try:
            core_publish(region=region, code=code, text=text,
                         note=posted.text("note", max_length=500), user=acting_user(request))  # fmt: skip
        except ValidationError as error:
            problems = [m for found in error.message_dict.values() for m in found]
        else:
            from django.contrib import messages

            messages.success(
                request,
                "Новая версия общего ядра опубликована: школы получат её при следующем мониторинге.",
            )
            return redirect(f"{reverse('regional:monitoring-core')}?region={region.pk}&code={code}")
    titles = {i["code"]: i["title"] for i in BUILTIN}
    return render(request, "regional/monitoring_core.html", {
        "regions": regions, "region": region, "code": code, "codes": [(c, titles[c]) for c in codes],
        "version": version, "text": text, "problems": problems, "core": core,
        "purpose": PURPOSES[next(i["purpose"] for i in BUILTIN if i["code"] == code)],
    })  # fmt: skip
