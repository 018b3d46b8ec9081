"""Writes for pairs and groups: the rules, the lifecycle, приказы, programs and meetings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import User
from organizations.models import Organization
from tenants.mentoring.models import (
    LIVE_STATUSES,
    TRANSITIONS,
    CandidateOffer,
    Form,
    Kind,
    Meeting,
    MeetingKind,
    OfferLinkState,
    Order,
    Pair,
    PairEvent,
    PairEventKind,
    PairStatus,
    PlanItem,
    Program,
    default_program_end,
)
from tenants.participants.models import Participant
from tenants.participants.services import can_be_paired

MIN_PROGRAM_DAYS = 89  # 3 months
MAX_PROGRAM_DAYS = 366  # 1 year


def pair_event_record(
    *, pair: Pair, kind: PairEventKind, user: User | None, text: str
) -> PairEvent:
    """One entry of the pair's history: typed for code, worded for people."""
    return PairEvent.objects.create(pair=pair, kind=kind, user=user, summary=text[:500])


def _log(pair: Pair, user: User | None, kind: PairEventKind, text: str) -> None:
    pair_event_record(pair=pair, kind=kind, user=user, text=text)


def mentor_load(*, exclude_pair: int | None = None, on: dt.date | None = None) -> dict[int, int]:
    """Mentor pk → mentees in live pairs (optionally those overlapping a date)."""
    pairs = Pair.objects.filter(status__in=LIVE_STATUSES)
    if exclude_pair:
        pairs = pairs.exclude(pk=exclude_pair)
    if on:
        pairs = pairs.filter(starts_on__lte=on, ends_on__gte=on)
    rows = pairs.values("mentor_id").annotate(n=Count("mentees"))
    return {row["mentor_id"]: row["n"] for row in rows}


def check_pair(
    *,
    mentor: Participant,
    mentees: Sequence[Participant],
    form: Form,
    kind: str,
    starts_on: dt.date,
    ends_on: dt.date,
    today: dt.date,
    pair: Pair | None = None,
) -> list[str]:
    """Every rule a pair or group must satisfy; the Russian reasons it does not (empty: fine)."""
    problems: list[str] = []
    if not mentees:
        return ["Выберите хотя бы одного наставляемого."]
    if ends_on <= starts_on:
        problems.append("Окончание должно быть позже начала.")
    if not mentor.is_mentor:
        problems.append(f"{mentor.short_name} нет в базе наставников.")
    for mentee in mentees:
        if not mentee.is_mentee:
            problems.append(f"{mentee.short_name} нет в базе наставляемых.")
        if mentee.pk == mentor.pk:
            problems.append("Наставник не может быть собственным наставляемым.")
    for person, role in [(mentor, "наставник"), *[(m, "наставляемый") for m in mentees]]:
        check = can_be_paired(participant=person, today=today)
        if not check.ok:
            problems.append(f"{person.short_name} ({role}): {'; '.join(check.problems)}.")
    if mentor.category not in form.mentor_categories:
        problems.append(
            f"Форма «{form.title}»: наставником не может быть {mentor.get_category_display()}."
        )
    for mentee in mentees:
        if mentee.category not in form.mentee_categories:
            problems.append(
                f"Форма «{form.title}»: наставляемым не может быть {mentee.get_category_display()} "
                f"({mentee.short_name})."
            )
    if len(mentees) > 1 and not (form.allows_groups or kind == Kind.GROUP):
        problems.append(f"Форма «{form.title}» не предусматривает групп: выберите вид «в группе».")
    overlapping = Pair.objects.filter(
        status__in=LIVE_STATUSES, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).select_related("form")
    if pair is not None and pair.pk:
        overlapping = overlapping.exclude(pk=pair.pk)
    load = sum(p.mentees.count() for p in overlapping.filter(mentor=mentor))
    if load + len(mentees) > mentor.capacity:
        problems.append(
            f"У наставника {mentor.short_name} не больше {mentor.capacity} наставляемых, "
            f"а в пересекающихся парах уже {load}."
        )
    busy = (
        overlapping.filter(mentees__in=[m.pk for m in mentees])
        .prefetch_related("mentees")
        .distinct()
    )
    for other in busy:
        if form.allows_groups and other.form.allows_groups:
            continue  # group forms may share people (e.g. a pupil in two project groups)
        for mentee in other.mentees.all():
            if mentee in mentees:
                problems.append(
                    f"{mentee.short_name} уже наставляемый в другой паре на те же даты "
                    f"(наставник {other.mentor.short_name})."
                )
    if mentor.is_external and not (mentor.agreement_number and mentor.agreement_date):
        problems.append(
            f"{mentor.short_name} — внешний наставник: нужен договор о сотрудничестве (номер и дата)."
        )
    return problems


