"""Pages of pairs and groups: the board, matching, приказы, the pair, its program and meetings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import acting_user, is_manager, is_signer, manager_required
from core.forms import DateInput, messages_from
from core.idempotency import once_per_submit
from core.params import QueryParams
from core.requests import TenantRequest
from core.russian import initials_after
from organizations.requests import request_organization, request_today, requested_year
from tenants.documents.rendering import docx_response
from tenants.mentoring import documents, selectors, services
from tenants.mentoring.filters import PairFilterSet
from tenants.mentoring.models import (
    OFFER_LINK_DAYS,
    CandidateOffer,
    Form,
    Kind,
    Meeting,
    MeetingFormat,
    MeetingKind,
    OfferLinkState,
    Order,
    Pair,
    PairStatus,
    PlanItem,
    Program,
    default_program_end,
)
from tenants.monitoring.views import own_monitoring
from tenants.participants.models import Category, Participant
from tenants.participants.services import consent_check
from tenants.routes.access import deficits_read_record


def _errors(request: TenantRequest, error: ValidationError) -> None:
    messages_from(request, error)


def _visible_pair(request: TenantRequest, pk: int) -> Pair:
    """selectors.visible_pairs, as the API: anyone else's pair is a 404."""
    return get_object_or_404(
        selectors.visible_pairs(user=acting_user(request), roles=request.roles), pk=pk
    )


# Board --------------------------------------------------------------------------------------------


def own_context(request: TenantRequest) -> dict[str, object]:
    """What a mentor or mentee sees of their mentoring (their page and their home)."""
    user, today = acting_user(request), request_today(request)
    return {
        "own": selectors.own_overview(user=user, today=today),
        "questionnaires": selectors.own_questionnaires(user=user, today=today),
        "monitoring": own_monitoring(user=user),
        "today": today,
    }


def board(request: TenantRequest) -> HttpResponse:
    if not is_manager(request):
        return render(request, "mentoring/own.html", own_context(request))
    year = requested_year(request)
    form_code = PairFilterSet(request.GET).valid_data.get("form", "")  # a bad one: all forms
    pairs = list(selectors.pairs_board(academic_year=year, form_code=form_code))
    columns = [
        (status, label, [p for p in pairs if p.status == status])
        for status, label in PairStatus.choices
    ]
    organization = request_organization(request)
    context = {
        "columns": columns,
        "year": year,
        "forms": Form.objects.all(),
        "form_code": form_code,
        "orders": Order.objects.prefetch_related("pairs").order_by("-created_at")[:20],
        "curator": services.role_holder_name(Role.COORDINATOR, organization),
        "director": services.role_holder_name(Role.DIRECTOR, organization),
        "can_sign": is_signer(request),
        "unmatched": selectors.unmatched_mentees(academic_year=year).count(),
    }
    return render(request, "mentoring/board.html", context)


# Matching ----------------------------------------------------------------------------------------


class AcceptForm(forms.Form):
    mentor = forms.IntegerField(widget=forms.HiddenInput)
    form = forms.ModelChoiceField(queryset=Form.objects.all(), label="Форма")
    kind = forms.ChoiceField(choices=Kind.choices, label="Вид", initial=Kind.TRADITIONAL)
    starts_on = forms.DateField(label="Начало", widget=DateInput())
    ends_on = forms.DateField(label="Окончание", widget=DateInput(), required=False)


