"""Writes of monitoring: instruments and their versions, the waves of a program (planned from
its dates, opened, closed), answers by the personal link or in the cabinet, reminders asked
for by the coordinator, and the mentees' outcomes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.db import insert_rows, recomputable_transaction
from core.params import has_nul
from tenants.mentoring.models import Pair, PairEvent, PairEventKind, PairStatus, Program
from tenants.monitoring import catalogue
from tenants.monitoring.models import (
    WAVE_ORDER,
    Instrument,
    Outcome,
    Respondent,
    Response,
    Wave,
    WaveKind,
)
from tenants.participants.models import LEARNER_CATEGORIES, Participant

OPEN_TEXT_MAX = 2000
WAVE_DAYS = 14  # a wave stays open this long (the final one: until the program's last day)
FINAL_LEAD_DAYS = 21  # the final wave opens this long before the program ends
LIVE_PAIRS = (PairStatus.APPROVED, PairStatus.ACTIVE)


# Instruments --------------------------------------------------------------------------------------


def instruments_ensure() -> None:
    """The built-in instruments of the seeds, version 1, where the school has none of a code
    (one statement; two first visits at once both end with exactly one)."""
    have = set(Instrument.objects.values_list("code", flat=True).distinct())
    missing = [i for i in catalogue.BUILTIN if i["code"] not in have]
    if missing:
        Instrument.objects.bulk_create(
            [Instrument(code=i["code"], version=1, title=i["title"], intro=i["intro"],
                        purpose=i["purpose"], forms=i["forms"], items=i["items"]) for i in missing],
            ignore_conflicts=True,
        )  # fmt: skip


def instruments_current() -> dict[str, Instrument]:
    """The school's current instruments, each with the region's common core as it stands now
    (a newer core makes a new version: the core's questions, then the school's own)."""
    current = {i.code: i for i in Instrument.objects.filter(is_current=True)}
    if not {i["code"] for i in catalogue.BUILTIN} <= current.keys():  # a school's first time
        instruments_ensure()
        current = {i.code: i for i in Instrument.objects.filter(is_current=True)}
    version, core = _region_core()
    for code, instrument in list(current.items()):
        if instrument.core_version < version and code in core:
            current[code] = _core_take(instrument, version, core[code])
    return current


def _region_core() -> tuple[int, dict[str, list[dict[str, Any]]]]:
    from django.db import connection

    from regional_dashboard.monitoring_core import core_current

    tenant: Any = getattr(connection, "tenant", None)
    return core_current(municipality_id=getattr(tenant, "municipality_id", None))


@transaction.atomic
def _core_take(instrument: Instrument, version: int, core: list[dict[str, Any]]) -> Instrument:
    locked = (
        Instrument.objects.select_for_update().filter(pk=instrument.pk, is_current=True).first()
    )
    if locked is None:  # another request took it meanwhile
        return Instrument.objects.get(code=instrument.code, is_current=True)
    own = [item for item in locked.items if not item.get("core")]
    Instrument.objects.filter(pk=locked.pk).update(is_current=False)
    return Instrument.objects.create(
        code=locked.code, version=locked.version + 1, title=locked.title, intro=locked.intro,
        purpose=locked.purpose, forms=locked.forms, items=[*core, *own], core_version=version,
        note="общие вопросы региона обновлены",
    )  # fmt: skip


_ITEM = re.compile(r"^(?P<open>\?)?\s*(?P<text>[^|]+?)\s*(?:\|\s*(?P<scale>.+))?$")


def instrument_text(instrument: Instrument) -> str:
    """The school's part of an instrument as it edits it: one question per line; a scale's
    levels after «|», separated by «;»; an open question starts with «?». Core questions are
    not in the text: they are kept as the region set them."""
    lines = []
    for item in instrument.items:
        if item.get("core"):
            continue
        if item["kind"] == "open":
            lines.append(f"? {item['text']}")
        else:
            lines.append(f"{item['text']} | {'; '.join(item['scale'])}")
    return "\n".join(lines)


def parse_items(text: str, *, prefix: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The school's own questions from the text, every problem named by its line."""
    items: list[dict[str, Any]] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if has_nul(line) or len(line) > 1000:
            problems.append(f"Строка {number}: слишком длинная или с недопустимым символом.")
            continue
        match = _ITEM.match(line)
        if match is None:
            problems.append(f"Строка {number}: не разобрать вопрос.")
            continue
        question = match.group("text").strip()[:500]
        code = f"{prefix}.own{len(items) + 1}"
        if match.group("open"):
            items.append({"code": code, "text": question, "kind": "open", "scale": [], "group": "", "core": False})  # fmt: skip
            continue
        scale = [
            level.strip()[:200]
            for level in (match.group("scale") or "").split(";")
            if level.strip()
        ]
        if not scale:
            problems.append(
                f"Строка {number}: у вопроса «{question[:60]}» нет шкалы: после «|» перечислите "
                "описания уровней через «;», или начните строку с «?» для открытого вопроса."
            )
            continue
        if not 2 <= len(scale) <= 7:
            problems.append(f"Строка {number}: в шкале от 2 до 7 уровней, а указано {len(scale)}.")
            continue
        grades = [level for level in scale if _looks_like_grade(level)]
        if grades:
            problems.append(
                f"Строка {number}: «{grades[0]}» похоже на отметку. В мониторинге отметки не "
                "выставляются (Положение, п. 6.5): опишите уровни словами."
            )
            continue
        items.append({"code": code, "text": question, "kind": "scale", "scale": scale, "group": "", "core": False})  # fmt: skip
    if len(items) > 30:
        problems.append("Собственных вопросов больше 30.")
    return items, problems


