"""Demo monitoring: the programs' entry waves answered (a few left for «кто не ответил»), the
intermediate and final waves of the big school's programs with satisfaction, «вход» against
«выход» and outcomes from the journal; in school 19 the demo mentee's own pair with its entry
profile, where the e2e journey goes on."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tenants.utils import tenant_context

from organizations.models import Organization
from tenants.mentoring.models import Form, Kind, Pair, PairStatus, Program
from tenants.mentoring.services import (
    meeting_log,
    order_draft,
    order_sign,
    pair_create,
    program_save,
)
from tenants.monitoring.models import Response, Wave, WaveKind
from tenants.monitoring.services import outcomes_save, response_submit, wave_open_now, waves_plan
from tenants.participants.models import Participant

FULL = {"sosh62"}  # programs of every approved pair, with all three waves
OWN_PAIR = {"sosh19": ("ped.sosh19", "mentee.sosh19")}


def _answer(response: Response, level: int, now: dt.datetime) -> None:
    answers = {i["code"]: str(min(level, len(i["scale"]))) for i in response.instrument.items if i["kind"] == "scale"}  # fmt: skip
    response_submit(response=response, answers=answers, user=None, now=now)


def _level(response: Response, n: int, stage: str) -> int:
    """Levels that vary by person and grow from entry to exit for most mentees."""
    base = 1 + (response.pk + n) % 2
    if stage == "entry":
        return base
    if stage == "final":
        return base + 1 + (n % 3 != 0)
    return 3 + (response.pk % 2)  # satisfaction: «скорее» or «полностью удовлетворён»


def demo_monitoring(*, organization: Organization) -> int:
    with tenant_context(organization):
        today = organization.local_today()
        year = organization.academic_year_of(today)
        now = timezone.now()
        if Response.objects.filter(answered_at__isnull=False).exists():
            return 0
        if organization.slug in OWN_PAIR:
            _own_pair(organization, today, year)
        if organization.slug in FULL:
            for pair in Pair.objects.filter(
                academic_year=year, status=PairStatus.APPROVED, program__isnull=True
            ):
                program_save(pair=pair, goals="Повышение образовательных результатов, адаптация",
                             expected_results="Рост мотивации и успеваемости", starts_on=pair.starts_on,
                             ends_on=pair.starts_on + dt.timedelta(days=240), user=None, today=today)  # fmt: skip
        programs = list(
            Program.objects.filter(pair__academic_year=year).select_related("pair").order_by("pk")
        )
        answered = 0
        for n, program in enumerate(programs):
            waves_plan(program=program, today=today)
            own = program.pair.mentor.user_id is not None
            if own:  # the demo people's own pair: they answer themselves (the e2e journey)
                continue
            for response in Response.objects.filter(wave__program=program, wave__kind=WaveKind.ENTRY).select_related("instrument"):  # fmt: skip
                if n % 4 == 3 and response.respondent == "mentor":
                    continue  # a mentor who has not answered yet
                _answer(response, _level(response, n, "entry"), now)
                answered += 1
            if organization.slug not in FULL:
                continue
            waves = {w.kind: w for w in Wave.objects.filter(program=program)}
            kinds = [WaveKind.INTERMEDIATE] + ([WaveKind.FINAL] if n % 3 != 2 else [])
            for kind in kinds:
                wave = wave_open_now(wave=waves[kind], user=None, today=today, now=now)
                for response in wave.responses.select_related("instrument"):
                    if kind == WaveKind.INTERMEDIATE and response.respondent == "curator" and n % 2:
                        continue
                    stage = "final" if kind == WaveKind.FINAL else "entry"
                    level = _level(
                        response,
                        n,
                        "satisfaction" if response.instrument.purpose == "satisfaction" else stage,
                    )
                    _answer(response, level, now)
                    answered += 1
            for mentee in program.pair.mentees.all():
                outcomes_save(program=program, mentee=mentee, stage="entry", values=_outcomes(mentee, n, 0), today=today, user=None)  # fmt: skip
                if WaveKind.FINAL in kinds:
                    outcomes_save(program=program, mentee=mentee, stage="exit", values=_outcomes(mentee, n, 1), today=today, user=None)  # fmt: skip
        return answered


def _outcomes(mentee: Participant, n: int, step: int) -> dict[str, str]:
    from tenants.monitoring.services import outcomes_for

    codes = {o["code"] for o in outcomes_for(mentee)}
    if "avg_grade" in codes:
        grade = 3.4 + (n % 4) * 0.2 + step * (0.3 if n % 5 else -0.1)
        return {
            "avg_grade": f"{grade:.1f}".replace(".", ","),
            "olympiads": str(n % 2 + step),
            "projects": str(step),
        }
    return {
        "courses": str(n % 2 + step),
        "competitions": str(step),
        "category": "первая" if step else "без категории",
    }


def _own_pair(organization: Organization, today: dt.date, year: int) -> None:
    """The demo mentor and mentee users of the school in a pair «учитель – учитель» with its
    program: the entry profile is open (the e2e answers and follows it)."""
    from accounts.models import User

    mentor_name, mentee_name = OWN_PAIR[organization.slug]
    mentor = Participant.objects.filter(
        user=User.objects.get(username=mentor_name), academic_year=year
    ).first()
    mentee = Participant.objects.filter(
        user=User.objects.get(username=mentee_name), academic_year=year
    ).first()
    if (
        mentor is None
        or mentee is None
        or Pair.objects.filter(mentees=mentee, academic_year=year).exists()
    ):
        return
    start = max(dt.date(year, 9, 15), today - dt.timedelta(days=30))
    pair = pair_create(mentor=mentor, mentees=[mentee], form=Form.objects.get(code="teacher_teacher"),
                       kind=Kind.TRADITIONAL, starts_on=min(start, today), ends_on=None, academic_year=year,
                       user=None, today=today)  # fmt: skip
    order_sign(order=order_draft(pairs=[pair], user=None, curator_name="", director_name=""),
               number="12-н", signed_on=min(start, today), user=None, today=today)  # fmt: skip
    program = program_save(pair=pair, goals="Адаптация молодого специалиста, уверенность на уроках",
                           expected_results="Самостоятельно ведёт уроки и работу с родителями",
                           starts_on=min(start, today), ends_on=min(start, today) + dt.timedelta(days=180),
                           user=None, today=today)  # fmt: skip
    meeting_log(program=program, kind="organizational", held_on=min(start, today), meeting_format="in_person",
                notes="Знакомство, план на полугодие", attendees=[mentor, mentee], user=None, today=today)  # fmt: skip