def _lock_people(people: Sequence[Participant]) -> None:
    """The rules that count (a mentor's capacity, one pair per mentee on the same dates) are
    checked under a row lock on the people they count for, taken in id order: two acceptances
    at once are checked one after the other, and the second sees the first's pair."""
    ids = sorted({person.pk for person in people})
    list(Participant.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))


def _locked_pair(pair: Pair) -> Pair:
    """The pair (the caller's object, refreshed) as committed now, locked until the
    transaction ends: a concurrent change of the same pair waits, then sees this one's."""
    list(Pair.objects.select_for_update().filter(pk=pair.pk).values("pk"))
    pair.refresh_from_db()
    return pair


@transaction.atomic
def pair_create(
    *,
    mentor: Participant,
    mentees: Sequence[Participant],
    form: Form,
    kind: str,
    starts_on: dt.date,
    ends_on: dt.date | None,
    academic_year: int,
    user: User | None,
    today: dt.date,
) -> Pair:
    ends_on = ends_on or default_program_end(starts_on)
    _lock_people([mentor, *mentees])
    problems = check_pair(mentor=mentor, mentees=mentees, form=form, kind=kind, starts_on=starts_on,
                          ends_on=ends_on, today=today)  # fmt: skip
    if problems:
        raise ValidationError(problems)
    pair = Pair.objects.create(
        mentor=mentor,
        form=form,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        academic_year=academic_year,
    )
    pair.mentees.set(mentees)
    _offers_close(mentees)
    what = "группа" if len(mentees) > 1 else "пара"
    _log(
        pair,
        user,
        PairEventKind.PROPOSED,
        f"Предложена {what}: {mentor.short_name} → {', '.join(m.short_name for m in mentees)}; {form.title}",
    )
    return pair


@transaction.atomic
def pair_transition(
    *, pair: Pair, to: str, user: User | None, today: dt.date, reason: str = ""
) -> Pair:
    """Move along the lifecycle; approval happens only through a signed приказ. The same move
    sent twice (a double click, two people at once) is made once."""
    pair = _locked_pair(pair)
    if pair.status == to:
        return pair
    if to not in TRANSITIONS[PairStatus(pair.status)]:
        raise ValidationError(
            f"Из состояния «{pair.get_status_display()}» нельзя перейти в «{PairStatus(to).label}»."
        )
    if to == PairStatus.APPROVED and not (pair.order and pair.order.is_signed):
        raise ValidationError("Пара утверждается приказом: внесите номер и дату приказа.")
    if to == PairStatus.TERMINATED and not reason.strip():
        raise ValidationError("Укажите причину прекращения.")
    if to == PairStatus.ACTIVE:
        _lock_people([pair.mentor, *pair.mentees.all()])
        problems = check_pair(
            mentor=pair.mentor, mentees=list(pair.mentees.all()), form=pair.form, kind=pair.kind,
            starts_on=pair.starts_on, ends_on=pair.ends_on, today=today, pair=pair,
        )  # fmt: skip
        if problems:
            raise ValidationError(problems)
    before = pair.get_status_display()
    pair.status = to
    if to == PairStatus.TERMINATED:
        pair.termination_reason = reason.strip()
    pair.save()
    if to == PairStatus.TERMINATED:
        from tenants.monitoring.services import waves_stop

        waves_stop(pair=pair, user=user)  # no more questionnaires or reminders of this pair
    summary = f"Статус: {before} → {PairStatus(to).label}"
    if reason.strip():
        summary += f" ({reason.strip()})"
    _log(pair, user, PairEventKind.STATUS, summary)
    return pair


# Распоряжение Минпросвещения Р-145 «Об утверждении методологии (целевой модели) наставничества».
TARGET_MODEL_DATE = dt.date(2019, 12, 25)


def role_holder_name(role: str, organization: Organization | None = None) -> str:
    """Who holds a role in the organisation (the current one by default), as documents name
    them: the longest-serving one."""
    from accounts.models import Membership
    from organizations.schemas import current_schema_name

    holders = Membership.objects.filter(role=role).select_related("user").order_by("created_at")
    if organization is not None:
        holders = holders.filter(organization_id=organization.pk)
    else:
        holders = holders.filter(organization__schema_name=current_schema_name())
    membership = holders.first()
    return membership.user.display_name if membership else ""