# A mark: a digit, a mark's word anywhere («4 балла», «3 (удовл.)», «зачтено»), or a level that is
# the name of a mark itself («отлично», «хорошо»). Satisfaction («удовлетворён») is no mark.
_GRADE = re.compile(
    r"\d|балл|отметк|оценк|зач[её]?т|удовлетворительн|удовл\.|\bнеуд\b|пят[её]рк|четв[её]рк|тройк|двойк"
)
_GRADE_NAMES = {
    "отлично",
    "хорошо",
    "удовлетворительно",
    "неудовлетворительно",
    "удовл",
    "неуд",
    "плохо",
}


def _looks_like_grade(level: str) -> bool:
    text = level.strip().lower()
    return bool(_GRADE.search(text)) or re.sub(r"[^\w]+", "", text) in _GRADE_NAMES


@transaction.atomic
def instrument_adapt(*, code: str, text: str, note: str, user: User | None) -> Instrument:
    """A new version with the school's own questions after the core ones (kept as they are).
    Waves opened before keep the version they were given on."""
    instruments_ensure()
    current = Instrument.objects.select_for_update().filter(code=code, is_current=True).first()
    if current is None:  # another save made a new version meanwhile
        raise ValidationError({"text": "Анкету только что изменили: откройте её ещё раз."})
    own, problems = parse_items(text, prefix=code)
    if problems:
        raise ValidationError({"text": problems})
    core = [item for item in current.items if item.get("core")]
    items = [*core, *own]
    if items == current.items:
        raise ValidationError({"text": "Изменений нет."})
    Instrument.objects.filter(pk=current.pk).update(is_current=False)
    return Instrument.objects.create(
        code=code, version=current.version + 1, title=current.title, intro=current.intro,
        purpose=current.purpose, forms=current.forms, items=items, core_version=current.core_version,
        note=note.replace("\x00", "").strip()[:500], created_by=user,
    )  # fmt: skip


# Waves --------------------------------------------------------------------------------------------


def _log(pair: Pair, user: User | None, text: str) -> None:
    PairEvent.objects.create(pair=pair, user=user, kind=PairEventKind.OTHER, summary=text[:500])


def planned_dates(program: Program) -> dict[str, tuple[dt.date, dt.date]]:
    """Entry at the start, intermediate at the middle, final before completion (004 §6.3–6.4)."""
    start, end = program.starts_on, program.ends_on
    middle = start + (end - start) / 2
    final_opens = max(start, end - dt.timedelta(days=FINAL_LEAD_DAYS))
    return {
        WaveKind.ENTRY: (start, min(end, start + dt.timedelta(days=WAVE_DAYS))),
        WaveKind.INTERMEDIATE: (middle, min(end, middle + dt.timedelta(days=WAVE_DAYS))),
        WaveKind.FINAL: (final_opens, end),
    }


