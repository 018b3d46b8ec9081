"""Pages of the route (ИОМ) on the school's host: the teacher's own route with its seven steps,
and the curator's view of the routes teachers shared with the curator."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.permissions import acting_user, is_manager, manager_required
from cnppm.models import Assignment
from cnppm.services import instrument_for
from core.forms import errors_into_form, messages_from
from core.idempotency import once_per_submit
from core.params import QueryParams
from core.requests import TenantRequest
from organizations.requests import request_organization
from tenants.documents.rendering import docx_response
from tenants.routes import services
from tenants.routes.access import Viewer, may_have_route, route_for
from tenants.routes.documents import route_docx
from tenants.routes.forms import (
    ActivityForm,
    DeficitForm,
    DescribeForm,
    ProductForm,
    ReviewForm,
    StartForm,
)
from tenants.routes.models import (
    AccessWhat,
    Activity,
    ActivityStatus,
    ActorRole,
    Approval,
    ChangeReason,
    Deficit,
    Overcome,
    Recipient,
    RespondentKind,
    Route,
    RouteConsent,
    Step,
)
from tenants.routes.selectors import route_overview_in


def _errors(request: TenantRequest, error: ValidationError | forms.BaseForm) -> None:
    messages_from(request, error)


def _teacher_only(viewer: Viewer) -> None:
    if not viewer.is_teacher:
        raise PermissionDenied("Изменять маршрут может только сам педагог.")


def _year(request: TenantRequest) -> tuple[dt.date, int]:
    organization = request_organization(request)
    today = organization.local_today()
    return today, organization.academic_year_of(today)


def route_context(
    request: TenantRequest, route: Route, viewer: Viewer, *, base: str, review_url: str,
) -> dict[str, Any]:  # fmt: skip
    today, _ = _year(request)
    overview = route_overview_in(
        route, request_organization(request), with_accesses=viewer.is_teacher
    )
    suggested = _suggested(request, overview.instrument["areas"])
    return {
        "o": overview, "route": route, "viewer": viewer, "today": today, "base": base,
        "review_url": review_url, "review_form": ReviewForm(), "Step": Step,
        "Approval": Approval, "RespondentKind": RespondentKind,
        "deficit_form": DeficitForm(
            areas=overview.instrument["areas"], initial_area=suggested[0]["code"] if suggested else ""
        ),
        "reasons": ChangeReason.choices,
        "suggested": [a["title"] for a in suggested],
    }  # fmt: skip


def _suggested(request: TenantRequest, areas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Areas the self-diagnosis just suggested as deficits (?suggest=codes)."""
    codes = set(request.GET.get("suggest", "").split(","))
    return [a for a in areas if a["code"] in codes]


def own(request: TenantRequest) -> HttpResponse:
    """«Мой маршрут»: the current route, or how to begin one."""
    user = acting_user(request)
    route = Route.objects.filter(
        teacher_id=user.pk if user else None, completed_on__isnull=True
    ).first()
    if route is not None:
        return redirect("routes:route", pk=route.pk)
    if not may_have_route(request):
        raise PermissionDenied(
            "Индивидуальный образовательный маршрут ведут педагогические работники."
        )
    today, _ = _year(request)
    past = list(
        Route.objects.filter(teacher_id=user.pk if user else None, completed_on__isnull=False)
    )
    form = StartForm(
        request.POST if request.method == "POST" else None, initial={"started_on": today}
    )
    if request.method == "POST" and form.is_valid() and user is not None:
        try:
            route = services.route_start(
                organization=request_organization(request), teacher=user,
                started_on=form.cleaned_data["started_on"], years=form.cleaned_data["years"],
                position=form.cleaned_data["position"], subject=form.cleaned_data["subject"],
            )  # fmt: skip
        except ValidationError as error:
            _errors(request, error)
        else:
            return redirect("routes:route", pk=route.pk)
    return render(request, "routes/start.html", {"form": form, "past": past, "steps": list(Step)})


