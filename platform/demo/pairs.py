"""Demo pairs: in the big schools some mentees already have mentors, approved by a приказ,
with programs and the first meetings; the rest wait to be matched."""

from __future__ import annotations

import datetime as dt

from django_tenants.utils import tenant_context

from organizations.models import Organization
from tenants.mentoring.models import Form, Kind, Pair
from tenants.mentoring.selectors import suggestions, unmatched_mentees
from tenants.mentoring.services import (
    meeting_log,
    order_draft,
    order_sign,
    pair_create,
    plan_item_add,
    program_save,
)
from tenants.participants.models import Participant
from tenants.participants.services import can_be_paired

PAIRS = {"sosh62": 12, "sosh19": 8, "michurinsk": 4}


def demo_pairs(*, organization: Organization) -> int:
    wanted = PAIRS.get(organization.slug, 0)
    if not wanted:
        return 0
    with tenant_context(organization):
        today = organization.local_today()
        year = organization.academic_year_of(today)
        if Pair.objects.filter(academic_year=year).exists():
            return 0
        start = max(dt.date(year, 9, 15), today - dt.timedelta(days=60))
        start = min(start, today)
        forms = {f.code: f for f in Form.objects.all()}
        created: list[Pair] = []
        for mentee in unmatched_mentees(academic_year=year)[:80]:
            if len(created) >= wanted:
                break
            if mentee.user_id is not None:  # the demo mentee's own pair is demo.monitoring's
                continue
            if not can_be_paired(participant=mentee, today=today).ok:
                continue
            ranked = suggestions(mentee=mentee, academic_year=year, today=today, limit=1)
            if not ranked:
                continue
            best = ranked[0]
            mentor = best.mentor
            assert isinstance(mentor, Participant)
            if mentor.user_id is not None:  # the demo mentor's own group stays free
                continue
            created.append(
                pair_create(
                    mentor=mentor,
                    mentees=[mentee],
                    form=forms[best.forms[0]],
                    kind=Kind.TRADITIONAL,
                    starts_on=start,
                    ends_on=None,
                    academic_year=year,
                    user=None,
                    today=today,
                )
            )
        approved = created[: len(created) * 3 // 4]
        if approved:
            order = order_draft(pairs=approved, user=None, curator_name="", director_name="")
            order_sign(
                order=order, number=f"{len(approved)}-н", signed_on=start, user=None, today=today
            )
        for pair in approved[: len(approved) // 2]:
            program = program_save(pair=pair, goals="Повышение образовательных результатов, адаптация",
                                   expected_results="Рост мотивации и успеваемости", starts_on=start,
                                   ends_on=start + dt.timedelta(days=240), user=None, today=today)  # fmt: skip
            plan_item_add(
                program=program,
                title="Входная диагностика",
                planned_on=start + dt.timedelta(days=7),
            )
            plan_item_add(
                program=program,
                title="Промежуточный мониторинг",
                planned_on=start + dt.timedelta(days=100),
            )
            meeting_log(program=program, kind="organizational", held_on=start, meeting_format="in_person",
                        notes="Знакомство, договорились о графике встреч",
                        attendees=[pair.mentor, *pair.mentees.all()], user=None, today=today)  # fmt: skip
        return len(created)