def waves_plan(*, program: Program, today: dt.date | None = None, now: dt.datetime | None = None) -> list[Wave]:  # fmt: skip
    """Create the program's waves, or move those still planned by the program's dates; given
    the organisation's `today`, a wave whose first day has come opens at once (its
    questionnaires are created; otherwise the next reminder sweep opens it)."""
    now = now or timezone.now()
    existing = {w.kind: w for w in Wave.objects.filter(program=program)}
    if program.completed_on is not None:  # completed: its waves are history
        return sorted(existing.values(), key=lambda w: WAVE_ORDER[w.kind])
    planned = planned_dates(program)
    for kind, (opens_on, closes_on) in planned.items():
        wave = existing.get(kind)
        if wave is None:  # two first visits at once: one row, the other's insert is a no-op
            Wave.objects.bulk_create([Wave(program=program, kind=kind, opens_on=opens_on, closes_on=closes_on)],
                                     ignore_conflicts=True)  # fmt: skip
            existing[kind] = Wave.objects.get(program=program, kind=kind)
        elif wave.automatic and wave.opened_at is None and (wave.opens_on, wave.closes_on) != (opens_on, closes_on):  # fmt: skip
            wave.opens_on, wave.closes_on = opens_on, closes_on
            wave.save(update_fields=["opens_on", "closes_on"])
    live = Pair.objects.filter(pk=program.pair_id, status__in=LIVE_PAIRS).exists()
    for wave in existing.values():
        if today is not None and live and wave.opened_at is None and wave.opens_on <= today:
            wave_open(wave=wave, now=now)
    return sorted(existing.values(), key=lambda w: WAVE_ORDER[w.kind])


def _today(now: dt.datetime) -> dt.date:
    from django.db import connection

    tenant: Any = getattr(connection, "tenant", None)
    return tenant.local_today(now) if hasattr(tenant, "local_today") else timezone.localdate(now)


@transaction.atomic
def wave_dates_set(*, wave: Wave, opens_on: dt.date, closes_on: dt.date, user: User | None,
                   now: dt.datetime | None = None) -> Wave:  # fmt: skip
    """The coordinator moves a wave; it is no longer planned by the program's dates."""
    now = now or timezone.now()
    locked = Wave.objects.select_for_update().select_related("program").get(pk=wave.pk)
    program = locked.program
    if closes_on < opens_on:
        raise ValidationError({"closes_on": "Окончание раньше начала."})
    latest = program.ends_on + dt.timedelta(days=WAVE_DAYS)
    if opens_on < program.starts_on or closes_on > latest:
        raise ValidationError({"opens_on": (
            f"Волна — в сроки программы: с {program.starts_on:%d.%m.%Y} по {program.ends_on:%d.%m.%Y} "
            f"(окончание — не позже {latest:%d.%m.%Y})."
        )})  # fmt: skip
    if locked.opened_at is not None and opens_on != locked.opens_on:
        raise ValidationError(
            {"opens_on": "Волна уже открыта: можно перенести только её окончание."}
        )
    if locked.closed_at is not None:
        raise ValidationError("Волна закрыта.")
    others = {w.kind: w for w in Wave.objects.filter(program=program).exclude(pk=locked.pk)}
    order = WAVE_ORDER[locked.kind]
    for kind, other in others.items():
        if (WAVE_ORDER[kind] < order and other.opens_on > opens_on) or (WAVE_ORDER[kind] > order and other.opens_on < opens_on):  # fmt: skip
            raise ValidationError({"opens_on": f"Порядок волн: «{other.get_kind_display()}» — {other.opens_on:%d.%m.%Y}."})  # fmt: skip
    locked.opens_on, locked.closes_on, locked.automatic = opens_on, closes_on, False
    locked.save(update_fields=["opens_on", "closes_on", "automatic"])
    _log(Pair.objects.get(pk=program.pair_id), user, f"Мониторинг: {locked} (сроки изменены)")
    if locked.opened_at is None and opens_on <= _today(now):
        wave_open(wave=locked, now=now)
    return locked


