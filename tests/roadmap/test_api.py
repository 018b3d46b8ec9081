"""The roadmap's lists and the deadline grammar on the API and the page: a bad parameter is a
Russian 400 naming it (API) or left out (page), never a 500."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from tenants.roadmap.models import RoadmapItem
from tests.conftest import host_client

HOST = "alpha.localhost"


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("academic_year", "²", "целое число"),
        ("academic_year", "99999999999999", "меньше либо равно 2100"),
        ("stage", "²", "целое число"),
        ("responsible", "a\x00b", "ноль-байт"),
        ("q", "я" * 201, "не более 200"),
        ("status", "lost", "lost"),
    ],
)
def test_a_bad_filter_is_a_russian_400_naming_it_and_the_page_shows_the_roadmap(
    world, name, value, words
):  # type: ignore[no-untyped-def]
    client = host_client(HOST, world.alice)
    refused = client.get("/api/v1/roadmap-items/", {name: value})
    assert refused.status_code == 400
    [message] = refused.json()[name]
    assert message.startswith(f"Параметр «{name}»: ") and words in message, message
    page = client.get("/roadmap/", {name: value})
    assert page.status_code == 200 and "Дорожная карта" in page.content.decode()


def test_the_page_and_the_api_filter_by_the_same_stage(world):
    with tenant_context(world.alpha):
        child = RoadmapItem.objects.filter(parent__isnull=False).order_by("position").first()
        stage = child.parent if child else RoadmapItem.objects.order_by("position").first()
        assert stage is not None
        expected = set(RoadmapItem.objects.filter(parent=stage).values_list("pk", flat=True)) | {
            stage.pk
        }
    client = host_client(HOST, world.alice)
    listed = client.get("/api/v1/roadmap-items/", {"stage": stage.pk}).json()["results"]
    assert {item["id"] for item in listed} == expected
    page = client.get("/roadmap/", {"stage": stage.pk}).content.decode()
    assert all(f'id="item-{pk}"' in page for pk in expected)


def test_an_items_own_url_does_not_depend_on_the_lists_filters(world):
    client = host_client(HOST, world.alice)
    with tenant_context(world.alpha):
        item = RoadmapItem.objects.filter(is_stage=False).first()
        assert item is not None
    shown = client.get(f"/api/v1/roadmap-items/{item.pk}/", {"academic_year": "²"})
    assert shown.status_code == 200 and shown.json()["id"] == item.pk


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"text": "До 10.09. ежегодно", "academic_year": "²"}, "academic_year"),
        ({"text": "До 10.09. ежегодно", "academic_year": "99999999999"}, "academic_year"),
        ({"text": "До 10.09. ежегодно"}, "academic_year"),
        ({"text": "a\x00b", "academic_year": "2025"}, "text"),
        ({"academic_year": "2025"}, "text"),
    ],
)
def test_the_deadline_grammar_refuses_bad_parameters_in_russian(world, params, name):  # type: ignore[no-untyped-def]
    refused = host_client(HOST, world.alice).get("/api/v1/deadlines/parse/", params)
    assert refused.status_code == 400
    [message] = refused.json()[name]
    assert message.startswith(f"Параметр «{name}»: ")


def test_an_absurd_count_of_months_is_an_unread_deadline_not_an_overflow(world):
    client = host_client(HOST, world.alice)
    parsed = client.get("/api/v1/deadlines/parse/",
                        {"text": "в течение 99999999999 месяцев программы", "academic_year": 2025})  # fmt: skip
    assert parsed.status_code == 200
    assert parsed.json()["readable"] is False and parsed.json()["occurrences"] == []
    created = client.post("/api/v1/roadmap-items/", {"title": "Встречи", "deadline_text": "в течение 99999999999 месяцев"},
                          content_type="application/json")  # fmt: skip
    assert created.status_code == 201 and created.json()["deadline_readable"] is False


def test_custom_actions_have_no_json_suffix_route(world):
    client = host_client(HOST, world.alice)
    with tenant_context(world.alpha):
        item = RoadmapItem.objects.filter(is_stage=False).first()
        assert item is not None
    for path in (f"/api/v1/roadmap-items/{item.pk}/evidence.json", "/api/v1/roadmap-items.json",
                 f"/api/v1/roadmap-items/{item.pk}.json"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Не найдено."}
