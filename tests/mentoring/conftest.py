"""Mentoring fixtures: people with consents in Alpha's schema, created through the services."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django_tenants.utils import tenant_context

from tenants.participants.models import BankRole, Category, ConsentKind, Relation
from tenants.participants.services import ParticipantData, consent_add, participant_create

TODAY = dt.date(2025, 10, 1)
YEAR = 2025
_numbers = itertools.count()


@pytest.fixture
def in_alpha(world):  # type: ignore[no-untyped-def]
    with tenant_context(world.alpha):
        yield world


def person(*, consent: bool = True, **values):  # type: ignore[no-untyped-def]
    n = next(_numbers)
    data = {
        "last_name": f"Фамилия{n}", "first_name": "Анна", "patronymic": "Ивановна",
        "category": Category.TEACHER, "bank_role": BankRole.MENTOR, "birth_date": dt.date(1980, 1, 1),
        "capacity": 1,
    } | values  # fmt: skip
    participant = participant_create(
        academic_year=YEAR, data=ParticipantData(**data), user=None, today=TODAY
    )
    if consent:
        minor = participant.is_minor(TODAY)
        consent_add(
            participant=participant, kind=ConsentKind.PERSONAL_DATA, signed_on=dt.date(2025, 9, 1),
            user=None, today=TODAY,
            representative_name="Родитель Иван Иванович" if minor else "",
            representative_relation=Relation.FATHER if minor else "",
        )  # fmt: skip
    return participant


def pupil(**values):  # type: ignore[no-untyped-def]
    defaults = {"category": Category.PUPIL, "bank_role": BankRole.MENTEE,
                "birth_date": dt.date(2012, 5, 5), "class_group": "7 «А»", "capacity": 0}  # fmt: skip
    return person(**(defaults | values))


def open_final_wave(program):  # type: ignore[no-untyped-def]
    """The program's final wave opened on the program's day (not the calendar's)."""
    from tenants.monitoring.models import WaveKind
    from tenants.monitoring.services import wave_open_now, waves_plan

    final = next(w for w in waves_plan(program=program) if w.kind == WaveKind.FINAL)
    return wave_open_now(wave=final, user=None, today=TODAY,
                         now=dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC))  # fmt: skip