def _profile_code(form_code: str, categories: Sequence[str]) -> str:
    """The entry/exit profile of a form of mentoring; of a school's own form, by who its
    mentees are."""
    code = catalogue.profile_code(form_code)
    if code:
        return code
    return (
        "profile_pupil" if any(c in LEARNER_CATEGORIES for c in categories) else "profile_teacher"
    )


@dataclass(frozen=True)
class Members:
    """Who is in a pair, as a wave's composition needs it: the form's code, the mentor (None if
    anonymised) and the mentees still there with their categories."""

    form_code: str
    mentor_id: int | None
    mentees: list[tuple[int, str]]


def pair_members(pair_ids: Sequence[int]) -> dict[int, Members]:
    """Members of these pairs in two plain queries (a sweep opens a school's waves at once)."""
    mentees: dict[int, list[tuple[int, str]]] = {pk: [] for pk in pair_ids}
    through = Pair.mentees.through.objects.filter(pair_id__in=pair_ids, participant__anonymised_at__isnull=True)  # fmt: skip
    for pair_id, pk, category in through.order_by("participant_id").values_list(
        "pair_id", "participant_id", "participant__category"
    ):
        mentees[pair_id].append((pk, category))
    return {
        pk: Members(form_code, mentor_id if gone is None else None, mentees[pk])
        for pk, form_code, mentor_id, gone in Pair.objects.filter(pk__in=pair_ids)
        .values_list("pk", "form__code", "mentor_id", "mentor__anonymised_at")
    }  # fmt: skip


def composition(wave: Wave, members: Members, current: dict[str, Instrument]) -> list[dict[str, Any]]:  # fmt: skip
    """Who answers what in a wave: the profile about each mentee by the mentee and by the
    mentor (entry and final; the mentor's view in the middle), satisfaction of each mentee and
    of the mentor and the curator's questionnaire (intermediate and final). Rows of Response
    by attname, for one INSERT of a whole sweep."""
    mentees = [pk for pk, _ in members.mentees]
    mentor = members.mentor_id
    profile = current[_profile_code(members.form_code, [c for _, c in members.mentees])]
    rows: list[dict[str, Any]] = []

    def add(instrument: Instrument, respondent: str, participant: int | None,
            subject: int | None = None) -> None:  # fmt: skip
        rows.append({"wave_id": wave.pk, "instrument_id": instrument.pk, "respondent": respondent,
                     "participant_id": participant, "subject_id": subject})  # fmt: skip

    for mentee in mentees:
        if wave.kind != WaveKind.INTERMEDIATE:
            add(profile, Respondent.MENTEE, mentee, mentee)
        if mentor is not None:
            add(profile, Respondent.MENTOR, mentor, mentee)
    if wave.kind != WaveKind.ENTRY:
        for mentee in mentees:
            add(current["satisfaction_mentee"], Respondent.MENTEE, mentee)
        if mentor is not None:
            add(current["satisfaction_mentor"], Respondent.MENTOR, mentor)
        add(current["curator"], Respondent.CURATOR, None)
    return rows


@transaction.atomic
def wave_open(*, wave: Wave, now: dt.datetime) -> Wave:
    """Its questionnaires are created with today's instruments (once: the row lock and the
    unique key make a second opening a no-op)."""
    locked = Wave.objects.select_for_update(of=("self",)).select_related("program").get(pk=wave.pk)
    if locked.opened_at is None:
        _open_locked([locked], now)
    return locked


