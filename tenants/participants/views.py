"""Pages of the banks: lists with filters, the participant card, consents, import/export,
questionnaires (and the public page a participant answers without an account), the access log
of minors' data."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.permissions import acting_user, is_manager, manager_required
from core import imports
from core.clients import client_ip
from core.forms import error_texts, errors_into_form
from core.idempotency import once_per_submit
from core.models import ImportStatus
from core.params import QueryParams
from core.requests import TenantRequest
from organizations.requests import request_organization, requested_year
from tenants.documents.rendering import docx_response
from tenants.participants import documents, importing, selectors, services
from tenants.participants.filters import BankFilterSet
from tenants.participants.forms import (
    ConsentForm,
    ImportForm,
    ParticipantForm,
    QuestionForm,
    WithdrawForm,
)
from tenants.participants.models import (
    AccessKind,
    BankRole,
    Category,
    Consent,
    ConsentKind,
    DestructionAct,
    Invitation,
    MenteeReason,
    Participant,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireKind,
)

PAGE_SIZE = 50


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _participant(request: TenantRequest, pk: int) -> Participant:
    """Only what the user may see; anyone else's card is a 404, not a hint that it exists."""
    visible = selectors.visible_participants(user=acting_user(request), roles=request.roles)
    return get_object_or_404(visible.prefetch_related("consents", "invitations"), pk=pk)


def _read_logged(request: TenantRequest, participant: Participant, kind: AccessKind) -> None:
    """Into the access log if the person is a minor today (services.minor_read_record)."""
    services.minor_read_record(
        participant=participant,
        kind=kind,
        user=acting_user(request),
        ip=client_ip(request),
        today=request_organization(request).local_today(),
    )


def bank(request: TenantRequest) -> HttpResponse:
    organization = request.tenant
    today = organization.local_today()
    if not selectors.can_see_whole_bank(request.roles):
        visible = list(
            selectors.visible_participants(user=acting_user(request), roles=request.roles)
        )
        if not visible:
            return render(
                request, "participants/own_list.html", {"people": [], "user_id": request.user.pk}
            )
        if len(visible) == 1:
            return redirect("participants:card", pk=visible[0].pk)
        return render(
            request, "participants/own_list.html", {"people": visible, "user_id": request.user.pk}
        )
    year = requested_year(request)
    # A bad filter value is dropped: the page shows the bank without that filter.
    filters = BankFilterSet(request.GET).bank_filters()
    queryset = selectors.bank_list(academic_year=year, filters=filters, today=today)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "participant": p,
            "consent": services.consent_check(participant=p, today=today),
            "age": p.age(today),
        }
        for p in page.object_list
    ]
    context = {
        "rows": rows,
        "page": page,
        "filters": filters,
        "year": year,
        "today": today,
        "counts": selectors.bank_counts(academic_year=year),
        "categories": Category.choices,
        "reasons": MenteeReason.choices,
        "consent_states": selectors.CONSENT_STATES,
        "query_string": request.GET.urlencode(),
    }
    template = "participants/_bank_rows.html" if request.htmx else "participants/bank.html"
    return render(request, template, context)


def card(request: TenantRequest, pk: int) -> HttpResponse:
    organization = request_organization(request)
    today = organization.local_today()
    participant = _participant(request, pk)
    _read_logged(request, participant, AccessKind.CARD)
    manager = is_manager(request)
    context = {
        "p": participant,
        "today": today,
        "age": participant.age(today),
        "minor": participant.is_minor(today),
        "consent": services.consent_check(participant=participant, today=today),
        "consents": participant.consents.all(),
        "invitations": participant.invitations.select_related("questionnaire") if manager else [],
        "events": participant.events.select_related("user").order_by("-at")[:50] if manager else [],
        "can_edit": manager,
        "consent_form": ConsentForm(initial={"signed_on": today}),
        "withdraw_form": WithdrawForm(initial={"withdrawn_on": today}),
        "questionnaires": Questionnaire.objects.all() if manager else [],
        "reason_labels": dict(MenteeReason.choices),
    }
    return render(request, "participants/card.html", context)


