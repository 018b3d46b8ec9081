"""The banks' list, card and edit on the API and the pages: bad parameters are a Russian 400
(API) or left out (page); a duplicate person is a Russian refusal, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import tenant_context

from tests.conftest import host_client
from tests.participants.conftest import TODAY, make_person

HOST = "alpha.localhost"


@pytest.mark.parametrize(
    ("name", "value"),
    [("q", "a\x00b"), ("tag", "x\x00"), ("academic_year", "²"), ("bank", "all"),
     ("consent", "maybe"), ("free", "null"), ("category", "alien"), ("q", "я" * 201)],
)  # fmt: skip
def test_a_bad_filter_is_a_russian_400_naming_it_and_the_page_shows_the_bank(world, name, value):  # type: ignore[no-untyped-def]
    client = host_client(HOST, world.alice)
    refused = client.get("/api/v1/participants/", {name: value})
    assert refused.status_code == 400
    [message] = refused.json()[name]
    assert message.startswith(f"Параметр «{name}»: "), message
    page = client.get("/participants/", {name: value})
    assert page.status_code == 200


def test_the_free_places_filter_reads_the_pages_one_and_the_apis_true(world):
    with tenant_context(world.alpha):
        make_person(last_name="Свободная", category="teacher", bank_role="mentor",
                    birth_date=dt.date(1980, 1, 1), class_group="", capacity=2)  # fmt: skip
        make_person(last_name="Занятая", category="teacher", bank_role="mentor",
                    birth_date=dt.date(1981, 1, 1), class_group="", capacity=0)  # fmt: skip
    client = host_client(HOST, world.alice)
    for value in ("1", "true"):
        listed = client.get(
            "/api/v1/participants/", {"bank": "mentors", "free": value, "academic_year": TODAY.year}
        ).json()
        assert [p["last_name"] for p in listed["results"]] == ["Свободная"]
    page = client.get("/participants/", {"bank": "mentors", "free": "1", "year": TODAY.year})
    page = page.content.decode()
    assert "Свободная" in page and "Занятая" not in page


def test_a_put_that_makes_a_duplicate_person_is_a_russian_400_on_the_api_and_the_page(world):
    with tenant_context(world.alpha):
        make_person(last_name="Сидорова")
        other = make_person(last_name="Петрова")
    client = host_client(HOST, world.alice)
    body = client.get(f"/api/v1/participants/{other.pk}/").json()
    body["last_name"] = "Сидорова"
    for key in ("consent_ok", "consent_problems", "id", "academic_year"):
        body.pop(key)
    refused = client.put(f"/api/v1/participants/{other.pk}/", body, content_type="application/json")
    assert refused.status_code == 400, refused.content
    assert refused.json() == {
        "last_name": [f"Сидорова Анна уже есть в базе {TODAY.year}/{TODAY.year + 1}."]
    }
    form = {
        k: v for k, v in body.items() if v not in (None, [], "") and not isinstance(v, list | bool)
    }
    page = client.post(f"/participants/{other.pk}/edit/", form)
    assert page.status_code == 200 and "Сидорова Анна уже есть в базе" in page.content.decode()


def test_the_service_refuses_the_duplicate_before_the_database_does(in_alpha):
    from tenants.participants.services import ParticipantData, participant_update

    make_person(last_name="Сидорова")
    other = make_person(last_name="Петрова")
    current = {f: getattr(other, f) for f in ParticipantData.__dataclass_fields__}
    with pytest.raises(ValidationError, match="уже есть в базе"):
        participant_update(participant=other, data=ParticipantData(**{**current, "last_name": "Сидорова"}),
                           user=None, today=TODAY)  # fmt: skip
    # the person's own unchanged data is no duplicate of itself
    participant_update(participant=other, data=ParticipantData(**current), user=None, today=TODAY)


def test_a_custom_action_with_a_json_suffix_is_a_404_not_a_500(world):
    with tenant_context(world.alpha):
        person = make_person()
    response = host_client(HOST, world.alice).get(
        f"/api/v1/participants/{person.pk}/can-be-paired.json"
    )
    assert response.status_code == 404 and response.json() == {"detail": "Не найдено."}
