"""Pages of monitoring: the school's results and waves (coordinator), a wave's «кто не
ответил», a pair's entry vs exit, the instruments, outcomes, the analytic report, and the
personal link a respondent answers by without an account."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.permissions import acting_user, is_manager, manager_required
from core.forms import error_texts, messages_from
from core.idempotency import once_per_submit
from core.params import QueryParams
from core.requests import TenantRequest
from organizations.requests import request_organization, request_today, requested_year
from tenants.mentoring.models import Program
from tenants.mentoring.selectors import visible_pairs
from tenants.monitoring import catalogue, selectors, services
from tenants.monitoring.models import (
    AnalyticReport,
    Instrument,
    Outcome,
    Respondent,
    Response,
    Wave,
)
from tenants.monitoring.reminders import answer_path
from tenants.participants.models import AccessKind
from tenants.participants.services import minor_export_record


def _ip(request: TenantRequest) -> str | None:
    from core.clients import client_ip

    return client_ip(request)


@manager_required
def overview(request: TenantRequest) -> HttpResponse:
    """The coordinator's monitoring of the year: results, waves to follow up, instruments."""
    year, today = requested_year(request), request_today(request)
    results = selectors.school_results(year, today)
    waves = list(
        selectors.waves_listing(year).filter(opened_at__isnull=False, closed_at__isnull=True)
    )
    planned = list(
        selectors.waves_listing(year).filter(opened_at__isnull=True).order_by("opens_on")[:20]
    )
    return render(request, "monitoring/overview.html", {
        "year": year, "today": today, "results": results, "waves": waves, "planned": planned,
        "instruments": services.instruments_current().values(),
    })  # fmt: skip


def _wave(request: TenantRequest, pk: int) -> Wave:
    return get_object_or_404(Wave.objects.select_related("program__pair__form"), pk=pk)


@manager_required
def wave(request: TenantRequest, pk: int) -> HttpResponse:
    """«Кто не ответил»: each questionnaire of the wave, its respondent and state; the
    personal links of those without an account, to hand out."""
    found = _wave(request, pk)
    responses = list(
        found.responses.select_related("participant__user", "subject", "instrument")
        .order_by(F("answered_at").asc(nulls_first=True), "respondent", "id")
    )  # fmt: skip
    base = f"{request.scheme}://{request.get_host()}"
    rows = [{"response": r, "link": base + answer_path(r), "account": bool(r.participant and r.participant.user_id)}
            for r in responses]  # fmt: skip
    people = [p for p in {r.participant for r in responses if r.participant} | {r.subject for r in responses if r.subject}]  # fmt: skip
    minor_export_record(participants=people, kind=AccessKind.MONITORING, user=acting_user(request),
                        ip=_ip(request), today=request_today(request), detail=f"волна мониторинга № {found.pk}")  # fmt: skip
    return render(request, "monitoring/wave.html", {
        "wave": found, "pair": found.program.pair, "rows": rows, "state": found.state(request_today(request)),
        "missing": sum(1 for r in responses if r.answered_at is None),
    })  # fmt: skip


@manager_required
@require_POST
@once_per_submit
def wave_action(request: TenantRequest, pk: int) -> HttpResponse:
    found = _wave(request, pk)
    posted = QueryParams(request.POST, strict=False)
    action, user, now = posted.text("action"), acting_user(request), timezone.now()
    try:
        if action == "nudge":
            done = services.nudge(wave=found, user=user, now=now)
            text = f"Напоминание отправлено: {done['reached']}."
            if done["without_account"]:
                text += (
                    f" Без учётной записи — {done['without_account']}: передайте им личные ссылки."
                )
            messages.success(request, text)
        elif action == "open":
            services.wave_open_now(wave=found, user=user, today=request_today(request), now=now)
            messages.success(
                request, "Волна открыта: анкеты созданы, участники получат напоминание."
            )
        elif action == "close":
            services.wave_close(wave=found, user=user, now=now)
            messages.success(request, "Волна закрыта.")
        elif action == "dates":
            opens_on, closes_on = posted.date("opens_on"), posted.date("closes_on")
            if opens_on is None or closes_on is None:
                raise ValidationError({"opens_on": "Укажите даты начала и окончания (дд.мм.гггг)."})
            services.wave_dates_set(
                wave=found, opens_on=opens_on, closes_on=closes_on, user=user, now=now
            )
            messages.success(request, "Сроки волны сохранены.")
        else:
            messages.error(request, "Неизвестное действие.")
    except ValidationError as error:
        messages_from(request, error)
    return redirect("monitoring:wave", pk=found.pk)


def _program_of(request: TenantRequest, pair_pk: int) -> Program:
    pair = get_object_or_404(
        visible_pairs(user=acting_user(request), roles=request.roles), pk=pair_pk
    )
    program = Program.objects.filter(pair=pair).select_related("pair__form", "pair__mentor").first()
    if program is None:
        raise Http404("У пары ещё нет программы.")
    return program


