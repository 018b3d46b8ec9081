"""The ЦНППМ's pages on the regional host: the tutor's caseload and the routes they accompany,
the head's assignments of tutors to teachers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

import pandas as pd
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Role, User
from accounts.permissions import acting_user
from cnppm import access, services
from cnppm.catalogue import AREAS
from cnppm.instrument import areas_text, parse_areas, parse_scale, scale_text
from cnppm.models import Assignment, Instrument
from cnppm.publication import AREA_CODES, OTHER_AREA, cell_of
from cnppm.publication import published as publication_of
from cnppm.selectors import CaseRow, caseload
from core.clients import client_ip
from core.forms import messages_from
from core.params import QueryParams
from core.requests import TenantRequest
from core.tabular import workbook
from organizations.models import Municipality, Organization, Region
from regional_dashboard.dashboard import dashboard_scope
from tenants.documents.rendering import docx_response
from tenants.routes import services as route_services
from tenants.routes.access import Viewer
from tenants.routes.documents import route_docx
from tenants.routes.forms import RecommendForm, ReviewForm
from tenants.routes.models import AccessWhat, ActorRole, ChangeReason, RespondentKind, Step
from tenants.routes.selectors import route_overview_in
from tenants.routes.views import diagnosis_step, product_response, review_post

View = Callable[..., HttpResponseBase]


def _regions(user: User, roles: tuple[str, ...]) -> list[Region]:
    return list(
        Region.objects.filter(memberships__user=user, memberships__role__in=roles).distinct()
    )


def _guard(roles: tuple[str, ...], refusal: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            user = acting_user(request)
            if user is None or not _regions(user, roles):
                raise PermissionDenied(refusal)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


tutor_required = _guard((Role.TUTOR,), "Раздел для тьюторов ЦНППМ.")
head_required = _guard(
    (Role.CNPPM_HEAD, Role.REGIONAL_OPERATOR),
    "Закреплять тьюторов может руководитель ЦНППМ или региональный оператор.",
)


def _today() -> dt.date:
    return timezone.localdate()


def _user(request: HttpRequest) -> User:
    user = acting_user(request)
    assert user is not None  # the guards let only users in
    return user


def _area_titles(user: User) -> dict[str, str]:
    regions = _regions(user, (Role.TUTOR,))
    titles: dict[str, str] = {}
    for region in regions:
        titles.update({a["code"]: a["title"] for a in services.instrument_current(region.pk).areas})
    return titles


def _filtered(request: HttpRequest, rows: list[CaseRow]) -> tuple[list[CaseRow], dict[str, Any]]:
    params = QueryParams(request.GET, strict=False)
    chosen = {
        "organization": params.integer("organization"),
        "step": params.integer("step", minimum=1, maximum=7),
        "area": params.text("area", max_length=40),
        "only": params.choice("only", ["overdue", "review", "changed", "submitted", "no_consent"]),
        "q": params.text("q"),
    }
    result = rows
    if chosen["organization"]:
        result = [r for r in result if r.assignment.organization_id == chosen["organization"]]
    if chosen["step"]:
        result = [r for r in result if r.status and r.status.step == chosen["step"]]
    if chosen["area"]:
        result = [r for r in result if r.status and chosen["area"] in r.status.deficit_areas]
    only = chosen["only"]
    if only == "overdue":
        result = [r for r in result if r.overdue]
    elif only == "review":
        result = [r for r in result if r.review_due]
    elif only == "changed":
        result = [r for r in result if r.changed]
    elif only == "submitted":
        result = [r for r in result if r.status and r.status.approval == "submitted"]
    elif only == "no_consent":
        result = [r for r in result if not r.consented]
    if query := params.text("q"):
        needle = query.casefold()
        result = [r for r in result if needle in r.teacher.display_name.casefold()]
    return result, chosen


@tutor_required
def workspace(request: TenantRequest) -> HttpResponse:
    user = _user(request)
    titles = _area_titles(user)
    rows = caseload(tutor=user, today=_today(), area_titles=titles)
    shown, chosen = _filtered(request, rows)
    schools = sorted(
        {(r.assignment.organization_id, r.assignment.organization.short_name) for r in rows},
        key=lambda s: s[1],
    )
    context = {
        "rows": shown, "total": len(rows), "chosen": chosen, "schools": schools,
        "steps": Step.choices, "areas": sorted(titles.items(), key=lambda a: a[1]),
        "counts": {
            "overdue": sum(1 for r in rows if r.overdue),
            "review": sum(1 for r in rows if r.review_due),
            "changed": sum(1 for r in rows if r.changed),
            "submitted": sum(1 for r in rows if r.status and r.status.approval == "submitted"),
        },
        "query": request.GET.urlencode(),
    }  # fmt: skip
    return render(request, "cnppm/workspace.html", context)


@tutor_required
def workspace_xlsx(request: TenantRequest) -> HttpResponse:
    user = _user(request)
    rows, _ = _filtered(
        request, caseload(tutor=user, today=_today(), area_titles=_area_titles(user))
    )
    frame = pd.DataFrame(
        [
            {
                "Педагог": r.teacher.display_name,
                "Организация": r.assignment.organization.short_name,
                "Муниципалитет": r.assignment.organization.municipality.name,
                "Шаг маршрута": r.step_label,
                "Дорожная карта": r.approval_label,
                "Дефициты": "; ".join(r.deficit_titles),
                "Мероприятий": r.status.activities if r.status else 0,
                "Выполнено": r.status.done if r.status else 0,
                "Просрочено": r.overdue,
                "Следующее сопровождение": r.next_review_on.strftime("%d.%m.%Y"),
                "Согласие на передачу": "да" if r.consented else "нет",
            }
            for r in rows
        ],
        columns=["Педагог", "Организация", "Муниципалитет", "Шаг маршрута", "Дорожная карта", "Дефициты",
                 "Мероприятий", "Выполнено", "Просрочено", "Следующее сопровождение", "Согласие на передачу"],
    )  # fmt: skip
    response = HttpResponse(
        workbook(frame, "Сопровождаемые педагоги"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="caseload-{_today():%Y-%m-%d}.xlsx"'
    return response


def _opened(request: HttpRequest, organization_id: int, route_id: int) -> access.TutorRoute:
    return access.tutor_route(
        tutor=_user(request), organization_id=organization_id, route_id=route_id
    )


@tutor_required
def route_page(request: TenantRequest, organization_id: int, route_id: int) -> HttpResponse:
    user = _user(request)
    found = _opened(request, organization_id, route_id)
    organization = found.organization
    base = reverse("cnppm:route", args=[organization_id, route_id])
    with access.in_route_schema(found, tutor=user, ip=client_ip(request)) as route:
        overview = route_overview_in(route, organization)
        recommend = RecommendForm(route=route, deficits=overview.deficits)
    access.visit_record(tutor=user, found=found)
    return render(request, "cnppm/route.html", {
        "o": overview, "route": overview.route, "viewer": Viewer(user, ActorRole.TUTOR), "base": base,
        "review_url": base + "review/", "review_form": ReviewForm(), "recommend_form": recommend,
        "school_name": organization.short_name, "assignment": found.assignment,
        "today": organization.local_today(),
        "reasons": ChangeReason.choices,
    })  # fmt: skip


@tutor_required
def document(request: TenantRequest, organization_id: int, route_id: int) -> HttpResponse:
    user = _user(request)
    found = _opened(request, organization_id, route_id)
    organization = found.organization
    with access.in_route_schema(
        found, tutor=user, ip=client_ip(request), what=AccessWhat.DOCUMENT
    ) as route:
        overview = route_overview_in(route, organization)
        content = route_docx(
            overview=overview, organization=organization, tutor_name=user.display_name
        )
    return docx_response(content, f"ИОМ {overview.route.teacher_name}.docx")


@tutor_required
@require_POST
def review(request: TenantRequest, organization_id: int, route_id: int) -> HttpResponse:
    user = _user(request)
    found = _opened(request, organization_id, route_id)
    with access.in_route_schema(found, tutor=user, ip=client_ip(request)) as route:
        review_post(
            request,
            route=route,
            organization=found.organization,
            viewer=Viewer(user, ActorRole.TUTOR),
        )
    access.visit_record(tutor=user, found=found)
    return redirect(reverse("cnppm:route", args=[organization_id, route_id]) + "#reviews")


@tutor_required
@require_POST
def recommend(request: TenantRequest, organization_id: int, route_id: int) -> HttpResponse:
    user = _user(request)
    found = _opened(request, organization_id, route_id)
    with access.in_route_schema(found, tutor=user, ip=client_ip(request)) as route:
        deficits = list(route.deficits.filter(closed_on__isnull=True))
        form = RecommendForm(request.POST, route=route, deficits=deficits)
        if form.is_valid():
            data = form.cleaned_data
            chosen = [d for d in deficits if str(d.pk) in data["deficits"]]
            try:
                route_services.course_recommend(
                    route=route, organization=found.organization, tutor=user, title=data["title"],
                    provider=data["provider"], hours=data["hours"], deadline_text=data["deadline_text"],
                    deficits=chosen, academic_year=data["academic_year"],
                )  # fmt: skip
            except ValidationError as error:
                messages_from(request, error)
            else:
                messages.success(request, "Рекомендация отправлена педагогу.")
        else:
            messages_from(request, form)
    access.visit_record(tutor=user, found=found)
    return redirect(reverse("cnppm:route", args=[organization_id, route_id]) + "#step-4")


@tutor_required
def diagnosis(request: TenantRequest, organization_id: int, route_id: int) -> HttpResponse:
    """The tutor's view of the same areas, beside the teacher's own."""
    user = _user(request)
    found = _opened(request, organization_id, route_id)
    organization = found.organization
    today = organization.local_today()
    with access.in_route_schema(found, tutor=user, ip=client_ip(request)) as route:
        result = diagnosis_step(
            request, route=route, organization=organization, kind=RespondentKind.TUTOR,
            year=organization.academic_year_of(today), author=user,
            done_url=reverse("cnppm:route", args=[organization_id, route_id]),
        )  # fmt: skip
    access.visit_record(tutor=user, found=found)
    if isinstance(result, HttpResponse):
        return result
    return render(request, "routes/diagnosis.html", result)


@tutor_required
def product_file(
    request: TenantRequest, organization_id: int, route_id: int, activity_pk: int
) -> FileResponse:
    user = _user(request)
    found = _opened(request, organization_id, route_id)
    with access.in_route_schema(
        found, tutor=user, ip=client_ip(request), what=AccessWhat.PRODUCT
    ) as route:
        activity = get_object_or_404(route.activities.all(), pk=activity_pk)
        response = product_response(activity)
        # The file is opened inside the school's storage folder; the response streams it after.
    return response


# Assignments (the head of the ЦНППМ, the regional operator) -------------------------------------


def _head_region(request: HttpRequest) -> Region:
    regions = _regions(_user(request), (Role.CNPPM_HEAD, Role.REGIONAL_OPERATOR))
    params = QueryParams(request.GET, strict=False)
    chosen = params.integer("region")
    return next((r for r in regions if r.pk == chosen), regions[0])


@head_required
def assignments(request: TenantRequest) -> HttpResponse:
    region = _head_region(request)
    params = QueryParams(request.GET, strict=False)
    organization = None
    organization_id = params.integer("organization")
    if organization_id:
        organization = Organization.objects.filter(
            pk=organization_id, municipality__region=region
        ).first()
    teachers: list[User] = []
    if organization is not None:
        teachers = list(services.teachers_of(organization).order_by("last_name", "first_name"))
    tutors = list(
        User.objects.filter(memberships__region=region, memberships__role=Role.TUTOR)
        .distinct().order_by("last_name", "first_name")
    )  # fmt: skip
    active = list(
        Assignment.objects.filter(region=region, ended_at__isnull=True)
        .select_related("tutor", "teacher", "organization")
        .order_by("tutor__last_name", "organization__short_name", "teacher__last_name")
    )
    load = {t.pk: sum(1 for a in active if a.tutor_id == t.pk) for t in tutors}
    tutor_of = {
        a.teacher_id: a.tutor
        for a in active
        if organization and a.organization_id == organization.pk
    }
    return render(request, "cnppm/assignments.html", {
        "region": region, "organizations": Organization.objects.filter(municipality__region=region, is_active=True).order_by("short_name"),
        "organization": organization, "teachers": teachers, "tutors": tutors, "active": active,
        "load": load, "centre": services.centre_of(region), "tutor_of": tutor_of,
    })  # fmt: skip


@head_required
@require_POST
def assignment_new(request: TenantRequest) -> HttpResponse:
    region = _head_region(request)
    params = QueryParams(request.POST, strict=False)
    organization = Organization.objects.filter(
        pk=params.integer("organization") or 0, municipality__region=region
    ).first()
    tutor = User.objects.filter(pk=params.integer("tutor") or 0).first()
    teacher_ids = params.integers("teachers")
    every = params.integer("review_every_days", 91, minimum=7, maximum=366)
    back = reverse("cnppm:assignments") + (
        f"?organization={organization.pk}" if organization else ""
    )
    if organization is None or tutor is None or not teacher_ids:
        messages.error(request, "Выберите организацию, тьютора и хотя бы одного педагога.")
        return redirect(back)
    done = 0
    for teacher in User.objects.filter(pk__in=teacher_ids):
        try:
            services.assignment_create(
                region=region, tutor=tutor, organization=organization, teacher=teacher,
                by=_user(request), review_every_days=every,
            )  # fmt: skip
        except ValidationError as error:
            messages.error(request, f"{teacher.display_name}: {' '.join(error.messages)}")
        else:
            done += 1
    if done:
        messages.success(request, f"Закреплено педагогов за тьютором {tutor.short_name}: {done}.")
    return redirect(back)


@head_required
@require_POST
def assignment_end(request: TenantRequest, pk: int) -> HttpResponse:
    region = _head_region(request)
    assignment = get_object_or_404(Assignment, pk=pk, region=region, ended_at__isnull=True)
    services.assignment_end(assignment=assignment, by=_user(request))
    messages.success(request, f"Закрепление завершено: {assignment.teacher.display_name}.")
    return redirect("cnppm:assignments")


# The region's figures (anonymous) ---------------------------------------------------------------


@dataclass
class AreaRow:
    code: str
    title: str
    teachers: list[int | None]  # per column
    hours: list[int | None]


def deficits(request: TenantRequest) -> HttpResponse:
    """Deficits of teachers by area across the region and its municipalities, routes by step,
    ДПО hours planned, routes reviewed on time: counts only, under the disclosure control."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    scope = dashboard_scope(user=request.user)
    if scope is None:
        raise PermissionDenied(
            "Показатели ИОМ доступны ЦНППМ, региональному оператору и муниципалитетам."
        )
    params = QueryParams(request.GET, strict=False)
    region = next((r for r in scope.regions if r.pk == params.integer("region")), scope.regions[0])
    publication = publication_of(region)
    municipalities = list(Municipality.objects.filter(region=region).order_by("name"))
    if scope.municipalities is not None:
        allowed = {m.pk for m in scope.municipalities}
        municipalities = [m for m in municipalities if m.pk in allowed]
        columns: list[tuple[str, int | None]] = [(m.name, m.pk) for m in municipalities]
    else:
        columns = [(f"Регион: {region.name}", None), *((m.name, m.pk) for m in municipalities)]
    cells = [cell_of(publication, pk) for _, pk in columns]

    def figure(cell: dict[str, Any] | None, key: str, name: str = "figures") -> int | None:
        return 0 if cell is None else cell[name].get(key)

    titles = {a["code"]: a["title"] for a in AREAS} | {OTHER_AREA: "Другие направления"}
    rows = [
        AreaRow(code, titles[code], [figure(c, f"deficit:{code}") for c in cells],
                [figure(c, code, "hours") for c in cells])
        for code in (*AREA_CODES, OTHER_AREA)
    ]  # fmt: skip
    steps = [
        (str(step.label), [figure(c, str(step.value), "by_step") for c in cells]) for step in Step
    ]
    summary = []
    for cell in cells:
        routes, accompanied, on_time = (
            figure(cell, m) for m in ("routes", "accompanied", "on_time")
        )
        share = round(on_time * 100 / accompanied) if on_time is not None and accompanied else None
        summary.append(
            {"routes": routes, "accompanied": accompanied, "on_time": on_time, "share": share}
        )
    return render(request, "cnppm/deficits.html", {
        "region": region, "regions": scope.regions, "columns": [name for name, _ in columns],
        "rows": [r for r in rows if r.code != OTHER_AREA or any(r.teachers)], "steps": steps,
        "summary": summary, "publication": publication,
    })  # fmt: skip