@transaction.atomic
def order_draft(
    *, pairs: Sequence[Pair], user: User | None, curator_name: str, director_name: str
) -> Order:
    """A draft приказ for proposed pairs; its DOCX is downloaded, signed, then its number recorded.

    A pair already in another draft stays there (a second draft never empties the first); the
    curator's and director's names default to the people holding those roles. The signers are
    told in the app that a draft waits for them.
    """
    from accounts.models import Role

    if not pairs:
        raise ValidationError("Выберите предложенные пары для приказа.")
    pairs = list(
        Pair.objects.select_for_update(of=("self",))
        .select_related("order", "mentor")
        .filter(pk__in=[p.pk for p in pairs])
    )
    not_proposed = [p for p in pairs if p.status != PairStatus.PROPOSED]
    if not_proposed:
        raise ValidationError("В приказ включаются только предложенные пары.")
    drafted = [p for p in pairs if p.order_id is not None]
    if drafted:
        first = drafted[0]
        assert first.order is not None
        raise ValidationError(
            f"Пара наставника {first.mentor.short_name} уже в проекте приказа от "
            f"{timezone.localtime(first.order.created_at):%d.%m.%Y}: подпишите его или удалите "
            "проект, чтобы включить пары в новый."
        )
    order = Order.objects.create(
        created_by=user,
        curator_name=curator_name.strip() or role_holder_name(Role.COORDINATOR),
        director_name=director_name.strip() or role_holder_name(Role.DIRECTOR),
    )
    for pair in pairs:
        pair.order = order
        pair.save(update_fields=["order"])
        _log(pair, user, PairEventKind.IN_ORDER, "Включена в проект приказа об утверждении")
    _signers_notify(order, len(pairs), user)
    return order


def _signers_notify(order: Order, count: int, author: User | None) -> None:
    """An in-app message to the director and the deputies: a draft waits for their signature."""
    from django.urls import reverse

    from accounts.models import SIGNING_ROLES, Membership
    from core.russian import plural_ru
    from organizations.schemas import current_schema_name
    from tenants.notifications.delivery import outbox_write
    from tenants.notifications.models import Channel
    from tenants.notifications.planner import Draft

    now = timezone.now()
    signers = set(
        Membership.objects.filter(
            organization__schema_name=current_schema_name(), role__in=SIGNING_ROLES
        ).values_list("user_id", flat=True)
    ) - ({author.pk} if author else set())
    pairs = f"{count} {plural_ru(count, 'пара', 'пары', 'пар')}"
    by = f" Подготовил(а): {author.display_name}." if author else ""
    outbox_write(
        [
            Draft(key=f"order-ready:{order.pk}:{user_id}", kind="order", recipient_id=user_id,
                  channel=Channel.INBOX, subject="Проект приказа ждёт подписи",
                  body=f"«{order.title}»: {pairs}.{by}", url=reverse("signing"), send_after=now)
            for user_id in sorted(signers)
        ],
        deliver_inbox_at=now,
    )  # fmt: skip


@transaction.atomic
def order_discard(*, order: Order, user: User | None) -> int:
    """A draft is removed; its pairs stay proposed, ready for another draft."""
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if locked.is_signed:
        raise ValidationError("Подписанный приказ не удаляется.")
    pairs = list(locked.pairs.all())
    for pair in pairs:
        _log(pair, user, PairEventKind.IN_ORDER, "Исключена из проекта приказа (проект удалён)")
    locked.pairs.update(order=None)
    locked.delete()
    return len(pairs)


