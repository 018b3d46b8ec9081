"""Participants fixtures: Alpha's schema and a helper to add people through the service."""

from __future__ import annotations

import datetime as dt

import pytest
from django_tenants.utils import tenant_context

from tenants.participants.models import BankRole, Category
from tenants.participants.services import ParticipantData, participant_create

TODAY = dt.date(2025, 10, 1)
YEAR = 2025


@pytest.fixture
def in_alpha(world):  # type: ignore[no-untyped-def]
    with tenant_context(world.alpha):
        yield world


def make_person(**overrides):  # type: ignore[no-untyped-def]
    values = {
        "last_name": "Сидорова",
        "first_name": "Анна",
        "patronymic": "Игоревна",
        "birth_date": dt.date(2011, 3, 14),
        "category": Category.PUPIL,
        "bank_role": BankRole.MENTEE,
        "class_group": "8 «Б»",
    }
    values.update(overrides)
    return participant_create(
        academic_year=YEAR, data=ParticipantData(**values), user=None, today=TODAY
    )
