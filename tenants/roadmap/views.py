"""Roadmap pages: table and timeline, item editing, progress with evidence, import, calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.permissions import acting_user, is_manager, manager_required
from core import imports
from core.idempotency import once_per_submit
from core.models import ImportStatus
from core.params import QueryParams
from core.redirects import safe_next
from core.requests import TenantRequest
from core.tokens import new_token
from organizations.requests import request_organization, requested_year
from tenants.roadmap import selectors, services
from tenants.roadmap.calendar import calendar_feed_for, feed_for_token, feed_ics
from tenants.roadmap.filters import RoadmapItemFilterSet
from tenants.roadmap.forms import (
    CreateRoadmapForm,
    ImportForm,
    ItemForm,
    NewItemForm,
    RoadmapSettingsForm,
    RolloverForm,
    StatusForm,
)
from tenants.roadmap.imports import RoadmapImporter
from tenants.roadmap.models import Evidence, ItemStatus, Roadmap, RoadmapItem


def _roadmap_url(roadmap: Roadmap | None = None, **params: Any) -> str:
    url = reverse("roadmap:index")
    query = {k: v for k, v in params.items() if v}
    if roadmap is not None:
        query.setdefault("year", roadmap.academic_year)
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def roadmap_index(request: TenantRequest) -> HttpResponse:
    organization = request_organization(request)
    year = requested_year(request)
    today = organization.local_today()
    roadmap = selectors.roadmap_for_year(academic_year=year)
    years = list(Roadmap.objects.values_list("academic_year", flat=True))
    if roadmap is None:
        return render(
            request,
            "roadmap/empty.html",
            {
                "year": year,
                "year_label": services.academic_year_title(year),
                "years": years,
                "form": CreateRoadmapForm(),
                "can_edit": is_manager(request),
            },
        )
    # A bad filter value is dropped: the page shows the roadmap without that filter.
    filters = RoadmapItemFilterSet(request.GET).item_filters()
    items = list(selectors.roadmap_items(roadmap=roadmap, today=today, filters=filters))
    view = QueryParams(request.GET, strict=False).choice("view", ("table", "timeline"), "table")
    months = selectors.timeline_months(roadmap=roadmap, organization=request.tenant)
    rows = [_row(item, today, months) for item in items]
    context = {
        "roadmap": roadmap,
        "rows": rows,
        "today": today,
        "view": view,
        "months": months,
        "filters": filters,
        "stages": selectors.stages_of(roadmap=roadmap),
        "statuses": ItemStatus.choices,
        "progress": selectors.roadmap_progress(roadmap=roadmap, today=today),
        "years": years,
        "can_edit": is_manager(request),
        "rollover_form": RolloverForm(),
        "next_year_exists": (roadmap.academic_year + 1) in years,
    }
    if request.htmx:
        return render(request, "roadmap/_items.html", context)
    return render(request, "roadmap/index.html", context)


def roadmap_history(request: TenantRequest) -> HttpResponse:
    """Every change of the year's roadmap, newest first, including items deleted since."""
    roadmap = get_object_or_404(Roadmap, academic_year=requested_year(request))
    page = Paginator(selectors.roadmap_history(roadmap=roadmap), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "roadmap/history.html", {"roadmap": roadmap, "page": page})


def _row(item: RoadmapItem, today: dt.date, months: list[dt.date]) -> dict[str, Any]:
    spans = []
    if item.starts_on or item.due_on:
        start = item.starts_on or item.due_on
        end = item.due_on or item.starts_on
        assert start is not None and end is not None
        for month in months:
            month_end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            spans.append(start < month_end and end >= month)
    else:
        spans = [False] * len(months)
    return {"item": item, "overdue": item.is_overdue(today), "spans": spans}