@manager_required
def match(request: TenantRequest) -> HttpResponse:
    year = requested_year(request)
    today = request_today(request)
    params = QueryParams(request.GET, strict=False)  # a bad value: as if not given
    query = params.text("q")
    mentees = list(selectors.unmatched_mentees(academic_year=year, query=query)[:200])
    selected = None
    ranked: list[Any] = []
    mentee_id = params.integer("mentee") or QueryParams(request.POST, strict=False).integer(
        "mentee"
    )
    if mentee_id is not None:
        selected = get_object_or_404(
            Participant.objects.in_banks().prefetch_related("consents"), pk=mentee_id
        )
    if request.method == "POST" and selected is not None:
        form = AcceptForm(request.POST)
        if form.is_valid():
            mentor = get_object_or_404(
                Participant.objects.in_banks(), pk=form.cleaned_data["mentor"]
            )
            try:
                pair = services.pair_accept_suggestion(
                    mentee=selected, mentor=mentor, form=form.cleaned_data["form"], kind=form.cleaned_data["kind"],
                    starts_on=form.cleaned_data["starts_on"], ends_on=form.cleaned_data["ends_on"],
                    academic_year=year, user=acting_user(request), today=today,
                )  # fmt: skip
            except ValidationError as error:
                _errors(request, error)
            else:
                what = "в группу" if pair.mentees.count() > 1 else "в пару"
                mentor_name = initials_after(
                    mentor.last_name, mentor.first_name, mentor.patronymic, "dative"
                )
                messages.success(
                    request,
                    f"{initials_after(selected.last_name, selected.first_name, selected.patronymic)} — "
                    f"{what} к наставнику {mentor_name} (предложено).",
                )
                return redirect(reverse("mentoring:match") + f"?year={year}")
    if selected is not None:
        ranked = selectors.suggestions(mentee=selected, academic_year=year, today=today)
        if selected.user_id:
            deficits_read_record(
                request, selectors.shared_deficit_rows(user_ids=[selected.user_id])
            )
    forms_by_code = {f.code: f for f in Form.objects.all()}
    context = {
        "mentees": mentees,
        "selected": selected,
        "selected_consent": consent_check(participant=selected, today=today) if selected else None,
        "suggestions": [
            {
                "s": s,
                "forms": [forms_by_code[c] for c in s.forms],
                "consent": consent_check(participant=s.mentor, today=today),
            }
            for s in ranked
        ],
        "kinds": Kind.choices,
        "start": max(today, request_organization(request).academic_year_bounds(year)[0]),
        "year": year,
        "query": query,
    }
    return render(request, "mentoring/match.html", context)


@manager_required
@require_POST
def offer(request: TenantRequest) -> HttpResponse:
    """Offer the top candidates to the mentee, who chooses by a personal link."""
    posted = QueryParams(request.POST, strict=False)
    mentee = get_object_or_404(Participant.objects.in_banks(), pk=posted.integer("mentee", 0))
    mentors = list(Participant.objects.in_banks().filter(pk__in=posted.integers("mentors")))
    try:
        candidate_offer = services.offer_candidates(mentee=mentee, mentors=mentors)
    except ValidationError as error:
        _errors(request, error)
    else:
        link = request.build_absolute_uri(reverse("choose", args=[candidate_offer.token]))
        messages.success(
            request, f"Ссылка для выбора наставника (действует {OFFER_LINK_DAYS} дней): {link}"
        )
    return redirect(reverse("mentoring:match") + f"?mentee={mentee.pk}")


def choose(request: TenantRequest, token: str) -> HttpResponse:
    """The mentee's right to choose a mentor among the offered (no account needed).

    The link works for OFFER_LINK_DAYS and for one choice; after that it says so and whom to
    ask, and shows nobody's names.
    """
    candidate_offer = (
        CandidateOffer.objects.select_related("mentee", "chosen").filter(token=token).first()
    )
    if candidate_offer is None or candidate_offer.mentee.anonymised_at is not None:
        raise Http404("Ссылка недействительна.")
    organization = request_organization(request)
    now = timezone.now()
    state = candidate_offer.link_state(now)
    if request.method == "POST" and state == OfferLinkState.OPEN:
        mentor_id = QueryParams(request.POST, strict=False).integer("mentor", 0)
        mentor = candidate_offer.mentors.filter(pk=mentor_id).first()
        if mentor is not None:
            try:
                services.offer_choose(offer=candidate_offer, mentor=mentor, now=now)
            except ValidationError:
                state = OfferLinkState.CHOSEN  # chosen a moment ago in another tab
            else:
                return render(request, "mentoring/choose.html",
                              {"offer": candidate_offer, "organization": organization})  # fmt: skip
    if state != OfferLinkState.OPEN:
        return render(request, "mentoring/choose_expired.html", {
            "state": state, "days": OFFER_LINK_DAYS, "organization": organization,
            "coordinator": services.role_holder_name(Role.COORDINATOR, organization),
        }, status=410)  # fmt: skip
    return render(request, "mentoring/choose.html", {
        "offer": candidate_offer, "mentors": candidate_offer.mentors.all(), "organization": organization,
    })  # fmt: skip


