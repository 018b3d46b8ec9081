"""Reading monitoring: who has not answered, the entry-vs-exit comparison of a pair, the
school's results by form, satisfaction indices with response rates. Levels are shown by their
descriptions; the only numbers are shares, indices and counts, never a mark."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from tenants.mentoring.catalogue import form_label
from tenants.mentoring.models import Pair, PairStatus, Program
from tenants.monitoring import catalogue
from tenants.monitoring.models import WAVE_ORDER, Outcome, Respondent, Response, Wave, WaveKind
from tenants.participants.models import Participant


def level_index(level: int, scale: list[str]) -> float:
    """A level as a share of its scale: the first description 0, the last 100."""
    return (level - 1) / (len(scale) - 1) * 100 if len(scale) > 1 else 0.0


def response_index(response: Response, *, core_only: bool = True) -> float | None:
    """Satisfaction of one answered questionnaire, 0–100 over its scale questions (the common
    core's by default: comparable across schools and versions)."""
    values = [
        level_index(int(response.answers[item["code"]]), item["scale"])
        for item in response.instrument.scale_items
        if item["code"] in response.answers and (item.get("core") or not core_only)
    ]
    return sum(values) / len(values) if values else None


def waves_of(program: Program) -> list[Wave]:
    return sorted(
        Wave.objects.filter(program=program).annotate(
            total=Count("responses"),
            answered=Count("responses", filter=Q(responses__answered_at__isnull=False)),
        ),
        key=lambda w: WAVE_ORDER[w.kind],
    )


def who_has_not_answered(wave: Wave) -> list[Response]:
    return list(
        wave.responses.filter(answered_at__isnull=True)
        .select_related("participant__user", "subject", "instrument")
        .order_by("respondent", "participant__last_name", "id")
    )


@dataclass
class ItemRow:
    text: str
    group: str
    scale: list[str]
    entry: int | None = None
    middle: int | None = None
    exit: int | None = None

    @property
    def change(self) -> int | None:
        return None if self.entry is None or self.exit is None else self.exit - self.entry

    @property
    def direction(self) -> str:
        change = self.change
        return "" if change is None else "up" if change > 0 else "down" if change < 0 else "same"

    def label(self, level: int | None) -> str:
        return self.scale[level - 1] if level and 0 < level <= len(self.scale) else "—"

    @property
    def entry_label(self) -> str:
        return self.label(self.entry)

    @property
    def middle_label(self) -> str:
        return self.label(self.middle)

    @property
    def exit_label(self) -> str:
        return self.label(self.exit)


@dataclass
class ProfileView:
    """The characteristics of one mentee as one respondent saw them at the waves."""

    mentee: Participant
    respondent: str
    rows: list[ItemRow] = field(default_factory=list)

    @property
    def title(self) -> str:
        return (
            "самооценка наставляемого"
            if self.respondent == Respondent.MENTEE
            else "взгляд наставника"
        )

    @property
    def counts(self) -> dict[str, int]:
        found: dict[str, int] = defaultdict(int)
        for row in self.rows:
            if row.direction:
                found[row.direction] += 1
        return dict(found)


@dataclass
class OutcomeRow:
    title: str
    entry: str
    exit: str
    direction: str


@dataclass
class PairResults:
    waves: list[Wave]
    profiles: list[ProfileView]
    satisfaction: list[dict[str, Any]]
    outcomes: dict[int, list[OutcomeRow]]
    open_answers: list[tuple[str, str, str]]  # (who, question, answer): the school's alone


def _profile_views(responses: list[Response]) -> list[ProfileView]:
    by_key: dict[tuple[int | None, str], ProfileView] = {}
    slot: dict[str, str] = {
        WaveKind.ENTRY: "entry",
        WaveKind.INTERMEDIATE: "middle",
        WaveKind.FINAL: "exit",
    }
    for response in sorted(responses, key=lambda r: WAVE_ORDER[r.wave.kind]):
        if response.instrument.purpose != catalogue.PROFILE or response.subject is None:
            continue
        view = by_key.setdefault((response.subject_id, response.respondent),
                                 ProfileView(response.subject, response.respondent))  # fmt: skip
        rows = {row.text: row for row in view.rows}
        for item in response.instrument.scale_items:
            row = rows.get(item["text"])
            if row is None:
                row = ItemRow(
                    item["text"], catalogue.GROUPS.get(item.get("group", ""), ""), item["scale"]
                )
                view.rows.append(row)
                rows[item["text"]] = row
            level = response.answers.get(item["code"])
            if level is not None:
                setattr(row, slot[response.wave.kind], int(level))
    return sorted(
        by_key.values(), key=lambda v: (v.mentee.last_name, v.respondent != Respondent.MENTEE)
    )


def outcome_text(indicator: dict[str, Any], outcome: Outcome | None) -> str:
    if outcome is None:
        return "—"
    if indicator["kind"] == "choice":
        return outcome.text
    value = outcome.value if outcome.value is not None else Decimal(0)
    if indicator["kind"] == "integer":
        return str(int(value))
    return f"{value:.2f}".replace(".", ",")


def outcome_direction(
    indicator: dict[str, Any], entry: Outcome | None, exit_: Outcome | None
) -> str:
    if entry is None or exit_ is None:
        return ""
    if indicator["kind"] == "choice":
        a, b = (
            indicator["choices"].index(o.text) if o.text in indicator["choices"] else -1
            for o in (entry, exit_)
        )
        delta = Decimal(b - a)
    else:
        delta = (exit_.value or Decimal(0)) - (entry.value or Decimal(0))
    if indicator["better"] == "down":
        delta = -delta
    return "up" if delta > 0 else "down" if delta < 0 else "same"


def outcome_rows(program: Program, mentees: list[Participant]) -> dict[int, list[OutcomeRow]]:
    from tenants.monitoring.services import outcomes_for

    stored = {
        (o.mentee_id, o.indicator, o.stage): o for o in Outcome.objects.filter(program=program)
    }
    result: dict[int, list[OutcomeRow]] = {}
    for mentee in mentees:
        rows = []
        for indicator in outcomes_for(mentee):
            entry = stored.get((mentee.pk, indicator["code"], Outcome.Stage.ENTRY))
            exit_ = stored.get((mentee.pk, indicator["code"], Outcome.Stage.EXIT))
            if entry is None and exit_ is None:
                continue
            rows.append(OutcomeRow(indicator["title"], outcome_text(indicator, entry),
                                   outcome_text(indicator, exit_), outcome_direction(indicator, entry, exit_)))  # fmt: skip
        result[mentee.pk] = rows
    return result


def pair_results(program: Program) -> PairResults:
    """Everything the pair's monitoring page and the program's report show."""
    pair = program.pair
    waves = waves_of(program)
    responses = list(
        Response.objects.filter(wave__program=program, answered_at__isnull=False)
        .select_related("wave", "instrument", "participant", "subject")
    )  # fmt: skip
    satisfaction = []
    for wave in waves:
        if wave.kind == WaveKind.ENTRY:
            continue
        for respondent in (Respondent.MENTEE, Respondent.MENTOR):
            answered = [r for r in responses if r.wave_id == wave.pk and r.respondent == respondent
                        and r.instrument.purpose == catalogue.SATISFACTION]  # fmt: skip
            indices = [i for i in (response_index(r) for r in answered) if i is not None]
            if indices:
                satisfaction.append({"wave": wave, "respondent": Respondent(respondent).label,
                                     "index": round(sum(indices) / len(indices)), "n": len(indices)})  # fmt: skip
    open_answers = []
    for response in responses:
        who = response.participant.short_name if response.participant else "куратор"
        for item in response.instrument.items:
            if item["kind"] == "open" and response.answers.get(item["code"]):
                open_answers.append((f"{who}, {response.wave.get_kind_display()}", item["text"], str(response.answers[item["code"]])))  # fmt: skip
    mentees = list(pair.mentees.all())
    return PairResults(waves, _profile_views(responses), satisfaction, outcome_rows(program, mentees), open_answers)  # fmt: skip


# The school's results --------------------------------------------------------------------------


def mentee_growth(responses: list[Response]) -> dict[int, float]:
    """Per mentee with a profile at both entry and exit: the mean shift in levels of the
    common core's characteristics, over the respondents who answered both (mentee and mentor)."""
    levels: dict[tuple[int, str], dict[str, dict[str, int]]] = defaultdict(dict)
    for response in responses:
        if response.instrument.purpose != catalogue.PROFILE or response.subject_id is None:
            continue
        if response.wave.kind == WaveKind.INTERMEDIATE:
            continue
        core = {i["code"] for i in response.instrument.scale_items if i.get("core")}
        levels[(response.subject_id, response.respondent)][response.wave.kind] = {
            code: int(v) for code, v in response.answers.items() if code in core
        }
    shifts: dict[int, list[float]] = defaultdict(list)
    for (mentee, _respondent), by_wave in levels.items():
        entry, exit_ = by_wave.get(WaveKind.ENTRY), by_wave.get(WaveKind.FINAL)
        if not entry or not exit_:
            continue
        common = [code for code in entry if code in exit_]
        if common:
            shifts[mentee].append(sum(exit_[c] - entry[c] for c in common) / len(common))
    return {mentee: sum(values) / len(values) for mentee, values in shifts.items()}


def direction_of(shift: float) -> str:
    return "up" if shift > 0.005 else "down" if shift < -0.005 else "same"


DIRECTIONS = {"up": "рост", "same": "без изменений", "down": "снижение"}


@dataclass
class SchoolResults:
    year: int
    response_rates: list[dict[str, Any]]  # per wave kind: invited, answered, share
    satisfaction: list[dict[str, Any]]  # per respondent: n, index
    by_form: list[dict[str, Any]]  # per form: mentees, with entry+exit, up/same/down, mean shift
    outcomes: list[dict[str, Any]]  # per indicator: n, up, same, down
    waves_late: int
    waves_open: int


def school_responses(year: int) -> QuerySet[Response]:
    return Response.objects.filter(wave__program__pair__academic_year=year)


def school_results(year: int, today: dt.date) -> SchoolResults:
    """The school's monitoring of a year: what the results page, the analytic report and the
    rollup read (one pass over the year's answers)."""
    responses = list(
        school_responses(year).filter(wave__opened_at__isnull=False)
        .select_related("wave", "instrument").only(
            "answers", "answered_at", "respondent", "subject_id", "wave__kind", "wave__program_id",
            "instrument__purpose", "instrument__items",
        )
    )  # fmt: skip
    rates = []
    for kind, label in WaveKind.choices:
        invited = [r for r in responses if r.wave.kind == kind]
        answered = sum(1 for r in invited if r.answered_at is not None)
        rates.append({"kind": kind, "title": label, "invited": len(invited), "answered": answered,
                      "share": round(answered / len(invited) * 100) if invited else None})  # fmt: skip
    done = [r for r in responses if r.answered_at is not None]
    satisfaction = []
    for respondent in (Respondent.MENTEE, Respondent.MENTOR):
        indices = [i for r in done if r.respondent == respondent and r.instrument.purpose == catalogue.SATISFACTION
                   for i in [response_index(r)] if i is not None]  # fmt: skip
        satisfaction.append({"respondent": Respondent(respondent).label, "n": len(indices),
                             "index": round(sum(indices) / len(indices)) if indices else None})  # fmt: skip
    growth = mentee_growth(done)
    pairs = list(Pair.objects.filter(academic_year=year).exclude(status=PairStatus.PROPOSED)
                 .select_related("form").prefetch_related("mentees"))  # fmt: skip
    forms: dict[str, dict[str, Any]] = {}
    for pair in pairs:
        title = form_label(pair.form.code) if pair.form.is_standard else pair.form.title
        row = forms.setdefault(title, {"form": title, "mentees": 0, "measured": 0, "up": 0, "same": 0, "down": 0, "shift": 0.0})  # fmt: skip
        for mentee in pair.mentees.all():
            row["mentees"] += 1
            if mentee.pk in growth:
                row["measured"] += 1
                row[direction_of(growth[mentee.pk])] += 1
                row["shift"] += growth[mentee.pk]
    for row in forms.values():
        row["shift"] = round(row["shift"] / row["measured"], 2) if row["measured"] else None
    outcomes = outcome_dynamics(year)
    waves = Wave.objects.filter(
        program__pair__academic_year=year, opened_at__isnull=False, closed_at__isnull=True
    )
    late = waves.filter(closes_on__lt=today, responses__answered_at__isnull=True).distinct().count()
    return SchoolResults(year, rates, satisfaction, sorted(forms.values(), key=lambda r: r["form"]),
                         outcomes, late, waves.filter(closes_on__gte=today).count())  # fmt: skip


def outcome_dynamics(year: int) -> list[dict[str, Any]]:
    """Per indicator: mentees with a value at entry and exit, improved / same / worse."""
    stored = Outcome.objects.filter(program__pair__academic_year=year)
    pairs: dict[tuple[int, int, str], dict[str, Outcome]] = defaultdict(dict)
    for outcome in stored:
        pairs[(outcome.program_id, outcome.mentee_id, outcome.indicator)][outcome.stage] = outcome
    rows: dict[str, dict[str, Any]] = {}
    for (_program, _mentee, code), stages in pairs.items():
        indicator = catalogue.OUTCOME_BY_CODE.get(code)
        if indicator is None or len(stages) < 2:
            continue
        row = rows.setdefault(code, {"code": code, "title": indicator["title"], "n": 0, "up": 0, "same": 0, "down": 0})  # fmt: skip
        row["n"] += 1
        row[
            outcome_direction(indicator, stages[Outcome.Stage.ENTRY], stages[Outcome.Stage.EXIT])
        ] += 1
    order = [o["code"] for o in catalogue.OUTCOMES]
    return sorted(rows.values(), key=lambda r: order.index(r["code"]))


def waves_listing(year: int) -> QuerySet[Wave]:
    """The year's waves with their counts of questionnaires and answers."""
    return (
        Wave.objects.filter(program__pair__academic_year=year)
        .select_related("program__pair__mentor", "program__pair__form")
        .annotate(total=Count("responses"),
                  answered=Count("responses", filter=Q(responses__answered_at__isnull=False)))
        .order_by("closes_on", "id")
    )  # fmt: skip


# The regional rollup ------------------------------------------------------------------------------

GROWTH_LABELS = {"up": "рост", "same": "без изменений", "down": "снижение"}
OUTCOME_LABELS = {"up": "улучшились", "same": "без изменений", "down": "снизились"}


def rollup_figures(year: int, today: dt.date) -> dict[str, Any]:
    """The year's monitoring as anonymous counts for the region (tenants → rollups), all of
    people, never of questionnaires (one person answers several): waves open and late (of
    programs, hence of pairs), respondents asked and those who answered all they were asked,
    respondents with a satisfaction index (each person's mean over their questionnaires) and
    the sum of those, mentees measured at «вход» and «выход» by direction and the sum of their
    shifts (in hundredths of a level), mentees with the headline outcome at both ends by
    direction; and, for the publication's freeze, how many answered questionnaires each sum
    is made of. Only the common core's codes count; no text, no names, no school's own
    questions."""
    waves = list(
        Wave.objects.filter(program__pair__academic_year=year, opened_at__isnull=False)
        .annotate(missing=Count("responses", filter=Q(responses__answered_at__isnull=True)))
        .values("closes_on", "closed_at", "missing")
    )  # fmt: skip
    late = sum(
        1 for w in waves if w["closed_at"] is None and w["closes_on"] < today and w["missing"]
    )
    responses = list(
        school_responses(year).filter(wave__opened_at__isnull=False, participant__isnull=False)
        .select_related("wave", "instrument")
        .only("answers", "answered_at", "respondent", "participant_id", "subject_id", "wave__kind",
              "instrument__purpose", "instrument__items")
    )  # fmt: skip
    asked: dict[int, bool] = {}
    for response in responses:
        pid = response.participant_id
        assert pid is not None
        asked[pid] = asked.get(pid, True) and response.answered_at is not None
    answered = [r for r in responses if r.answered_at is not None]
    per_person: dict[int, list[float]] = defaultdict(list)
    satisfaction_answers = 0
    for response in answered:
        if response.instrument.purpose != catalogue.SATISFACTION:
            continue
        index = response_index(response)
        if index is not None and response.participant_id is not None:
            per_person[response.participant_id].append(index)
            satisfaction_answers += 1
    indices = [sum(v) / len(v) for v in per_person.values()]
    growth = mentee_growth(answered)
    growth_answers = sum(
        1 for r in answered
        if r.instrument.purpose == catalogue.PROFILE and r.wave.kind != WaveKind.INTERMEDIATE and r.subject_id in growth
    )  # fmt: skip
    by_direction = {label: 0 for label in GROWTH_LABELS.values()}
    for shift in growth.values():
        by_direction[GROWTH_LABELS[direction_of(shift)]] += 1
    outcomes = {label: 0 for label in OUTCOME_LABELS.values()}
    headline = set(catalogue.HEADLINE_OUTCOME.values())
    stages: dict[int, dict[str, Outcome]] = {}
    for outcome in Outcome.objects.filter(
        program__pair__academic_year=year, indicator__in=headline
    ).order_by("program_id"):
        found = stages.setdefault(outcome.mentee_id, {})
        if found and next(iter(found.values())).program_id != outcome.program_id:
            found.clear()  # a mentee of two programs: the later one's
        found[outcome.stage] = outcome
    for pair in stages.values():
        if len(pair) == 2:
            indicator = catalogue.OUTCOME_BY_CODE[pair["entry"].indicator]
            outcomes[OUTCOME_LABELS[outcome_direction(indicator, pair["entry"], pair["exit"])]] += 1
    return {
        "waves_total": len(waves),
        "waves_late": late,
        "survey_invited": len(asked),
        "survey_answered": sum(1 for done in asked.values() if done),
        "satisfaction_n": len(indices),
        "satisfaction_points": round(sum(indices)),
        "satisfaction_answers": satisfaction_answers,
        "growth_n": len(growth),
        "growth_points": round(sum(growth.values()) * 100),
        "growth_answers": growth_answers,
        "outcome_n": sum(outcomes.values()),
        "breakdown": {
            "growth_by_direction": {k: v for k, v in by_direction.items() if v},
            "outcomes_by_direction": {k: v for k, v in outcomes.items() if v},
        },
    }