@manager_required
@once_per_submit
def participant_new(request: TenantRequest) -> HttpResponse:
    return _participant_form(request, None)


@manager_required
def participant_edit(request: TenantRequest, pk: int) -> HttpResponse:
    return _participant_form(request, _participant(request, pk))


def _participant_form(request: TenantRequest, participant: Participant | None) -> HttpResponse:
    organization = request_organization(request)
    today = organization.local_today()
    initial = ParticipantForm.initial_of(participant) if participant else {
        "bank_role": QueryParams(request.GET, strict=False).choice("role", BankRole.values, BankRole.MENTEE),
        "capacity": 1,
    }  # fmt: skip
    posted = request.method == "POST"
    form = ParticipantForm(
        request.POST if posted else None, request.FILES if posted else None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            if participant is None:
                participant = services.participant_create(
                    academic_year=requested_year(request), data=form.data_object(),
                    user=acting_user(request), today=today,
                )  # fmt: skip
                messages.success(request, f"{participant.full_name} добавлен(а) в базу.")
            else:
                services.participant_update(
                    participant=participant,
                    data=form.data_object(),
                    user=acting_user(request),
                    today=today,
                )
                messages.success(request, "Сохранено.")
        except ValidationError as error:
            errors_into_form(form, error)
        else:
            scan = form.cleaned_data.get("agreement_scan")
            if scan is not None:
                try:
                    services.participant_attach_agreement(
                        participant=participant, scan=scan, user=acting_user(request)
                    )
                except ValidationError as error:
                    messages.error(request, " ".join(error.messages))
            return redirect("participants:card", pk=participant.pk)
    return render(request, "participants/form.html", {"form": form, "p": participant})


@manager_required
@require_POST
@once_per_submit
def consent_add(request: TenantRequest, pk: int) -> HttpResponse:
    organization = request_organization(request)
    participant = _participant(request, pk)
    form = ConsentForm(request.POST, request.FILES)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(str(e) for e in errors)}")
        return redirect("participants:card", pk=pk)
    try:
        services.consent_add(participant=participant, user=acting_user(request), today=organization.local_today(),
                             **form.cleaned_data)  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Согласие записано.")
    return redirect("participants:card", pk=pk)


@manager_required
def consent_document(request: TenantRequest, pk: int, consent_pk: int) -> HttpResponse:
    organization = request_organization(request)
    participant = _participant(request, pk)
    consent = get_object_or_404(Consent, pk=consent_pk, participant=participant)
    content = documents.consent_docx(consent=consent, organization=organization)
    _read_logged(request, participant, AccessKind.CONSENT_DOCUMENT)
    return docx_response(content, f"Согласие — {consent.participant.short_name}.docx")


@manager_required
def consent_blank(request: TenantRequest, pk: int) -> HttpResponse:
    """The filled-in form to print and sign."""
    organization = request_organization(request)
    participant = _participant(request, pk)
    kind = ConsentKind.HEALTH if request.GET.get("kind") == "health" else ConsentKind.PERSONAL_DATA
    content = documents.blank_consent_docx(
        participant=participant,
        organization=organization,
        kind=kind,
        today=organization.local_today(),
    )
    _read_logged(request, participant, AccessKind.CONSENT_BLANK)
    return docx_response(content, f"Согласие (бланк) — {participant.short_name}.docx")


@manager_required
def consent_scan(request: TenantRequest, pk: int, consent_pk: int) -> FileResponse:
    participant = _participant(request, pk)
    consent = get_object_or_404(Consent, pk=consent_pk, participant=participant)
    if not consent.scan:
        raise Http404("Скан не загружен.")
    _read_logged(request, participant, AccessKind.CONSENT_SCAN)
    return FileResponse(
        consent.scan.open("rb"),
        as_attachment=True,
        filename=(consent.scan.name or "scan").rsplit("/", 1)[-1],
    )