@head_required
def instrument(request: TenantRequest) -> HttpResponse:
    """The head of the ЦНППМ publishes a new version of the self-diagnosis instrument; the
    answers given on earlier versions keep theirs."""
    region = _head_region(request)
    current = services.instrument_current(region.pk)
    values = {
        "title": current.title, "areas": areas_text(current.areas), "scale": scale_text(current.scale), "note": "",
    }  # fmt: skip
    problems: list[str] = []
    if request.method == "POST":
        params = QueryParams(request.POST, strict=False)
        values = {
            name: params.text(name, max_length=50_000)
            for name in ("title", "areas", "scale", "note")
        }
        areas, area_problems = parse_areas(values["areas"])
        scale, scale_problems = parse_scale(values["scale"])
        problems = area_problems + scale_problems
        if not problems:
            try:
                published = services.instrument_publish(
                    region=region, by=_user(request), title=values["title"], areas=areas, scale=scale,
                    note=values["note"],
                )  # fmt: skip
            except ValidationError as error:
                problems = error.messages
            else:
                messages.success(
                    request, f"Опубликована версия {published.version}: новые диагностики — по ней."
                )
                return redirect("cnppm:instrument")
    versions = list(
        Instrument.objects.filter(region=region).select_related("created_by").order_by("-version")
    )
    return render(request, "cnppm/instrument.html", {
        "region": region, "current": current, "values": values, "problems": problems, "versions": versions,
    })  # fmt: skip