def pair_monitoring(request: TenantRequest, pair_pk: int) -> HttpResponse:
    """The pair's monitoring: its waves, the characteristics at «вход» and «выход», the
    satisfaction indices, the outcomes; the coordinator also types outcomes and reads the open
    answers. The pair's mentor sees it too (a mentee sees their own questionnaires only)."""
    program = _program_of(request, pair_pk)
    pair = program.pair
    manager = is_manager(request)
    user = acting_user(request)
    if not manager and not (
        pair.mentor.user_id and user is not None and pair.mentor.user_id == user.pk
    ):
        raise PermissionDenied("Мониторинг пары видят куратор и наставник.")
    today = request_today(request)
    mentees = list(pair.mentees.all())
    minor_export_record(participants=mentees, kind=AccessKind.MONITORING, user=user, ip=_ip(request),
                        today=today, detail=f"мониторинг пары № {pair.pk}")  # fmt: skip
    services.waves_plan(program=program)  # a program made before monitoring gets its waves
    results = selectors.pair_results(program)
    if not manager:
        # The mentor sees the mentor's own view and the outcomes; the mentee's self-assessment
        # and the satisfaction answers (about the mentor too) are the curator's.
        results.profiles = [v for v in results.profiles if v.respondent == Respondent.MENTOR]
        results.satisfaction = []
        results.open_answers = []
    outcome_forms = []
    if manager:
        stored = {
            (o.mentee_id, o.indicator, o.stage): o for o in Outcome.objects.filter(program=program)
        }
        for mentee in mentees:
            fields = []
            for indicator in services.outcomes_for(mentee):
                fields.append({
                    "indicator": indicator,
                    "entry": selectors.outcome_text(indicator, stored.get((mentee.pk, indicator["code"], "entry"))),
                    "exit": selectors.outcome_text(indicator, stored.get((mentee.pk, indicator["code"], "exit"))),
                })  # fmt: skip
            outcome_forms.append({"mentee": mentee, "fields": fields})
    return render(request, "monitoring/pair.html", {
        "pair": pair, "program": program, "results": results, "manager": manager,
        "outcome_forms": outcome_forms, "today": today, "stages": Outcome.Stage.choices,
    })  # fmt: skip


@manager_required
@require_POST
@once_per_submit
def outcomes_save(request: TenantRequest, pair_pk: int) -> HttpResponse:
    program = _program_of(request, pair_pk)
    posted = QueryParams(request.POST, strict=False)
    mentee = program.pair.mentees.filter(pk=posted.integer("mentee") or 0).first()
    if mentee is None:
        messages.error(request, "Выберите наставляемого этой пары.")
        return redirect("monitoring:pair", pair_pk=program.pair_id)
    stage = posted.choice("stage", Outcome.Stage.values)
    values = {i["code"]: request.POST.get(i["code"], "") for i in services.outcomes_for(mentee) if i["code"] in request.POST}  # fmt: skip
    try:
        changed = services.outcomes_save(program=program, mentee=mentee, stage=stage, values=values,
                                         today=request_today(request), user=acting_user(request))  # fmt: skip
    except ValidationError as error:
        messages_from(request, error)
    else:
        messages.success(
            request, f"Результаты записаны: {changed}." if changed else "Изменений нет."
        )
    return redirect("monitoring:pair", pair_pk=program.pair_id)


# Answering ------------------------------------------------------------------------------------


def _may_answer(request: TenantRequest, response: Response) -> bool:
    """The personal link is the key for mentors and mentees; the curator's questionnaire is
    answered by a manager of the school, signed in."""
    if response.respondent != Respondent.CURATOR:
        return True
    if not request.user.is_authenticated:
        return False
    # The link's path is open (no membership check ran): the roles are looked up here.
    from accounts.models import ORGANIZATION_MANAGER_ROLES
    from accounts.selectors import organization_roles

    roles = organization_roles(user=request.user, organization=request_organization(request))
    return bool(roles & ORGANIZATION_MANAGER_ROLES)


def answer(request: TenantRequest, token: str) -> HttpResponse:
    """The personal link: no account needed, the token is the key."""
    response = services.response_for_token(token)
    if response is None or (
        response.participant is not None and response.participant.anonymised_at is not None
    ):
        raise Http404("Ссылка недействительна.")
    if not _may_answer(request, response):
        if request.user.is_authenticated:
            raise PermissionDenied("Анкету куратора заполняет куратор или руководитель.")
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    organization = request_organization(request)
    errors: dict[str, str] = {}
    if request.method == "POST":
        answers = {
            item["code"]: request.POST.get(item["code"], "") for item in response.instrument.items
        }
        try:
            services.response_submit(response=response, answers=answers,
                                     user=acting_user(request) if request.user.is_authenticated else None,
                                     now=timezone.now())  # fmt: skip
        except ValidationError as error:
            errors = error_texts(error)
        else:
            return render(request, "monitoring/answer_done.html", {"response": response, "organization": organization})  # fmt: skip
    state = "answered" if response.answered_at else "closed" if response.wave.closed_at else ""
    facts = {}
    if response.respondent == Respondent.CURATOR:
        from tenants.mentoring.services import progress

        facts = progress(response.wave.program)
    return render(request, "monitoring/answer.html", {
        "response": response, "items": response.instrument.items, "errors": errors, "state": state,
        "posted": request.POST, "organization": organization, "facts": facts,
        "about": response.subject if response.respondent == Respondent.MENTOR else None,
    })  # fmt: skip