@manager_required
@require_POST
def consent_withdraw(request: TenantRequest, pk: int, consent_pk: int) -> HttpResponse:
    organization = request_organization(request)
    participant = _participant(request, pk)
    consent = get_object_or_404(Consent, pk=consent_pk, participant=participant)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Укажите дату и основание отзыва.")
        return redirect("participants:card", pk=pk)
    try:
        act = services.consent_withdraw(
            consent=consent, user=acting_user(request), on=form.cleaned_data["withdrawn_on"],
            reason=form.cleaned_data["reason"], organization=organization,
        )  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("participants:card", pk=pk)
    if act is None:
        messages.success(
            request, "Согласие на обработку сведений о здоровье отозвано; сведения об ОВЗ удалены."
        )
        return redirect("participants:card", pk=pk)
    messages.success(
        request,
        f"Согласие отозвано: участник исключён из баз, персональные данные обезличены. "
        f"Составлен акт № {act.number}.",
    )
    return redirect(reverse("participants:acts") + f"#act-{act.number}")


@manager_required
def agreement_download(request: TenantRequest, pk: int) -> FileResponse:
    participant = _participant(request, pk)
    if not participant.agreement_file:
        raise Http404("Скан договора не загружен.")
    return FileResponse(participant.agreement_file.open("rb"), as_attachment=True,
                        filename=(participant.agreement_file.name or "dogovor").rsplit("/", 1)[-1])  # fmt: skip


@manager_required
def acts(request: TenantRequest) -> HttpResponse:
    return render(
        request,
        "participants/acts.html",
        {"acts": DestructionAct.objects.select_related("created_by")},
    )


@manager_required
def act_download(request: TenantRequest, number: int) -> FileResponse:
    act = get_object_or_404(DestructionAct, number=number)
    return FileResponse(
        act.file.open("rb"),
        as_attachment=True,
        filename=f"Акт об уничтожении персональных данных № {act.number}.docx",
    )


# Access log of minors' data ------------------------------------------------------------------

ACCESS_LOG_PAGE = 50


@manager_required
def access_log(request: TenantRequest) -> HttpResponse:
    """«Журнал доступа к данным несовершеннолетних» for the director and the coordinators."""
    params = QueryParams(request.GET, strict=False)  # a bad value: that filter is left out
    filters = selectors.AccessLogFilters(
        user_id=params.integer("user"),
        participant_id=params.integer("participant"),
        date_from=params.date("from"),
        date_to=params.date("to"),
    )
    events = selectors.minor_access_log(filters=filters)
    page = Paginator(events, ACCESS_LOG_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "participants/access_log.html", {
        "page": page, "filters": filters, "readers": selectors.minor_access_readers(),
        "query_string": query.urlencode(), "participant": Participant.objects.filter(
            pk=filters.participant_id).first() if filters.participant_id else None,
    })  # fmt: skip


# Import / export -------------------------------------------------------------------------------


@manager_required
def template_download(request: TenantRequest) -> HttpResponse:
    return _xlsx(importing.template_workbook(), "shablon-bazy-uchastnikov.xlsx")


