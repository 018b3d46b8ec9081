"""Routes fixtures: a fixed day (the route's dates and deadlines are relative to it), a teacher
of Alpha with a route, and the clients of the people who look at it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django_tenants.utils import tenant_context

from cnppm.services import assignment_create
from tenants.routes import services
from tenants.routes.models import Recipient, Route

DAY = dt.datetime(2026, 10, 15, 9, 0, tzinfo=dt.UTC)  # 15.10.2026, the 2026/2027 school year
YEAR = 2026


@pytest.fixture(autouse=True)
def on_day():  # type: ignore[no-untyped-def]
    with time_machine.travel(DAY, tick=True):
        yield


def answers_all(instrument: dict, level: int = 3, low: tuple[str, ...] = ()) -> dict:  # type: ignore[type-arg]
    """Every indicator at `level`, the areas in `low` at 1."""
    return {
        area["code"]: {
            "ratings": {i["code"]: (1 if area["code"] in low else level) for i in area["indicators"]},
            "achievements": "Открытые уроки", "difficulties": "", "comment": "",
        }
        for area in instrument["areas"]
    }  # fmt: skip


def form_answers(instrument: dict, level: int = 3, low: tuple[str, ...] = ()) -> dict[str, str]:  # type: ignore[type-arg]
    data: dict[str, str] = {"action": "submit"}
    for area in instrument["areas"]:
        for indicator in area["indicators"]:
            data[f"r-{indicator['code']}"] = str(1 if area["code"] in low else level)
        data[f"a-{area['code']}"] = "Победители муниципальной олимпиады"
    return data


@pytest.fixture
def bob_route(world) -> Route:  # type: ignore[no-untyped-def]
    """Bob (a mentor of Alpha) with a route at the roadmap step, shared with the tutor, and
    tanya assigned to him."""
    with tenant_context(world.alpha):
        route = services.route_start(
            organization=world.alpha, teacher=world.bob, started_on=dt.date(2026, 9, 1), years=5,
            position="учитель математики", subject="математика",
        )  # fmt: skip
        services.route_describe(
            route=route, organization=world.alpha, desired_image="Учитель, у которого учатся коллеги",
            position="учитель математики", subject="математика", years=5,
        )  # fmt: skip
        diagnosis = services.diagnosis_for(
            route=route, organization=world.alpha, kind="self", academic_year=YEAR, author=world.bob
        )
        services.diagnosis_save(
            diagnosis=diagnosis, organization=world.alpha, author=world.bob,
            answers=answers_all(diagnosis.instrument, low=("digital",)), submit=True,
        )  # fmt: skip
        services.deficit_add(
            route=route, organization=world.alpha, area="digital", user=world.bob,
            description="Не умею вести смешанное обучение на платформе «Моя школа»",
        )  # fmt: skip
        services.consent_give(route=route, organization=world.alpha, recipient=Recipient.TUTOR)
        route.refresh_from_db()
    assignment_create(
        region=world.region, tutor=world.tanya, organization=world.alpha, teacher=world.bob,
        by=world.olga,
    )  # fmt: skip
    return route