def route_page(request: TenantRequest, pk: int) -> HttpResponse:
    route, viewer = route_for(request, pk)
    base = reverse("routes:route", args=[route.pk])
    context = route_context(request, route, viewer, base=base, review_url=base + "review/")
    context["describe_form"] = DescribeForm(initial={
        "desired_image": route.desired_image, "position": route.position,
        "subject": route.subject, "years": route.years,
    })  # fmt: skip
    context["tutor"] = _assignment(request_organization(request), route)
    context["sharing"] = [
        (code, label, code in context["o"].shared_with) for code, label in Recipient.choices
    ]
    return render(request, "routes/route.html", context)


def _assignment(organization: Any, route: Route) -> Assignment | None:
    """The teacher's current tutor of the ЦНППМ, if any."""
    return (
        Assignment.objects.filter(
            organization=organization, teacher_id=route.teacher_id, ended_at__isnull=True
        )
        .select_related("tutor")
        .first()
    )


def document(request: TenantRequest, pk: int) -> HttpResponse:
    """The route in the ЦНППМ's form (DOCX)."""
    route, _viewer = route_for(request, pk, what=AccessWhat.DOCUMENT)
    organization = request_organization(request)
    overview = route_overview_in(route, organization)
    assignment = _assignment(organization, route)
    content = route_docx(
        overview=overview, organization=organization,
        tutor_name=assignment.tutor.display_name if assignment else "",
    )  # fmt: skip
    return docx_response(content, f"ИОМ {route.teacher_name}.docx")


@require_POST
def describe(request: TenantRequest, pk: int) -> HttpResponse:
    route, viewer = route_for(request, pk)
    _teacher_only(viewer)
    form = DescribeForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect("routes:route", pk=pk)
    services.route_describe(
        route=route, organization=request_organization(request), **form.cleaned_data
    )
    messages.success(request, "Желаемый образ сохранён.")
    return redirect(reverse("routes:route", args=[pk]) + "#step-2")