@transaction.atomic
def order_sign(
    *, order: Order, number: str, signed_on: dt.date, user: User | None, today: dt.date
) -> list[str]:
    """Record the signed приказ's number and date: its pairs become approved. The same
    number and date entered twice at once are recorded once. Returns warnings: pairs whose
    start is before the order's date."""
    list(Order.objects.select_for_update().filter(pk=order.pk).values("pk"))
    order.refresh_from_db()
    if order.is_signed:
        if (order.number, order.signed_on) == (number.strip(), signed_on):
            return []
        raise ValidationError(
            f"Номер приказа уже внесён: № {order.number} от {order.signed_on:%d.%m.%Y}."
        )
    if not number.strip():
        raise ValidationError({"number": "Укажите номер приказа."})
    if signed_on > today:
        raise ValidationError({"signed_on": "Дата приказа не может быть в будущем."})
    if signed_on < TARGET_MODEL_DATE:
        raise ValidationError(
            {"signed_on": "Дата приказа раньше распоряжения Р-145 (25.12.2019): проверьте год."}
        )
    pairs = list(order.pairs.select_related("order", "mentor").all())
    if not pairs:
        raise ValidationError(
            "В проекте приказа нет ни одной пары: подписывать нечего. Удалите проект."
        )
    order.number, order.signed_on = number.strip(), signed_on
    order.save(update_fields=["number", "signed_on"])
    warnings = []
    for pair in pairs:
        pair_transition(pair=pair, to=PairStatus.APPROVED, user=user, today=today)
        _log(
            pair,
            user,
            PairEventKind.APPROVED,
            f"Утверждена приказом № {order.number} от {signed_on:%d.%m.%Y}",
        )
        if pair.starts_on < signed_on:
            warnings.append(
                f"Пара наставника {pair.mentor.short_name} начинает работу {pair.starts_on:%d.%m.%Y}, "
                f"раньше даты приказа ({signed_on:%d.%m.%Y}): проверьте даты."
            )
    return warnings


# Mentee's choice ---------------------------------------------------------------------------------


def _offers_close(mentees: Sequence[Participant]) -> None:
    """Earlier links of these mentees stop working (a new offer, or a pair was formed)."""
    CandidateOffer.objects.filter(
        mentee__in=mentees, chosen__isnull=True, closed_at__isnull=True
    ).update(closed_at=timezone.now())


@transaction.atomic
def offer_candidates(*, mentee: Participant, mentors: Sequence[Participant]) -> CandidateOffer:
    if not 1 <= len(mentors) <= 5:
        raise ValidationError("Предложите от одного до пяти наставников.")
    _offers_close([mentee])
    offer = CandidateOffer.objects.create(mentee=mentee)
    offer.mentors.set(mentors)
    return offer


def offer_choose(*, offer: CandidateOffer, mentor: Participant, now: dt.datetime) -> CandidateOffer:
    """The mentee's choice, once: a used, closed or expired link changes nothing."""
    if offer.link_state(now) != OfferLinkState.OPEN:
        raise ValidationError("Ссылка больше не действует.")
    if not offer.mentors.filter(pk=mentor.pk).exists():
        raise ValidationError("Этого наставника не предлагали.")
    # Conditional, so that two submissions at once cannot both choose.
    taken = CandidateOffer.objects.filter(
        pk=offer.pk, chosen__isnull=True, closed_at__isnull=True
    ).update(chosen=mentor, chosen_at=now)
    if not taken:
        raise ValidationError("Ссылка больше не действует.")
    offer.chosen, offer.chosen_at = mentor, now
    return offer


def chosen_mentors(*, mentee: Participant) -> set[int]:
    return set(
        CandidateOffer.objects.filter(mentee=mentee, chosen__isnull=False).values_list(
            "chosen_id", flat=True
        )
    )


# Programs and meetings ----------------------------------------------------------------------------


@transaction.atomic
def program_save(
    *,
    pair: Pair,
    goals: str,
    expected_results: str,
    starts_on: dt.date,
    ends_on: dt.date,
    user: User | None,
    today: dt.date | None = None,
) -> Program:
    """The program and its monitoring waves; given the organisation's `today`, a wave whose
    first day has come (the entry profile of a program starting today) opens at once."""
    days = (ends_on - starts_on).days
    if days < MIN_PROGRAM_DAYS or days > MAX_PROGRAM_DAYS:
        raise ValidationError(
            {"ends_on": "Программа наставничества длится от 3 месяцев до 1 года."}
        )
    program, created = Program.objects.update_or_create(
        pair=pair,
        defaults={"goals": goals.strip(), "expected_results": expected_results.strip(),
                  "starts_on": starts_on, "ends_on": ends_on},
    )  # fmt: skip
    _log(
        pair,
        user,
        PairEventKind.PROGRAM,
        "Составлена персонализированная программа" if created else "Программа изменена",
    )
    from tenants.monitoring.services import waves_plan

    waves_plan(
        program=program, today=today
    )  # entry, intermediate and final from the program's dates
    return program


def plan_item_add(*, program: Program, title: str, planned_on: dt.date) -> PlanItem:
    if not title.strip():
        raise ValidationError({"title": "Укажите мероприятие."})
    if not program.starts_on <= planned_on <= program.ends_on:
        raise ValidationError({"planned_on": "Дата вне сроков программы."})
    return PlanItem.objects.create(program=program, title=title.strip(), planned_on=planned_on,
                                   position=program.plan.count())  # fmt: skip