@manager_required
@require_POST
def roadmap_create_view(request: TenantRequest) -> HttpResponse:
    organization = request_organization(request)
    year = requested_year(request)
    form = CreateRoadmapForm(request.POST)
    if form.is_valid():
        try:
            roadmap = services.roadmap_create(
                organization=organization,
                academic_year=year,
                template_code=form.cleaned_data["template"] or "",
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Дорожная карта на {roadmap.academic_year_label} создана.")
    return redirect(_roadmap_url(year=year))


def item_detail(request: TenantRequest, pk: int) -> HttpResponse:
    organization = request_organization(request)
    item = get_object_or_404(
        RoadmapItem.objects.select_related("roadmap", "parent").prefetch_related(
            "responsible_users", "evidence", "occurrences"
        ),
        pk=pk,
    )
    today = organization.local_today()
    downloadable = selectors.downloadable_evidence(
        user=acting_user(request), roles=request.roles
    ).filter(item=item)
    context = {
        "item": item,
        "downloadable": {e.pk for e in downloadable},
        "overdue": item.is_overdue(today),
        "history": selectors.item_history(item=item),
        "status_form": StatusForm(
            initial={
                "status": ItemStatus.DONE if item.status != ItemStatus.DONE else item.status,
                "completed_on": item.completed_on or today,
                "order_number": item.order_number,
                "order_date": item.order_date,
                "protocol": item.protocol,
            }
        ),
        "can_edit": is_manager(request),
        "today": today,
    }
    return render(request, "roadmap/item.html", context)


@manager_required
@require_POST
def item_status(request: TenantRequest, pk: int) -> HttpResponse:
    organization = request_organization(request)
    item = get_object_or_404(RoadmapItem, pk=pk)
    form = StatusForm(request.POST, request.FILES)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            text = " ".join(str(e) for e in errors)
            messages.error(request, f"{label}: {text}" if label else text)
        return redirect("roadmap:item", pk=pk)
    data = form.cleaned_data
    try:
        services.roadmap_item_set_status(
            item=item,
            user=acting_user(request),
            status=data["status"],
            completed_on=data["completed_on"],
            order_number=data["order_number"],
            order_date=data["order_date"],
            protocol=data["protocol"],
            comment=data["comment"],
            files=data["files"],
            today=organization.local_today(),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("roadmap:item", pk=pk)
    messages.success(request, f"«{item.short_title}»: {ItemStatus(data['status']).label}.")
    return redirect(safe_next(request, reverse("roadmap:item", args=[pk])))


@manager_required
def item_edit(request: TenantRequest, pk: int) -> HttpResponse:
    organization = request_organization(request)
    item = get_object_or_404(RoadmapItem.objects.select_related("roadmap"), pk=pk)
    form = ItemForm(
        request.POST if request.method == "POST" else None, instance=RoadmapItem.objects.get(pk=pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.roadmap_item_update(
                item=item,
                organization=organization,
                user=acting_user(request),
                **{f: form.cleaned_data[f] for f in ItemForm.Meta.fields},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Пункт сохранён.")
            return redirect("roadmap:item", pk=pk)
    return render(request, "roadmap/item_form.html", {"form": form, "item": item})


@manager_required
@once_per_submit
def item_new(request: TenantRequest) -> HttpResponse:
    organization = request_organization(request)
    roadmap = get_object_or_404(Roadmap, academic_year=requested_year(request))
    form = NewItemForm(request.POST if request.method == "POST" else None, roadmap=roadmap)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.roadmap_item_create(
                roadmap=roadmap,
                organization=organization,
                user=acting_user(request),
                parent=data["parent"],
                is_stage=data["is_stage"],
                **{f: data[f] for f in ItemForm.Meta.fields},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Пункт добавлен.")
            return redirect(_roadmap_url(roadmap) + f"#item-{item.pk}")
    return render(request, "roadmap/item_form.html", {"form": form, "roadmap": roadmap})


@manager_required
@require_POST
def item_move(request: TenantRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(RoadmapItem.objects.select_related("roadmap"), pk=pk)
    services.roadmap_item_move(
        item=item,
        offset=-1 if request.POST.get("direction") == "up" else 1,
        user=acting_user(request),
    )
    return redirect(_roadmap_url(item.roadmap) + f"#item-{item.pk}")


@manager_required
@require_POST
def item_delete(request: TenantRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(RoadmapItem.objects.select_related("roadmap"), pk=pk)
    roadmap = item.roadmap
    title = item.short_title
    services.roadmap_item_delete(item=item, user=acting_user(request))
    messages.success(request, f"Пункт «{title}» удалён.")
    return redirect(_roadmap_url(roadmap))


def evidence_download(request: TenantRequest, pk: int) -> FileResponse:
    """Evidence names pupils and staff: served to those downloadable_evidence allows, never as
    public media."""
    evidence = get_object_or_404(Evidence, pk=pk)
    allowed = selectors.downloadable_evidence(user=acting_user(request), roles=request.roles)
    if not allowed.filter(pk=evidence.pk).exists():
        raise PermissionDenied(EVIDENCE_REFUSED)
    return evidence_file_response(evidence)


EVIDENCE_REFUSED = (
    "Подтверждающие документы скачивают руководитель, куратор и ответственные за пункт."
)


def evidence_file_response(evidence: Evidence) -> FileResponse:
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("Файл не найден в хранилище.") from error
    return FileResponse(handle, as_attachment=True, filename=evidence.name)


@manager_required
def roadmap_import_view(request: TenantRequest) -> HttpResponse:
    """Upload → preview with every unreadable cell highlighted (core.imports) → confirm."""
    year = requested_year(request)
    form = ImportForm(*(request.POST, request.FILES) if request.method == "POST" else ())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = imports.import_job_start(
            importer=RoadmapImporter(), upload=data["file"], text=data["text"] if not data["file"] else "",
            params={"academic_year": year, "replace": data["replace"]}, user=acting_user(request),
        )  # fmt: skip
        if job.status != ImportStatus.FAILED:
            return redirect("roadmap:import-job", pk=job.pk)
        form.add_error(None, job.error)
    context = {"year": year, "year_label": services.academic_year_title(year), "form": form}
    return render(request, "roadmap/import.html", context)


@manager_required
def roadmap_settings(request: TenantRequest) -> HttpResponse:
    organization = request_organization(request)
    roadmap = get_object_or_404(Roadmap, academic_year=requested_year(request))
    initial = {
        "title": roadmap.title,
        "approval": roadmap.approval,
        "program_start": roadmap.program_start,
    }
    form = RoadmapSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.roadmap_update(roadmap=roadmap, organization=organization, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Параметры дорожной карты сохранены.")
            return redirect(_roadmap_url(roadmap))
    return render(request, "roadmap/settings.html", {"form": form, "roadmap": roadmap})


@manager_required
@require_POST
def roadmap_rollover_view(request: TenantRequest) -> HttpResponse:
    organization = request_organization(request)
    roadmap = get_object_or_404(Roadmap, academic_year=requested_year(request))
    form = RolloverForm(request.POST)
    form.is_valid()
    try:
        new = services.roadmap_rollover(
            roadmap=roadmap,
            organization=organization,
            user=acting_user(request),
            carry_unfinished=bool(form.cleaned_data.get("carry_unfinished")),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_roadmap_url(roadmap))
    messages.success(request, f"Дорожная карта на {new.academic_year_label} создана.")
    return redirect(_roadmap_url(new))


def calendar_page(request: TenantRequest) -> HttpResponse:
    """Where to subscribe: the member's own feed (a manager's covers the whole organisation)."""
    user = acting_user(request)
    assert user is not None  # the membership middleware let only members in
    feed = calendar_feed_for(user=user)
    return render(
        request,
        "roadmap/calendar.html",
        {
            "feed_url": request.build_absolute_uri(reverse("calendar-feed", args=[feed.token])),
            "whole_organization": is_manager(request),
        },
    )


@require_POST
def calendar_reset(request: TenantRequest) -> HttpResponse:
    """A new secret address; the old one stops working (e.g. after it was forwarded)."""
    user = acting_user(request)
    assert user is not None
    feed = calendar_feed_for(user=user)
    feed.token = new_token()
    feed.save(update_fields=["token"])
    messages.success(
        request, "Ссылка на календарь заменена: подпишитесь по новой, старая больше не работает."
    )
    return redirect("roadmap:calendar")


def calendar_feed(request: TenantRequest, token: str) -> HttpResponse:
    """The ICS itself: calendar programs cannot log in, so the secret token is the key — and
    only while its owner is still a member here."""
    organization = request_organization(request)
    access = feed_for_token(token=token, organization=organization)
    if access is None:
        raise Http404("Календарь не найден: ссылка устарела или неверна.")
    response = HttpResponse(
        feed_ics(access=access, organization=organization),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="roadmap.ics"'
    # Fetched by calendar programs, sometimes through shared proxies: nothing to be kept.
    response["Cache-Control"] = "private, no-store"
    return response