def _answers(post: Any, areas: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    answers: dict[str, dict[str, Any]] = {}
    for area in areas:
        code = area["code"]
        answers[code] = {
            "ratings": {i["code"]: post.get(f"r-{i['code']}", "") for i in area["indicators"]},
            "achievements": post.get(f"a-{code}", ""),
            "difficulties": post.get(f"d-{code}", ""),
            "comment": post.get(f"c-{code}", ""),
        }
    return answers


def diagnosis(request: TenantRequest, pk: int, kind: str) -> HttpResponse:
    """The self-diagnosis (the teacher) or the curator's view of the same areas."""
    route, viewer = route_for(request, pk)
    allowed: dict[str, str] = {
        ActorRole.TEACHER: RespondentKind.SELF,
        ActorRole.CURATOR: RespondentKind.CURATOR,
    }
    if kind not in RespondentKind.values or allowed.get(viewer.role) != kind:
        raise PermissionDenied("Эту диагностику заполняет другой участник.")
    organization = request_organization(request)
    _, year = _year(request)
    result = diagnosis_step(
        request, route=route, organization=organization, kind=kind, year=year, author=viewer.user,
        done_url=reverse("routes:route", args=[pk]),
    )  # fmt: skip
    if isinstance(result, HttpResponse):
        return result
    return render(request, "routes/diagnosis.html", result)


def diagnosis_step(
    request: TenantRequest, *, route: Route, organization: Any, kind: str, year: int, author: Any,
    done_url: str,
) -> HttpResponse | dict[str, Any]:  # fmt: skip
    """A redirect once saved, else the form's context. Shared by the school's host and the
    tutor's workspace, which calls it inside the school's schema and renders outside."""
    record = services.diagnosis_for(
        route=route, organization=organization, kind=kind, academic_year=year, author=author
    )
    results = {r.area: r for r in record.results.all()}
    values: dict[str, Any] = {}
    problems: list[str] = []
    if request.method == "POST":
        answers = _answers(request.POST, record.instrument["areas"])
        submit = request.POST.get("action") == "submit"
        try:
            suggested = services.diagnosis_save(
                diagnosis=record, organization=organization, author=author, answers=answers,
                submit=submit,
            )  # fmt: skip
        except ValidationError as error:
            problems = error.messages
            values = answers
        else:
            if submit and kind == RespondentKind.SELF:
                titles = {a["code"]: a["title"] for a in record.instrument["areas"]}
                if suggested:
                    messages.info(request, "По итогам самодиагностики предлагаем дефициты: "
                                  + "; ".join(titles[c] for c in suggested) + ". Опишите их на шаге 3.")  # fmt: skip
                messages.success(request, "Самодиагностика сохранена.")
                return redirect(done_url + f"?suggest={','.join(suggested)}#step-3")
            messages.success(request, "Сохранено." if not submit else "Диагностика сохранена.")
            return redirect(done_url + "#step-2")
    if not values:
        values = {
            code: {
                "ratings": {k: str(v) for k, v in r.ratings.items()}, "achievements": r.achievements,
                "difficulties": r.difficulties, "comment": r.comment,
            }
            for code, r in results.items()
        }  # fmt: skip
    areas = [
        {**area, "value": values.get(area["code"], {"ratings": {}})}
        for area in record.instrument["areas"]
    ]
    return {
        "route": route, "record": record, "areas": areas, "scale": record.instrument["scale"],
        "problems": problems, "kind_label": RespondentKind(kind).label, "done_url": done_url,
        "is_self": kind == RespondentKind.SELF,
    }  # fmt: skip


@require_POST
def deficit_add(request: TenantRequest, pk: int) -> HttpResponse:
    route, viewer = route_for(request, pk)
    _teacher_only(viewer)
    organization = request_organization(request)
    form = DeficitForm(request.POST, areas=instrument_for(organization).areas)
    if not form.is_valid():
        _errors(request, form)
    else:
        try:
            services.deficit_add(
                route=route, organization=organization, user=viewer.user, **form.cleaned_data
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, "Дефицит добавлен.")
    return redirect(reverse("routes:route", args=[pk]) + "#step-3")


@require_POST
def deficit_close(request: TenantRequest, pk: int, deficit_pk: int) -> HttpResponse:
    route, viewer = route_for(request, pk)
    _teacher_only(viewer)
    deficit = get_object_or_404(Deficit, pk=deficit_pk, route=route, closed_on__isnull=True)
    services.deficit_close(
        deficit=deficit, organization=request_organization(request), user=viewer.user,
        reason=request.POST.get("reason", ""), reason_text=request.POST.get("reason_text", ""),
    )  # fmt: skip
    messages.success(request, "Дефицит снят с маршрута.")
    return redirect(reverse("routes:route", args=[pk]) + "#step-3")


def _asks_reason(route: Route) -> bool:
    return route.approval != Approval.DRAFT or route.approved_once


@once_per_submit
def activity_edit(request: TenantRequest, pk: int, activity_pk: int | None = None) -> HttpResponse:
    route, viewer = route_for(request, pk)
    _teacher_only(viewer)
    organization = request_organization(request)
    activity = (
        get_object_or_404(Activity, pk=activity_pk, route=route)
        if activity_pk is not None
        else None
    )
    if activity is not None and activity.status not in (
        ActivityStatus.PLANNED,
        ActivityStatus.DONE,
    ):
        raise Http404("Мероприятие исключено или не принято.")
    _, year = _year(request)
    initial: dict[str, Any] = {
        "academic_year": year if year in route.cycle_years() else route.cycle_years()[0]
    }
    section = request.GET.get("section", "")
    if activity is None and section:
        initial["section"] = section
    form = ActivityForm(
        request.POST if request.method == "POST" else None, instance=activity, route=route,
        ask_reason=_asks_reason(route), initial=initial,
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_save(
                route=route, organization=organization, activity=form.instance,
                deficits=list(form.cleaned_data["deficits"]), user=viewer.user,
                reason=form.cleaned_data.get("reason", ""), reason_text=form.cleaned_data.get("reason_text", ""),
            )  # fmt: skip
        except ValidationError as error:
            errors_into_form(form, error)
        else:
            messages.success(request, "Мероприятие сохранено.")
            return redirect(reverse("routes:route", args=[pk]) + "#step-4")
    return render(
        request, "routes/activity.html", {"route": route, "form": form, "activity": activity}
    )


@require_POST
def activity_cancel(request: TenantRequest, pk: int, activity_pk: int) -> HttpResponse:
    route, viewer = route_for(request, pk)
    _teacher_only(viewer)
    activity = get_object_or_404(
        Activity, pk=activity_pk, route=route, status=ActivityStatus.PLANNED
    )
    try:
        services.activity_cancel(
            activity=activity, organization=request_organization(request), user=viewer.user,
            reason=request.POST.get("reason", ""), reason_text=request.POST.get("reason_text", ""),
        )  # fmt: skip
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, "Мероприятие исключено из дорожной карты.")
    return redirect(reverse("routes:route", args=[pk]) + "#step-4")


@require_POST
def recommendation_accept(request: TenantRequest, pk: int, activity_pk: int) -> HttpResponse:
    route, viewer = route_for(request, pk)
    _teacher_only(viewer)
    activity = get_object_or_404(Activity, pk=activity_pk, route=route)
    try:
        services.recommendation_accept(
            activity=activity, organization=request_organization(request), user=viewer.user
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, "Программа добавлена в дорожную карту.")
    return redirect(reverse("routes:route", args=[pk]) + "#step-4")


@require_POST
def submit(request: TenantRequest, pk: int) -> HttpResponse:
    route, viewer = route_for(request, pk)
    _teacher_only(viewer)
    try:
        services.roadmap_submit(
            route=route, organization=request_organization(request), user=viewer.user
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, "Дорожная карта отправлена на согласование.")
    return redirect(reverse("routes:route", args=[pk]) + "#step-4")


def product(request: TenantRequest, pk: int, activity_pk: int) -> HttpResponse:
    route, viewer = route_for(request, pk)
    _teacher_only(viewer)
    activity = get_object_or_404(Activity, pk=activity_pk, route=route)
    if activity.status in (ActivityStatus.CANCELLED, ActivityStatus.RECOMMENDED):
        raise Http404("Мероприятие не в дорожной карте.")
    today, _ = _year(request)
    initial = {
        "product_kind": activity.product_kind, "product_title": activity.product_title or activity.expected_product,
        "product_link": activity.product_link, "attitude": activity.attitude,
        "done_on": activity.done_on or today,
    }  # fmt: skip
    form = ProductForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None, initial=initial,
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.product_record(
                activity=activity, organization=request_organization(request), user=viewer.user,
                kind=data["product_kind"], title=data["product_title"], link=data["product_link"],
                upload=data["product_file"], attitude=data["attitude"], done_on=data["done_on"],
            )  # fmt: skip
        except ValidationError as error:
            errors_into_form(form, error)
        else:
            messages.success(request, "Продукт сохранён, мероприятие выполнено.")
            return redirect(reverse("routes:route", args=[pk]) + "#step-5")
    return render(
        request, "routes/product.html", {"route": route, "activity": activity, "form": form}
    )


def product_file(request: TenantRequest, pk: int, activity_pk: int) -> FileResponse:
    route, _viewer = route_for(request, pk, what=AccessWhat.PRODUCT)
    activity = get_object_or_404(Activity, pk=activity_pk, route=route)
    return product_response(activity)


def product_response(activity: Activity) -> FileResponse:
    if not activity.product_file:
        raise Http404("Файл не загружен.")
    return FileResponse(
        activity.product_file.open("rb"), as_attachment=True,
        filename=(activity.product_file.name or "product").rsplit("/", 1)[-1],
    )  # fmt: skip


@require_POST
def review(request: TenantRequest, pk: int) -> HttpResponse:
    """The curator's comment or verdict (the tutor's come from the regional host)."""
    route, viewer = route_for(request, pk)
    if viewer.role != ActorRole.CURATOR:
        raise PermissionDenied("Оставить отзыв может куратор или тьютор.")
    review_post(request, route=route, organization=request_organization(request), viewer=viewer)
    return redirect(reverse("routes:route", args=[pk]) + "#reviews")


def review_post(request: TenantRequest, *, route: Route, organization: Any, viewer: Viewer) -> None:
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Выберите решение и напишите текст.")
        return
    activity = None
    params = QueryParams(request.POST, strict=False)
    activity_pk = params.integer("activity")
    if activity_pk:
        activity = Activity.objects.filter(pk=activity_pk, route=route).first()
    step = params.integer("step", minimum=1, maximum=7)
    try:
        services.review_add(
            route=route, organization=organization, reviewer=viewer.user, role=viewer.role,
            verdict=form.cleaned_data["verdict"], text=form.cleaned_data["text"],
            step=step, activity=activity,
        )  # fmt: skip
    except ValidationError as error:
        _errors(request, error)
    else:
        verdict = form.cleaned_data["verdict"]
        messages.success(request, {"approved": "Дорожная карта согласована.",
                                   "returned": "Маршрут отправлен на доработку."}.get(verdict, "Комментарий сохранён."))  # fmt: skip


def reflection(request: TenantRequest, pk: int) -> HttpResponse:
    route, viewer = route_for(request, pk)
    _teacher_only(viewer)
    organization = request_organization(request)
    today, year = _year(request)
    if year not in route.cycle_years():
        year = route.cycle_years()[-1] if today > route.ends_on else route.cycle_years()[0]
    deficits = list(route.deficits.filter(closed_on__isnull=True))
    existing = route.reflections.filter(academic_year=year).first()
    previous = {p.deficit_id: p for p in existing.progress.all()} if existing else {}
    problems: list[str] = []
    if request.method == "POST":
        params = QueryParams(request.POST, strict=False)
        degrees: dict[int, tuple[int, str]] = {}
        for d in deficits:
            degree = params.integer(f"degree-{d.pk}", minimum=0, maximum=3)
            if degree is not None:
                degrees[d.pk] = (degree, params.text(f"comment-{d.pk}", max_length=1000))
        distance = params.integer("image_distance", minimum=1, maximum=5)
        try:
            services.reflection_save(
                route=route, organization=organization, user=viewer.user, academic_year=year,
                degrees=degrees, image_distance=distance,
                image_text=params.text("image_text", max_length=5000),
                conclusions=params.text("conclusions", max_length=5000),
                is_final=request.POST.get("is_final") == "on",
            )  # fmt: skip
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, "Рефлексивный анализ сохранён.")
            return redirect(reverse("routes:route", args=[pk]) + "#step-7")
    return render(request, "routes/reflection.html", {
        "route": route, "year": year, "deficits": deficits, "previous": previous, "existing": existing,
        "degrees": Overcome.choices, "problems": problems, "post": request.POST,
        "last_year": year == route.cycle_years()[-1],
    })  # fmt: skip