@manager_required
def match_all(request: TenantRequest) -> HttpResponse:
    """All unmatched mentees at once, each with the best mentor and why (suggestions only)."""
    year = requested_year(request)
    today = request_today(request)
    rows = selectors.suggestions_for_all(academic_year=year, today=today)
    return render(request, "mentoring/match_all.html", {"rows": rows, "year": year,
                                                        "start": max(today, request_organization(request).academic_year_bounds(year)[0])})  # fmt: skip


class FormForm(forms.ModelForm):
    mentor_categories = forms.MultipleChoiceField(
        label="Кто может быть наставником",
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    mentee_categories = forms.MultipleChoiceField(
        label="Кто может быть наставляемым",
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Form
        fields = ["title", "code", "mentor_categories", "mentee_categories", "allows_groups"]
        help_texts = {"code": "Латиницей, например parent_pupil."}


@manager_required
def forms_page(request: TenantRequest) -> HttpResponse:
    """The forms of mentoring; an organisation adds its own (e.g. «родитель – ученик»)."""
    if request.method == "POST" and request.POST.get("action") == "in_use":
        chosen = {pk for pk in request.POST.getlist("in_use") if pk.isascii() and pk.isdigit()}
        Form.objects.update(in_use=False)
        count = Form.objects.filter(pk__in=chosen).update(in_use=True)
        messages.success(
            request, f"Отмечено форм наставничества, которые внедряет организация: {count}."
        )
        return redirect("mentoring:forms")
    form = FormForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Форма «{form.instance.title}» добавлена.")
        return redirect("mentoring:forms")
    return render(request, "mentoring/forms.html", {"forms_list": Form.objects.all(), "form": form})


# Pairs ------------------------------------------------------------------------------------------


def pair_detail(request: TenantRequest, pk: int) -> HttpResponse:
    pair = _visible_pair(request, pk)
    today = request_today(request)
    program = Program.objects.filter(pair=pair).first()
    members = [pair.mentor, *pair.mentees.all()]
    context = {
        "pair": pair,
        "program": program,
        "consents": [(m, consent_check(participant=m, today=today)) for m in members],
        "events": pair.events.select_related("user")[:50],
        "can_edit": is_manager(request),
        "can_monitor": is_manager(request)
        or (
            pair.mentor.user_id is not None
            and pair.mentor.user_id == getattr(acting_user(request), "pk", None)
        ),
        "can_activate": pair.status == PairStatus.APPROVED,
        "live": pair.status in (PairStatus.PROPOSED, PairStatus.APPROVED, PairStatus.ACTIVE),
    }
    return render(request, "mentoring/pair.html", context)


@manager_required
@require_POST
def pair_transition(request: TenantRequest, pk: int) -> HttpResponse:
    pair = _visible_pair(request, pk)
    try:
        posted = QueryParams(request.POST, strict=False)  # NUL or overlong: as if left empty
        services.pair_transition(pair=pair, to=posted.text("to"), user=acting_user(request),
                                 today=request_today(request), reason=posted.text("reason", max_length=2000))  # fmt: skip
    except (ValidationError, ValueError) as error:
        if isinstance(error, ValidationError):
            _errors(request, error)
        else:
            messages.error(request, "Неизвестное состояние.")
    else:
        messages.success(request, f"Статус: {pair.get_status_display()}.")
    return redirect("mentoring:pair", pk=pk)


@manager_required
@require_POST
def order_new(request: TenantRequest) -> HttpResponse:
    posted = QueryParams(request.POST, strict=False)
    pairs = list(Pair.objects.filter(pk__in=posted.integers("pairs")))
    try:
        order = services.order_draft(pairs=pairs, user=acting_user(request),
                                     curator_name=posted.text("curator", max_length=300),
                                     director_name=posted.text("director", max_length=300))  # fmt: skip
    except ValidationError as error:
        _errors(request, error)
        return redirect("mentoring:board")
    messages.success(request, "Проект приказа готов: скачайте, подпишите и внесите номер и дату.")
    return redirect(reverse("mentoring:board") + f"#order-{order.pk}")


@manager_required
def order_download(request: TenantRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(Order, pk=pk)
    content = documents.order_docx(order=order, organization=request_organization(request))
    name = (f"Приказ № {order.number} об утверждении наставнических пар.docx" if order.number
            else "Проект приказа об утверждении наставнических пар.docx").replace("/", "-")  # fmt: skip
    return docx_response(content, name)


def _back(request: TenantRequest) -> HttpResponse:
    """To the page the form was on: the signing queue or the board."""
    return redirect("signing" if request.POST.get("back") == "signing" else "mentoring:board")


@manager_required
@require_POST
def order_sign(request: TenantRequest, pk: int) -> HttpResponse:
    """Only the director (or the deputy the director named) records the number and date."""
    if not is_signer(request):
        raise PermissionDenied(
            "Номер и дату приказа вносит руководитель (или заместитель, которому он это поручил)."
        )
    order = get_object_or_404(Order, pk=pk)
    posted = QueryParams(request.POST, strict=False)
    signed_on = posted.date("signed_on")
    if signed_on is None:
        messages.error(request, "Укажите дату приказа.")
        return _back(request)
    try:
        warnings = services.order_sign(order=order, number=posted.text("number", max_length=30),
                                       signed_on=signed_on, user=acting_user(request), today=request_today(request))  # fmt: skip
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, f"{order}: пары утверждены ({order.pairs.count()}).")
        for warning in warnings:
            messages.warning(request, warning)
    return _back(request)


@manager_required
@require_POST
def order_discard(request: TenantRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(Order, pk=pk)
    try:
        count = services.order_discard(order=order, user=acting_user(request))
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, f"Проект приказа удалён; пары ({count}) снова ждут приказа.")
    return _back(request)


@manager_required
def agreement(request: TenantRequest, participant_pk: int) -> HttpResponse:
    mentor = get_object_or_404(Participant.objects.in_banks(), pk=participant_pk, is_external=True)
    organization = request_organization(request)
    content = documents.agreement_docx(
        mentor=mentor,
        organization=organization,
        director_name=services.role_holder_name(Role.DIRECTOR, organization),
    )
    return docx_response(content, f"Договор о сотрудничестве — {mentor.short_name}.docx")


# Program ------------------------------------------------------------------------------------------


class ProgramForm(forms.Form):
    goals = forms.CharField(label="Цели и задачи", widget=forms.Textarea(attrs={"rows": 3}))
    expected_results = forms.CharField(
        label="Ожидаемые результаты", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    starts_on = forms.DateField(label="Начало", widget=DateInput())
    ends_on = forms.DateField(
        label="Окончание", widget=DateInput(), help_text="От 3 месяцев до 1 года."
    )


class PlanItemForm(forms.Form):
    title = forms.CharField(label="Мероприятие", max_length=300)
    planned_on = forms.DateField(label="Срок", widget=DateInput())


class TimeInput(forms.TimeInput):
    input_type = "time"


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label="Встреча", choices=MeetingKind.choices)
    held_on = forms.DateField(
        label="Дата", widget=DateInput(),
        help_text="Дата впереди — встреча будет запланирована: она попадёт в календарь и напоминания.",
    )  # fmt: skip
    time = forms.TimeField(label="Время", widget=TimeInput(), required=False)
    format = forms.ChoiceField(label="Формат", choices=MeetingFormat.choices)
    place = forms.CharField(label="Место или ссылка", max_length=300, required=False)
    notes = forms.CharField(
        label="О чём говорили, договорённости",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    attendees = forms.ModelMultipleChoiceField(queryset=Participant.objects.none(), label="Присутствовали",
                                               widget=forms.CheckboxSelectMultiple, required=False)  # fmt: skip


class CompleteForm(forms.Form):
    final_report = forms.CharField(
        label="Итоги программы", widget=forms.Textarea(attrs={"rows": 4})
    )
    unfinished_reason = forms.CharField(
        label="Почему не выполнены мероприятия плана (если есть)",
        widget=forms.Textarea(attrs={"rows": 2}), required=False,
    )  # fmt: skip


class HeldForm(forms.Form):
    notes = forms.CharField(label="О чём говорили, договорённости",
                            widget=forms.Textarea(attrs={"rows": 2}), required=False)  # fmt: skip
    attendees = forms.ModelMultipleChoiceField(queryset=Participant.objects.none(), label="Присутствовали",
                                               widget=forms.CheckboxSelectMultiple, required=False)  # fmt: skip


def _goals_from(deficits: list[Any], chosen: list[int]) -> dict[str, str]:
    """Goals and expected results of a personalised program drawn from chosen deficits of the
    mentee's route (ИОМ)."""
    picked = [d for d in deficits if d.pk in chosen]
    if not picked:
        return {}
    lines = "\n".join(f"— {d.area_title}: {d.description}" for d in picked)
    return {
        "goals": f"Преодоление профессиональных затруднений, выявленных в индивидуальном "
        f"образовательном маршруте наставляемого:\n{lines}",
        "expected_results": "Затруднения преодолены (рефлексия наставляемого и оценка наставника); "
        "педагогические продукты по каждому направлению.",
    }


@once_per_submit
def program(request: TenantRequest, pk: int) -> HttpResponse:
    """Whoever sees the pair sees its program; the mentor, the mentees and managers keep it
    (selectors.can_keep_program, as the API's meetings)."""
    pair = _visible_pair(request, pk)
    today = request_today(request)
    can_edit = selectors.can_keep_program(pair=pair, user=acting_user(request), roles=request.roles)
    current = Program.objects.filter(pair=pair).first()
    action = request.POST.get("action", "")
    if request.method == "POST" and not can_edit:
        raise PermissionDenied("Программу ведут наставник, наставляемые и куратор.")
    # A teacher mentee's route (ИОМ), shared with the curator: the program can start from its deficits.
    # Only to managers (the consent is the curator's), and the read is in the route's log.
    route_deficits = (
        selectors.shared_deficit_rows(user_ids=[m.user_id for m in pair.mentees.all() if m.user_id])
        if current is None and is_manager(request) else []
    )  # fmt: skip
    if route_deficits and request.method == "GET":
        deficits_read_record(request, route_deficits)
    chosen_deficits = QueryParams(request.GET, strict=False).integers("deficit")
    initial = (
        {"goals": current.goals, "expected_results": current.expected_results,
         "starts_on": current.starts_on, "ends_on": current.ends_on} if current else
        {"starts_on": pair.starts_on, "ends_on": min(pair.ends_on, default_program_end(pair.starts_on)),
         **_goals_from(route_deficits, chosen_deficits)}
    )  # fmt: skip
    program_form = ProgramForm(request.POST if action == "program" else None, initial=initial)
    plan_form = PlanItemForm(request.POST if action == "plan" else None)
    meeting_form = MeetingForm(
        request.POST if action == "meeting" else None, initial={"held_on": today}
    )
    attendees_field = meeting_form.fields["attendees"]
    assert isinstance(attendees_field, forms.ModelMultipleChoiceField)
    attendees_field.queryset = selectors.pair_members(pair=pair)
    complete_form = CompleteForm(request.POST if action == "complete" else None)
    user = acting_user(request)
    try:
        if action == "program" and program_form.is_valid():
            services.program_save(
                pair=pair, user=user, today=request_today(request), **program_form.cleaned_data
            )
            messages.success(request, "Программа сохранена.")
            return redirect("mentoring:program", pk=pk)
        if current and action == "plan" and plan_form.is_valid():
            services.plan_item_add(program=current, **plan_form.cleaned_data)
            return redirect("mentoring:program", pk=pk)
        if current and action == "done":
            item_id = QueryParams(request.POST, strict=False).integer("item", 0)
            item = get_object_or_404(PlanItem, pk=item_id, program=current)
            services.plan_item_done(item=item, done_on=None if item.done_on else today)
            return redirect("mentoring:program", pk=pk)
        if current and action == "meeting" and meeting_form.is_valid():
            data = meeting_form.cleaned_data
            meeting = services.meeting_log(program=current, kind=data["kind"], held_on=data["held_on"],
                                           meeting_format=data["format"], notes=data["notes"],
                                           attendees=list(data["attendees"]), user=user, today=today,
                                           time=data["time"], place=data["place"])  # fmt: skip
            messages.success(request, f"Встреча запланирована: {meeting}. Участники получат напоминание."
                             if meeting.is_planned else "Встреча отмечена.")  # fmt: skip
            return redirect("mentoring:program", pk=pk)
        if current and action in ("held", "cancel"):
            meeting_id = QueryParams(request.POST, strict=False).integer("meeting", 0)
            planned = get_object_or_404(Meeting, pk=meeting_id, program=current)
            if action == "cancel":
                services.meeting_cancel(meeting=planned, user=user)
                messages.success(request, "Встреча отменена.")
                return redirect("mentoring:program", pk=pk)
            held_form = HeldForm(request.POST)
            held_attendees = held_form.fields["attendees"]
            assert isinstance(held_attendees, forms.ModelMultipleChoiceField)
            held_attendees.queryset = selectors.pair_members(pair=pair)
            if held_form.is_valid():
                services.meeting_held(meeting=planned, attendees=list(held_form.cleaned_data["attendees"]),
                                      notes=held_form.cleaned_data["notes"], user=user, today=today)  # fmt: skip
                messages.success(request, "Встреча отмечена как состоявшаяся.")
                return redirect("mentoring:program", pk=pk)
        if current and action == "complete" and complete_form.is_valid():
            services.program_complete(program=current, final_report=complete_form.cleaned_data["final_report"],
                                      unfinished_reason=complete_form.cleaned_data["unfinished_reason"],
                                      user=user, today=today)  # fmt: skip
            messages.success(request, "Программа завершена: скачайте итоговый отчёт.")
            return redirect("mentoring:program", pk=pk)
    except ValidationError as error:
        # Next to its field where it names one, so what was typed stays in the form.
        target = {"program": program_form, "plan": plan_form, "meeting": meeting_form,
                  "complete": complete_form}.get(action)  # fmt: skip
        if (
            target is not None
            and hasattr(error, "error_dict")
            and set(error.error_dict) <= set(target.fields)
        ):
            target.add_error(None, error)
        else:
            _errors(request, error)
    context = {
        "pair": pair,
        "program": current,
        "program_form": program_form,
        "plan_form": plan_form,
        "meeting_form": meeting_form,
        "complete_form": complete_form,
        "progress": services.progress(current) if current else None,
        "meetings": current.meetings.filter(is_planned=False).prefetch_related("attendees")
        if current
        else [],
        "planned_meetings": current.meetings.filter(is_planned=True).order_by("held_on", "time")
        if current
        else [],
        "members": list(selectors.pair_members(pair=pair)),
        "route_deficits": route_deficits,
        "chosen_deficits": chosen_deficits,
        "plan": current.plan.all() if current else [],
        "can_edit": can_edit,
        "today": today,
    }
    return render(request, "mentoring/program.html", context)


def report(request: TenantRequest, pk: int) -> HttpResponse:
    pair = _visible_pair(request, pk)
    current = get_object_or_404(Program, pair=pair)
    return docx_response(documents.report_docx(program=current, organization=request_organization(request)),
                 f"Итоговый отчёт — {pair.mentor.short_name}.docx")  # fmt: skip