# Instruments ----------------------------------------------------------------------------------


@manager_required
def instruments(request: TenantRequest) -> HttpResponse:
    current = services.instruments_current()
    history = Instrument.objects.filter(is_current=False).order_by("code", "-version")
    return render(request, "monitoring/instruments.html", {
        "instruments": [current[i["code"]] for i in catalogue.BUILTIN if i["code"] in current],
        "history": history, "purposes": catalogue.PURPOSES,
    })  # fmt: skip


@manager_required
def instrument_edit(request: TenantRequest, code: str) -> HttpResponse:
    current = services.instruments_current().get(code)
    if current is None:
        raise Http404("Нет такого инструмента.")
    text = services.instrument_text(current)
    problems: list[str] = []
    if request.method == "POST":
        posted = QueryParams(request.POST, strict=False)
        text = request.POST.get("text", "")[:30_000]
        try:
            services.instrument_adapt(code=code, text=text, note=posted.text("note", max_length=500),
                                      user=acting_user(request))  # fmt: skip
        except ValidationError as error:
            problems = [m for messages_ in error.message_dict.values() for m in messages_]
        else:
            messages.success(
                request, "Новая версия анкеты сохранена: открытые волны продолжают прежнюю."
            )
            return redirect("monitoring:instruments")
    return render(request, "monitoring/instrument_form.html",
                  {"instrument": current, "text": text, "problems": problems})  # fmt: skip


# The curator's analytic report ---------------------------------------------------------------------


@manager_required
def report(request: TenantRequest) -> HttpResponse:
    year = requested_year(request)
    stored, _ = AnalyticReport.objects.get_or_create(academic_year=year)
    if request.method == "POST":
        posted = QueryParams(request.POST, strict=False)
        stored.conclusions = posted.text("conclusions", max_length=20_000)
        stored.proposals = posted.text("proposals", max_length=20_000)
        stored.updated_by = acting_user(request)
        stored.save()
        messages.success(request, "Выводы и предложения сохранены.")
        return redirect(f"{request.path}?year={year}")
    from tenants.monitoring.documents import report_facts

    return render(request, "monitoring/report.html", {
        "year": year, "report": stored, "facts": report_facts(request_organization(request), year, request_today(request)),
    })  # fmt: skip


@manager_required
def report_docx(request: TenantRequest) -> HttpResponse:
    from tenants.monitoring.documents import analytic_report_docx

    year = requested_year(request)
    return analytic_report_docx(request, year)


def own_monitoring(*, user: Any) -> list[Response]:
    """Questionnaires waiting for the user's own answer (their home and their pair page)."""
    if user is None:
        return []
    return list(
        Response.objects.filter(participant__user=user, participant__anonymised_at__isnull=True,
                                answered_at__isnull=True, wave__closed_at__isnull=True)
        .select_related("wave", "instrument", "subject").order_by("wave__closes_on")
    )  # fmt: skip


# Outcomes from the electronic journal ---------------------------------------------------------------


@manager_required
def outcomes_import(request: TenantRequest) -> HttpResponse:
    """Upload → preview with every bad row and cell → the valid rows written on confirmation."""
    from django import forms as django_forms

    from core import imports
    from core.models import ImportStatus
    from tenants.monitoring.importing import OutcomesImporter

    class UploadForm(django_forms.Form):
        stage = django_forms.ChoiceField(label="Этап", choices=Outcome.Stage.choices)
        file = django_forms.FileField(label="Выгрузка (XLSX или CSV)")

    year = requested_year(request)
    form = UploadForm(*(request.POST, request.FILES) if request.method == "POST" else ())
    if request.method == "POST" and form.is_valid():
        job = imports.import_job_start(
            importer=OutcomesImporter(), upload=form.cleaned_data["file"],
            params={"academic_year": year, "stage": form.cleaned_data["stage"]}, user=acting_user(request),
        )  # fmt: skip
        if job.status != ImportStatus.FAILED:
            return redirect("monitoring:import-job", pk=job.pk)
        form.add_error("file", job.error)
    return render(request, "monitoring/import.html", {"form": form, "year": year})


@manager_required
def outcomes_template(request: TenantRequest) -> HttpResponse:
    from tenants.monitoring.importing import template_workbook

    response = HttpResponse(
        template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="outcomes-template.xlsx"'
    return response