@require_POST
def consent(request: TenantRequest, pk: int) -> HttpResponse:
    route, viewer = route_for(request, pk)
    _teacher_only(viewer)
    recipient = request.POST.get("recipient", "")
    if recipient not in Recipient.values:
        messages.error(request, "Неизвестный получатель.")
        return redirect("routes:route", pk=pk)
    organization = request_organization(request)
    if request.POST.get("action") == "withdraw":
        services.consent_withdraw(route=route, organization=organization, recipient=recipient)
        messages.success(
            request, f"Согласие отозвано: маршрут больше не виден {Recipient(recipient).label}."
        )
    else:
        services.consent_give(route=route, organization=organization, recipient=recipient)
        messages.success(request, f"Согласие дано: маршрут виден {Recipient(recipient).label}.")
    return redirect(reverse("routes:route", args=[pk]) + "#sharing")


@manager_required
def school(request: TenantRequest) -> HttpResponse:
    """«ИОМ педагогов» of the school for its curator: routes shared with the curator in full,
    the others only counted (a route is the teacher's until they share it)."""
    shared_ids = RouteConsent.objects.filter(
        recipient=Recipient.CURATOR, withdrawn_at__isnull=True
    ).values("route_id")
    routes = list(
        Route.objects.filter(pk__in=shared_ids, completed_on__isnull=True).prefetch_related(
            "deficits"
        )
    )
    others = Route.objects.filter(completed_on__isnull=True).exclude(pk__in=shared_ids).count()
    # The register of the teachers' consents to share their routes (given and withdrawn).
    register = list(RouteConsent.objects.select_related("route").order_by("-given_at", "-pk")[:500])
    today, _ = _year(request)
    return render(request, "routes/school.html", {
        "routes": routes, "others": others, "register": register, "today": today, "is_manager": is_manager(request),
    })  # fmt: skip