def plan_item_done(*, item: PlanItem, done_on: dt.date | None) -> PlanItem:
    item.done_on = done_on
    item.save(update_fields=["done_on"])
    return item


_ONCE_KINDS = (
    MeetingKind.ORGANIZATIONAL,
    MeetingKind.TRIAL,
    MeetingKind.PLANNING,
    MeetingKind.FINAL,
)


@transaction.atomic
def meeting_log(
    *,
    program: Program,
    kind: str,
    held_on: dt.date,
    meeting_format: str,
    notes: str,
    attendees: Sequence[Participant],
    user: User | None,
    today: dt.date,
    time: dt.time | None = None,
    place: str = "",
) -> Meeting:
    """A meeting that took place, or — dated after today — one planned ahead: it goes to the
    members' calendars and reminders and is marked as held later (meeting_held)."""
    pair = _meeting_pair(program, attendees)
    planned = held_on > today
    if kind in _ONCE_KINDS and program.meetings.filter(kind=kind).exists():
        raise ValidationError(
            {"kind": f"{MeetingKind(kind).label.capitalize()} уже отмечена или запланирована."}
        )
    meeting = Meeting.objects.create(program=program, kind=kind, held_on=held_on, time=time,
                                     place=place.strip()[:300], is_planned=planned, format=meeting_format,
                                     notes=notes.strip(), logged_by=user)  # fmt: skip
    if planned:
        when = f"{held_on:%d.%m.%Y}" + (f" в {time:%H:%M}" if time else "")
        _log(
            pair,
            user,
            PairEventKind.MEETING,
            f"Запланирована встреча: {meeting.get_kind_display()} {when}",
        )
        return meeting
    return _took_place(meeting, pair, attendees, user, today)


def _meeting_pair(program: Program, attendees: Sequence[Participant]) -> Pair:
    """The program's pair as it is now, refusing a pair that is not at work and attendees
    from outside it."""
    pair = Pair.objects.get(pk=program.pair_id)  # the current status, not a cached one
    if pair.status not in (PairStatus.APPROVED, PairStatus.ACTIVE):
        raise ValidationError("Встречи отмечаются в утверждённой или работающей паре.")
    members = {pair.mentor_id, *pair.mentees.values_list("pk", flat=True)}
    if any(a.pk not in members for a in attendees):
        raise ValidationError({"attendees": "Отмечать можно только участников этой пары."})
    return pair


def _took_place(meeting: Meeting, pair: Pair, attendees: Sequence[Participant],
                user: User | None, today: dt.date) -> Meeting:  # fmt: skip
    """Who came; the first meeting starts the pair's work; the pair's history says so."""
    meeting.attendees.set(attendees)
    if pair.status == PairStatus.APPROVED:
        pair_transition(pair=pair, to=PairStatus.ACTIVE, user=user, today=today)
    _log(pair, user, PairEventKind.MEETING,
         f"Встреча: {meeting.get_kind_display()} {meeting.held_on:%d.%m.%Y}")  # fmt: skip
    return meeting