def _open_locked(waves: list[Wave], now: dt.datetime) -> None:
    """Open waves already locked and still closed: every questionnaire in one statement, the
    waves marked and the pairs' histories written in one each (the sweep opens a school's
    whole wave of programs at once)."""
    if not waves:
        return
    current = instruments_current()
    programs = {w.program_id: w.program.pair_id for w in waves}
    members = pair_members(list(set(programs.values())))
    rows: list[dict[str, Any]] = []
    for wave in waves:
        rows += composition(wave, members[programs[wave.program_id]], current)
    insert_rows(Response, rows, on_conflict="ON CONFLICT DO NOTHING")
    Wave.objects.filter(pk__in=[w.pk for w in waves]).update(opened_at=now)
    insert_rows(PairEvent, [
        {"pair_id": programs[w.program_id], "kind": PairEventKind.OTHER, "user_id": None,
         "summary": f"Мониторинг: открыта волна «{w.get_kind_display()}» до {w.closes_on:%d.%m.%Y}"}
        for w in waves
    ])  # fmt: skip
    for wave in waves:
        wave.opened_at = now


def waves_open_due(*, today: dt.date, now: dt.datetime) -> int:
    """The sweep: every planned wave whose first day has come, of pairs at work, opened
    together (a wave another run is opening is skipped, not waited for)."""
    with recomputable_transaction():
        # Lost in a crash, the waves are opened again by the next sweep: nothing has left the
        # system by then (the e-mails go only after a synchronous commit, which flushes this).
        return _open_due(today, now)


def _open_due(today: dt.date, now: dt.datetime) -> int:
    due = list(
        Wave.objects.select_for_update(skip_locked=True, of=("self",)).select_related("program")
        .filter(opened_at__isnull=True, opens_on__lte=today, program__completed_on__isnull=True,
                program__pair__status__in=LIVE_PAIRS)
    )  # fmt: skip
    _open_locked(due, now)
    return len(due)


@transaction.atomic
def wave_close(*, wave: Wave, user: User | None, now: dt.datetime) -> Wave:
    locked = Wave.objects.select_for_update().get(pk=wave.pk)
    if locked.closed_at is not None:
        return locked
    if locked.opened_at is None:
        raise ValidationError("Волна ещё не открыта.")
    locked.closed_at = now
    locked.save(update_fields=["closed_at"])
    answered = locked.responses.filter(answered_at__isnull=False).count()
    total = locked.responses.count()
    _log(Pair.objects.get(pk=locked.program.pair_id), user,
         f"Мониторинг: закрыта волна «{locked.get_kind_display()}», ответили {answered} из {total}")  # fmt: skip
    return locked


# Answers ------------------------------------------------------------------------------------------