@manager_required
def export(request: TenantRequest, fmt: str = "xlsx") -> HttpResponse:
    year = requested_year(request)
    participants = list(
        Participant.objects.in_banks().filter(academic_year=year).prefetch_related("consents")
    )
    stem = f"baza-uchastnikov-{year}-{year + 1}"
    services.minor_export_record(
        participants=participants,
        kind=AccessKind.EXPORT_CSV if fmt == "csv" else AccessKind.EXPORT_XLSX,
        user=acting_user(request),
        ip=client_ip(request),
        today=request_organization(request).local_today(),
        detail=f"базы {year}/{year + 1}, всего записей: {len(participants)}",
    )
    if fmt == "csv":
        response = HttpResponse(
            importing.export_csv(participants), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
        return response
    return _xlsx(importing.export_workbook(participants), f"{stem}.xlsx")


@manager_required
def import_view(request: TenantRequest) -> HttpResponse:
    """Upload → preview with every bad row and field (core.imports) → import the valid rows."""
    year = requested_year(request)
    form = ImportForm(*(request.POST, request.FILES) if request.method == "POST" else ())
    if request.method == "POST" and form.is_valid():
        job = imports.import_job_start(
            importer=importing.ParticipantsImporter(), upload=form.cleaned_data["file"],
            params={"academic_year": year}, user=acting_user(request),
        )  # fmt: skip
        if job.status != ImportStatus.FAILED:
            return redirect("participants:import-job", pk=job.pk)
        form.add_error("file", job.error)
    return render(request, "participants/import.html", {"form": form, "year": year})


# Questionnaires ---------------------------------------------------------------------------------


@manager_required
@require_POST
def invitation_new(request: TenantRequest, pk: int) -> HttpResponse:
    organization = request_organization(request)
    participant = _participant(request, pk)
    kind = QueryParams(request.POST, strict=False).choice("kind", QuestionnaireKind.values)
    questionnaire = get_object_or_404(Questionnaire, kind=kind)
    services.invitation_create(
        participant=participant, questionnaire=questionnaire, user=acting_user(request),
        today=organization.local_today(),
    )  # fmt: skip
    messages.success(request, "Ссылка на анкету создана: отправьте её участнику.")
    return redirect("participants:card", pk=pk)


@manager_required
def questionnaires(request: TenantRequest) -> HttpResponse:
    return render(request, "participants/questionnaires.html",
                  {"questionnaires": Questionnaire.objects.prefetch_related("questions")})  # fmt: skip


@manager_required
def question_edit(request: TenantRequest, kind: str, pk: int | None = None) -> HttpResponse:
    questionnaire = get_object_or_404(Questionnaire, kind=kind)
    question = get_object_or_404(Question, pk=pk, questionnaire=questionnaire) if pk else None
    form = QuestionForm(request.POST if request.method == "POST" else None, instance=question)
    if request.method == "POST":
        if request.POST.get("delete") and question is not None:
            question.delete()
            messages.success(request, "Вопрос удалён.")
            return redirect("participants:questionnaires")
        if form.is_valid():
            saved = form.save(commit=False)
            saved.questionnaire = questionnaire
            if saved.kind in (QuestionKind.CHOICE, QuestionKind.MULTI) and not saved.choices:
                form.add_error("choices", "Для выбора из вариантов перечислите варианты.")
            else:
                if question is None:
                    saved.position = (
                        questionnaire.questions.aggregate(m=Max("position"))["m"] or 0
                    ) + 1
                saved.save()
                messages.success(request, "Вопрос сохранён.")
                return redirect("participants:questionnaires")
    return render(request, "participants/question_form.html",
                  {"form": form, "questionnaire": questionnaire, "question": question})  # fmt: skip


def answer(request: TenantRequest, token: str) -> HttpResponse:
    """The personal link: no account, the token is the key."""
    invitation = (
        Invitation.objects.select_related("participant", "questionnaire")
        .filter(token=token)
        .first()
    )
    if invitation is None or invitation.participant.anonymised_at is not None:
        raise Http404("Ссылка недействительна.")
    organization = request_organization(request)
    today = organization.local_today()
    questions = list(invitation.questionnaire.questions.all())
    errors: dict[str, str] = {}
    if request.method == "POST":
        answers = {str(q.pk): request.POST.getlist(str(q.pk)) if q.kind == QuestionKind.MULTI else request.POST.get(str(q.pk), "")
                   for q in questions}  # fmt: skip
        try:
            services.invitation_submit(invitation=invitation, answers=answers, today=today)
        except ValidationError as error:
            errors = error_texts(error)
        else:
            return render(
                request,
                "participants/answer_done.html",
                {"invitation": invitation, "organization": organization},
            )
    state = ""
    if invitation.answered_at:
        state = "answered"
    elif invitation.expires_on < today:
        state = "expired"
    return render(
        request,
        "participants/answer.html",
        {"invitation": invitation, "questions": questions, "errors": errors, "state": state,
         "posted": request.POST, "organization": organization},
    )  # fmt: skip