@transaction.atomic
def meeting_held(
    *, meeting: Meeting, attendees: Sequence[Participant], notes: str, user: User | None,
    today: dt.date,
) -> Meeting:  # fmt: skip
    """A planned meeting took place: who came, what was agreed."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not locked.is_planned:
        return locked  # marked already (a second click)
    if locked.held_on > today:
        raise ValidationError({"held_on": "Встреча ещё не состоялась: её дата впереди."})
    pair = _meeting_pair(locked.program, attendees)
    locked.is_planned = False
    locked.notes = notes.strip() or locked.notes
    locked.save(update_fields=["is_planned", "notes"])
    return _took_place(locked, pair, attendees, user, today)


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, user: User | None) -> None:
    """A planned meeting that will not take place leaves the calendars and reminders."""
    locked = Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    if locked is None:
        return
    if not locked.is_planned:
        raise ValidationError("Состоявшуюся встречу не отменить.")
    pair = Pair.objects.get(pk=locked.program.pair_id)
    _log(pair, user, PairEventKind.MEETING, f"Отменена встреча: {locked}")
    locked.delete()


@transaction.atomic
def program_complete(
    *, program: Program, final_report: str, user: User | None, today: dt.date,
    unfinished_reason: str = "",
) -> Program:  # fmt: skip
    """The program ends with its report. Plan items left undone need a reason, which the
    report keeps; a planned meeting that has not taken place cannot be the final one."""
    if not final_report.strip():
        raise ValidationError({"final_report": "Опишите итоги программы."})
    if not program.meetings.filter(kind=MeetingKind.FINAL, is_planned=False).exists():
        raise ValidationError("Сначала отметьте заключительную встречу.")
    from tenants.monitoring.services import final_wave_for_completion, wave_close

    final = final_wave_for_completion(program)  # the «выход» of the program (004 §6.3)
    undone = list(program.plan.filter(done_on__isnull=True).values_list("title", flat=True))
    report = final_report.strip()
    answered = final.responses.filter(answered_at__isnull=False).count()
    total = final.responses.count()
    if answered < total:
        report += f"\n\nИтоговый мониторинг: ответили {answered} из {total}."
    if undone:
        if not unfinished_reason.strip():
            raise ValidationError({"unfinished_reason": (
                f"Не выполнено мероприятий плана: {len(undone)} («{undone[0]}»…). "
                "Напишите, почему, или отметьте их выполненными."
            )})  # fmt: skip
        report += (
            "\n\nНе выполнены мероприятия плана: " + "; ".join(undone) + ".\nПричина: "
            + unfinished_reason.strip()
        )  # fmt: skip
    program.meetings.filter(is_planned=True).delete()  # planned ones that never happened
    program.final_report, program.completed_on = report, today
    program.save(update_fields=["final_report", "completed_on"])
    for wave in program.waves.filter(opened_at__isnull=False, closed_at__isnull=True):
        wave_close(wave=wave, user=user, now=timezone.now())  # the final one and any left open
    program.waves.filter(opened_at__isnull=True).delete()  # never opened: nothing to keep
    pair_transition(
        pair=Pair.objects.get(pk=program.pair_id), to=PairStatus.COMPLETED, user=user, today=today
    )
    return program


def progress(program: Program) -> dict[str, int]:
    plan = program.plan.aggregate(
        total=Count("id"), done=Count("id", filter=Q(done_on__isnull=False))
    )
    held = program.meetings.filter(is_planned=False)
    kinds = set(held.values_list("kind", flat=True))
    return {
        "plan_total": plan["total"],
        "plan_done": plan["done"],
        "meetings": held.count(),
        "planned": program.meetings.filter(is_planned=True).count(),
        "stages_done": sum(1 for k in MeetingKind.values if k in kinds),
        "stages_total": len(MeetingKind.values),
    }


@transaction.atomic
def pair_add_mentee(*, pair: Pair, mentee: Participant, user: User | None, today: dt.date) -> Pair:
    """Grow a proposed group by one mentee; the whole group is checked again."""
    pair = _locked_pair(pair)
    if pair.mentees.filter(pk=mentee.pk).exists():
        return pair  # the same acceptance twice
    if pair.status != PairStatus.PROPOSED:
        raise ValidationError(
            "Добавлять наставляемых можно в предложенную, ещё не утверждённую группу."
        )
    mentees = [*pair.mentees.all(), mentee]
    _lock_people([pair.mentor, *mentees])
    problems = check_pair(mentor=pair.mentor, mentees=mentees, form=pair.form, kind=pair.kind,
                          starts_on=pair.starts_on, ends_on=pair.ends_on, today=today, pair=pair)  # fmt: skip
    if problems:
        raise ValidationError(problems)
    pair.mentees.add(mentee)
    _offers_close([mentee])
    _log(pair, user, PairEventKind.MENTEE_ADDED, f"В группу добавлен(а) {mentee.short_name}")
    return pair


def pair_accept_suggestion(
    *,
    mentee: Participant,
    mentor: Participant,
    form: Form,
    kind: str,
    starts_on: dt.date,
    ends_on: dt.date | None,
    academic_year: int,
    user: User | None,
    today: dt.date,
) -> Pair:
    """The coordinator accepts a suggested mentor: a new pair, or the mentee joins the mentor's
    proposed group of the same form when the kind is «в группе»."""
    if kind == Kind.GROUP:
        group = (
            Pair.objects.filter(
                mentor=mentor,
                form=form,
                kind=Kind.GROUP,
                status=PairStatus.PROPOSED,
                academic_year=academic_year,
            )
            .order_by("pk")
            .first()
        )
        if group is not None:
            return pair_add_mentee(pair=group, mentee=mentee, user=user, today=today)
    return pair_create(mentor=mentor, mentees=[mentee], form=form, kind=kind, starts_on=starts_on,
                       ends_on=ends_on, academic_year=academic_year, user=user, today=today)  # fmt: skip
