"""The monitoring API and the dashboard pages read the same filters: a bad one is a Russian
400 on the API, the default on a page; withheld counts are null as the schema says."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from regional_dashboard import rollups
from regional_dashboard.publication import publish_due
from tests.api.world import build
from tests.conftest import host_client


@pytest.fixture
def rolled(world):  # type: ignore[no-untyped-def]
    for organization in (world.alpha, world.beta):
        with tenant_context(organization):
            rollups.rollup_refresh(organization=organization, now=timezone.now())
    publish_due(now=timezone.now())
    return world


@pytest.mark.parametrize(
    ("name", "value"),
    [("municipality", "²"), ("municipality", "99999999999999999999"), ("year", "²"),
     ("year", "99999999999999999"), ("kind", "zoo"), ("kind", "\x00")],
)  # fmt: skip
def test_a_bad_filter_is_a_russian_400_on_the_api_and_the_default_on_the_pages(rolled, name, value):  # type: ignore[no-untyped-def]
    client = host_client("localhost", rolled.olga)
    for path in ("/api/v1/monitoring/summary/", "/api/v1/monitoring/organizations/"):
        refused = client.get(path, {name: value})
        assert refused.status_code == 400
        [message] = refused.json()[name]
        assert message.startswith(f"Параметр «{name}»: ")
    assert client.get("/dashboard/", {name: value}).status_code == 200
    assert client.get("/dashboard/report.csv", {name: value}).status_code == 200
    assert client.get("/", {name: value}).status_code == 200


def test_a_municipality_outside_the_scope_is_a_russian_403_and_an_unknown_one_a_404(rolled):
    maria = host_client("localhost", rolled.maria)
    outside = maria.get("/api/v1/monitoring/summary/", {"municipality": rolled.south.pk})
    assert outside.status_code == 403 and "вне вашей зоны" in outside.json()["detail"]
    unknown = maria.get("/api/v1/monitoring/summary/", {"municipality": 999999})
    assert unknown.status_code == 404 and unknown.json() == {"detail": "Не найдено."}


def test_withheld_people_counts_are_null_in_the_api(world):
    school = build(world)  # one mentor, two mentees, one pair: all under 5
    maria = host_client("localhost", school.world.maria)
    summary = maria.get("/api/v1/monitoring/summary/").json()
    assert summary["totals"]["mentors"] is None and summary["totals"]["pairs_total"] is None
    assert isinstance(summary["totals"]["items_total"], int)
    [row] = maria.get("/api/v1/monitoring/organizations/").json()["results"]
    assert row["organization"] == "МБОУ «Школа Альфа»"
    assert row["mentees"] is None and row["mentors"] is None