def _clean_answers(instrument: Instrument, answers: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:  # fmt: skip
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for item in instrument.items:
        raw = answers.get(item["code"], "")
        raw = raw[0] if isinstance(raw, list) and raw else raw
        text = str(raw or "").strip()
        if has_nul(text):
            errors[item["code"]] = "Ответ содержит недопустимый символ."
            continue
        if item["kind"] == "open":
            if len(text) > OPEN_TEXT_MAX:
                errors[item["code"]] = f"Не длиннее {OPEN_TEXT_MAX} знаков."
            elif text:
                cleaned[item["code"]] = text
            continue
        if not text:
            errors[item["code"]] = "Выберите описание, которое подходит."
            continue
        level = int(text) if len(text) <= 2 and text.isascii() and text.isdigit() else 0
        if not 1 <= level <= len(item["scale"]):
            errors[item["code"]] = "Выберите одно из описаний."
            continue
        cleaned[item["code"]] = level
    return cleaned, errors


@transaction.atomic
def response_submit(*, response: Response, answers: dict[str, Any], user: User | None,
                    now: dt.datetime) -> Response:  # fmt: skip
    """Store the answers (once: a second submission is refused, the first kept)."""
    locked = Response.objects.select_for_update().select_related("wave", "instrument").get(pk=response.pk)  # fmt: skip
    if locked.answered_at is not None:
        raise ValidationError("Анкета уже заполнена. Спасибо!")
    if locked.wave.closed_at is not None:
        raise ValidationError("Волна мониторинга закрыта: ответы больше не принимаются.")
    participant = locked.participant
    if participant is not None and participant.anonymised_at is not None:
        raise ValidationError("Ссылка больше не действует.")
    cleaned, errors = _clean_answers(locked.instrument, answers)
    if errors:
        raise ValidationError(errors)
    locked.answers, locked.answered_at, locked.answered_by = cleaned, now, user
    locked.save(update_fields=["answers", "answered_at", "answered_by"])
    return locked


def response_for_token(token: str) -> Response | None:
    if not token or has_nul(token) or len(token) > 64:
        return None
    return (
        Response.objects.select_related("wave__program__pair", "instrument", "participant", "subject")
        .filter(token=token).first()
    )  # fmt: skip


@transaction.atomic
def nudge(*, wave: Wave, user: User | None, now: dt.datetime) -> dict[str, int]:
    """The coordinator's «Напомнить»: a message now to each respondent with an account who has
    not answered (once a day each, through the outbox: inbox and e-mail); the others are
    counted, their personal links are on the page to hand out."""
    from tenants.monitoring.reminders import nudge_drafts
    from tenants.notifications.delivery import outbox_write

    locked = Wave.objects.select_for_update().get(pk=wave.pk)
    if locked.opened_at is None or locked.closed_at is not None:
        raise ValidationError("Напомнить можно только в открытой волне.")
    today = _today(now)
    waiting = list(
        locked.responses.filter(answered_at__isnull=True).exclude(respondent=Respondent.CURATOR)
        .exclude(nudged_on=today).select_related("participant__user", "subject", "instrument")
    )  # fmt: skip
    drafts, reached = nudge_drafts(wave=locked, responses=waiting, now=now)
    written = outbox_write(drafts, deliver_inbox_at=now)
    Response.objects.filter(pk__in=reached).update(nudged_on=today)
    people = {r.participant_id for r in waiting if r.pk in set(reached)}
    others = {r.participant_id for r in waiting if r.pk not in set(reached)}
    if reached:
        _log(Pair.objects.get(pk=locked.program.pair_id), user,
             f"Мониторинг: напоминание о волне «{locked.get_kind_display()}» — {len(people)}")  # fmt: skip
    return {"reached": len(people), "without_account": len(others), "written": written}


# Outcomes -----------------------------------------------------------------------------------------


def outcome_value(indicator: dict[str, Any], raw: str) -> tuple[Decimal | None, str, str]:
    """(number, choice, problem) of a typed or imported value; empty: (None, "", "")."""
    text = str(raw or "").strip().replace("\xa0", "").replace(" ", "")
    if not text:
        return None, "", ""
    if indicator["kind"] == "choice":
        for choice in indicator["choices"]:
            if choice.lower() == str(raw).strip().lower():
                return None, choice, ""
        return None, "", f"одно из: {', '.join(indicator['choices'])}"
    text = text.rstrip("%").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, "", "нужно число"
    if not number.is_finite():
        return None, "", "нужно число"
    if indicator["kind"] == "integer" and number != number.to_integral_value():
        return None, "", "нужно целое число"
    if not indicator["min"] <= number <= indicator["max"]:
        return None, "", f"от {indicator['min']} до {indicator['max']}"
    return number.quantize(Decimal("0.01")), "", ""


def outcomes_for(mentee: Participant) -> list[dict[str, Any]]:
    """The indicators that apply to a mentee: a learner's or a teacher's."""
    kind = "pupil" if mentee.category in LEARNER_CATEGORIES else "teacher"
    return [o for o in catalogue.OUTCOMES if o["for"] == kind]


@transaction.atomic
def outcomes_save(*, program: Program, mentee: Participant, stage: str, values: dict[str, str],
                  today: dt.date, user: User | None, imported: bool = False) -> int:  # fmt: skip
    """Typed or imported values of one mentee at one stage; an empty value removes it. Every
    problem is named by its indicator and nothing is written while there is one."""
    if stage not in Outcome.Stage.values:
        raise ValidationError({"stage": "Этап: на входе или на выходе."})
    if not program.pair.mentees.filter(pk=mentee.pk).exists():
        raise ValidationError("Это не наставляемый этой программы.")
    errors: dict[str, str] = {}
    parsed: dict[str, tuple[Decimal | None, str]] = {}
    for indicator in outcomes_for(mentee):
        if indicator["code"] not in values:
            continue
        raw = values[indicator["code"]]
        if has_nul(str(raw)):
            errors[indicator["code"]] = f"{indicator['title']}: недопустимый символ."
            continue
        number, choice, problem = outcome_value(indicator, raw)
        if problem:
            errors[indicator["code"]] = f"{indicator['title']}: {problem}."
        else:
            parsed[indicator["code"]] = (number, choice)
    if errors:
        raise ValidationError(errors)
    changed = 0
    for code, (number, choice) in parsed.items():
        found = Outcome.objects.filter(program=program, mentee=mentee, indicator=code, stage=stage)
        if number is None and not choice:
            changed += found.delete()[0]
            continue
        Outcome.objects.update_or_create(
            program=program, mentee=mentee, indicator=code, stage=stage,
            defaults={"value": number, "text": choice, "recorded_on": today, "imported": imported},
        )  # fmt: skip
        changed += 1
    if changed and user is not None:
        _log(program.pair, user, f"Образовательные результаты ({Outcome.Stage(stage).label}): {mentee.short_name}")  # fmt: skip
    return changed


def final_wave_for_completion(program: Program) -> Wave:
    """The program's final wave, opened: completion compares «вход» and «выход» and its report
    says how many answered. Not opened yet: the coordinator opens it first («Открыть сейчас»)."""
    waves = {w.kind: w for w in waves_plan(program=program)}
    final = waves[WaveKind.FINAL]
    if final.opened_at is None:
        raise ValidationError(
            f"Сначала проведите итоговый мониторинг («выход»): по плану он с {final.opens_on:%d.%m.%Y}. "
            "Его можно открыть сейчас на странице мониторинга программы."
        )
    return final


@transaction.atomic
def wave_open_now(*, wave: Wave, user: User | None, today: dt.date, now: dt.datetime) -> Wave:
    """«Открыть сейчас»: the wave starts today (the program ends early, or the school is ready)."""
    locked = Wave.objects.select_for_update().select_related("program__pair").get(pk=wave.pk)
    if locked.opened_at is not None:
        return locked
    if locked.program.pair.status not in LIVE_PAIRS:
        raise ValidationError("Пара не работает: волну не открыть.")
    if today < locked.program.starts_on:
        raise ValidationError(f"Программа начнётся {locked.program.starts_on:%d.%m.%Y}.")
    locked.opens_on, locked.automatic = today, False
    locked.closes_on = max(locked.closes_on, today)
    locked.save(update_fields=["opens_on", "closes_on", "automatic"])
    opened = wave_open(wave=locked, now=now)
    # Opened by a person, it is announced at once (the planner would wait for the morning).
    from tenants.monitoring.reminders import nudge_drafts
    from tenants.notifications.delivery import outbox_write

    waiting = list(opened.responses.filter(participant__user__isnull=False)
                   .select_related("participant__user", "subject", "instrument"))  # fmt: skip
    drafts, _reached = nudge_drafts(wave=opened, responses=waiting, now=now, opening=True)
    outbox_write(drafts, deliver_inbox_at=now)
    return opened


@transaction.atomic
def waves_stop(*, pair: Pair, user: User | None) -> None:
    """A pair that ends early: its open waves close (no more answers or reminders), the ones
    never opened go."""
    now = timezone.now()
    for wave in Wave.objects.filter(
        program__pair=pair, opened_at__isnull=False, closed_at__isnull=True
    ):
        wave_close(wave=wave, user=user, now=now)
    Wave.objects.filter(program__pair=pair, opened_at__isnull=True).delete()


def responses_anonymise(*, participant: Participant) -> None:
    """Withdrawn consent: the person's unanswered questionnaires (theirs and about them) go;
    answered ones keep their levels for the counts, never their words."""
    from django.db.models import Q

    mine = Response.objects.filter(Q(participant=participant) | Q(subject=participant))
    mine.filter(answered_at__isnull=True).delete()
    for response in mine.select_related("instrument"):
        open_codes = {i["code"] for i in response.instrument.items if i["kind"] == "open"}
        if any(code in response.answers for code in open_codes):
            response.answers = {k: v for k, v in response.answers.items() if k not in open_codes}
            response.save(update_fields=["answers"])
