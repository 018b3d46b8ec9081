"""Monitoring fixtures: a pair of Alpha with its program on a fixed day (waves are planned from
the program's dates, which are relative to it), the mentee and the mentor with accounts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import time_machine
from django_tenants.utils import tenant_context

from accounts.models import Membership, Role, User
from tenants.mentoring.models import Form, Kind, Pair, Program
from tenants.mentoring.services import order_draft, order_sign, pair_create, program_save
from tenants.participants.models import Participant
from tests.mentoring.conftest import person, pupil

DAY = dt.datetime(2025, 10, 1, 9, 0, tzinfo=dt.UTC)  # the mentoring tests' TODAY, 12:00 in Moscow
TODAY = DAY.date()
YEAR = 2025


@pytest.fixture(autouse=True)
def on_day():  # type: ignore[no-untyped-def]
    with time_machine.travel(DAY, tick=True):
        yield


@dataclass
class Monitored:
    pair: Pair
    program: Program
    mentor: Participant
    mentee: Participant
    mentor_user: User
    mentee_user: User


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.timezone(dt.timedelta(hours=3)))


@pytest.fixture
def monitored(world) -> Monitored:  # type: ignore[no-untyped-def]
    """Mentor «Наставникова» and pupil «Ученикова» (both with accounts) in an approved pair of
    the form «учитель – ученик», whose program runs 150 days from TODAY."""
    with tenant_context(world.alpha):
        mentor_user = User.objects.create_user("mon.mentor", last_name="Наставникова", first_name="Нина",
                                               email="mentor@example.org")  # fmt: skip
        mentee_user = User.objects.create_user(
            "mon.mentee", last_name="Ученикова", first_name="Уля"
        )
        Membership.objects.create(user=mentor_user, role=Role.MENTOR, organization=world.alpha)
        Membership.objects.create(user=mentee_user, role=Role.MENTEE, organization=world.alpha)
        mentor = person(last_name="Наставникова", first_name="Нина")
        mentee = pupil(last_name="Ученикова", first_name="Уля", class_group="7А")
        mentor.user, mentee.user = mentor_user, mentee_user
        mentor.save()
        mentee.save()
        pair = pair_create(mentor=mentor, mentees=[mentee], form=Form.objects.get(code="teacher_pupil"),
                           kind=Kind.TRADITIONAL, starts_on=TODAY, ends_on=None, academic_year=YEAR,
                           user=None, today=TODAY)  # fmt: skip
        order_sign(order=order_draft(pairs=[pair], user=None, curator_name="", director_name=""),
                   number="5", signed_on=TODAY, user=None, today=TODAY)  # fmt: skip
        program = program_save(pair=pair, goals="Мотивация к учёбе", expected_results="Рост интереса",
                               starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=150), user=None,
                               today=TODAY)  # fmt: skip
        return Monitored(pair, program, mentor, mentee, mentor_user, mentee_user)
