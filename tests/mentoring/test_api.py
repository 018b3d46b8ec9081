"""The pairs API and the pages follow the same rules: who sees a pair, who keeps its program,
who can have attended a meeting; and bad input is a Russian 400 (API) or a default (page)."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from accounts.models import Membership, Role, User
from tenants.mentoring.models import Meeting
from tests.api.world import ApiWorld, build
from tests.conftest import PASSWORD, host_client

HOST = "alpha.localhost"


@pytest.fixture
def school(world) -> ApiWorld:  # type: ignore[no-untyped-def]
    return build(world)


@pytest.fixture
def other_mentor(world) -> User:  # type: ignore[no-untyped-def]
    """A mentor of the same school who is not in the pair."""
    user = User.objects.create_user(username="vera", password=PASSWORD, last_name="Верина")
    Membership.objects.create(user=user, role=Role.MENTOR, organization=world.alpha)
    return user


def _meeting(kind: str, held_on: str, attendees: list[int]) -> dict[str, object]:
    return {"kind": kind, "held_on": held_on, "format": "online", "attendees": attendees}


def test_a_pair_is_seen_by_its_members_and_managers_on_the_page_and_the_api(school, other_mentor):
    pair = school.pair.pk
    for user in (school.world.alice, school.world.bob, school.mentee_user):
        client = host_client(HOST, user)
        assert client.get(f"/pairs/{pair}/").status_code == 200
        assert client.get(f"/api/v1/pairs/{pair}/").status_code == 200
        assert [p["id"] for p in client.get("/api/v1/pairs/").json()["results"]] == [pair]
    stranger = host_client(HOST, other_mentor)
    assert stranger.get(f"/pairs/{pair}/").status_code == 404
    assert stranger.get(f"/api/v1/pairs/{pair}/").status_code == 404
    assert stranger.get("/api/v1/pairs/").json()["results"] == []


def test_the_mentor_and_the_mentee_log_meetings_on_the_page_and_through_the_api(school):
    today = school.world.alpha.local_today().isoformat()
    pair, mentor, mentee = school.pair.pk, school.mentor.pk, school.mentee.pk
    bob = host_client(HOST, school.world.bob)
    page = bob.post(
        f"/pairs/{pair}/program/",
        {"action": "meeting", **_meeting("organizational", today, [mentor])},
    )
    assert page.status_code == 302
    api = bob.post(f"/api/v1/pairs/{pair}/meetings/", _meeting("trial", today, [mentor, mentee]),
                   content_type="application/json")  # fmt: skip
    assert api.status_code == 201, api.content
    misha = host_client(HOST, school.mentee_user)
    by_mentee = misha.post(f"/api/v1/pairs/{pair}/meetings/", _meeting("planning", today, [mentee]),
                           content_type="application/json")  # fmt: skip
    assert by_mentee.status_code == 201, by_mentee.content
    listed = misha.get(f"/api/v1/pairs/{pair}/meetings/").json()
    assert sorted(m["kind"] for m in listed) == ["organizational", "planning", "trial"]
    with tenant_context(school.world.alpha):
        assert Meeting.objects.count() == 3


def test_who_cannot_keep_the_program_is_refused_on_the_page_and_the_api(school, other_mentor):
    today = school.world.alpha.local_today().isoformat()
    pair = school.pair.pk
    vera = host_client(HOST, other_mentor)
    body = _meeting("organizational", today, [])
    assert vera.post(f"/pairs/{pair}/program/", {"action": "meeting", **body}).status_code == 404
    refused = vera.post(f"/api/v1/pairs/{pair}/meetings/", body, content_type="application/json")
    assert refused.status_code == 404
    # and a mentor may keep the program, not run the pair's lifecycle
    bob = host_client(HOST, school.world.bob)
    transition = bob.post(f"/api/v1/pairs/{pair}/transition/", {"to": "terminated", "reason": "x"},
                          content_type="application/json")  # fmt: skip
    assert transition.status_code == 403
    assert "куратор" in transition.json()["detail"]


def test_only_the_pairs_own_members_can_have_attended_a_meeting(school):
    today = school.world.alpha.local_today().isoformat()
    pair, stranger = school.pair.pk, school.stranger.pk
    alice = host_client(HOST, school.world.alice)
    api = alice.post(f"/api/v1/pairs/{pair}/meetings/", _meeting("organizational", today, [stranger]),
                     content_type="application/json")  # fmt: skip
    assert api.status_code == 400
    [message] = api.json()["attendees"]
    assert str(stranger) in message and "не существует" in message
    page = alice.post(f"/pairs/{pair}/program/",
                      {"action": "meeting", **_meeting("organizational", today, [stranger])})  # fmt: skip
    assert page.status_code == 200  # the form again, with the error
    assert "Выберите корректный вариант" in page.content.decode()
    with tenant_context(school.world.alpha):
        assert not Meeting.objects.exists()


@pytest.mark.parametrize("mentee", ["²", "null", "-1", "1.5", "99999999999999999999"])
def test_a_bad_mentee_is_a_russian_400_on_the_api_and_ignored_on_the_match_page(school, mentee):
    alice = host_client(HOST, school.world.alice)
    refused = alice.get("/api/v1/suggestions/", {"mentee": mentee})
    assert refused.status_code == 400
    [message] = refused.json()["mentee"]
    assert message.startswith("Параметр «mentee»: ")
    page = alice.get("/pairs/match/", {"mentee": mentee})
    assert page.status_code == 200


def test_suggestions_for_a_missing_mentee_are_a_russian_404(school):
    alice = host_client(HOST, school.world.alice)
    assert alice.get("/api/v1/suggestions/").json() == {
        "mentee": ["Параметр «mentee»: обязательный параметр."]
    }
    missing = alice.get("/api/v1/suggestions/", {"mentee": 999999})
    assert missing.status_code == 404 and missing.json() == {"detail": "Не найдено."}
    ranked = alice.get("/api/v1/suggestions/", {"mentee": school.stranger.pk})
    assert ranked.status_code == 200 and ranked.json()[0]["name"] == "Борисов Борис Игоревич"


def test_nul_in_a_form_code_is_a_400_not_a_database_error(school):
    alice = host_client(HOST, school.world.alice)
    created = alice.post("/api/v1/pairs/", {"mentor": school.mentor.pk, "mentees": [school.stranger.pk],
                                            "form": "teacher\x00pupil", "kind": "traditional",
                                            "starts_on": school.world.alpha.local_today().isoformat()},
                         content_type="application/json")  # fmt: skip
    assert created.status_code == 400 and "form" in created.json()
    assert alice.get("/pairs/", {"form": "a\x00b"}).status_code == 200
    assert alice.get("/pairs/match/", {"q": "a\x00b"}).status_code == 200
    assert alice.get("/api/v1/pairs/", {"status": "lost"}).status_code == 400


def test_custom_actions_have_no_format_suffix_routes(school):
    alice = host_client(HOST, school.world.alice)
    for path in (f"/api/v1/pairs/{school.pair.pk}/meetings.json", "/api/v1/pairs.json"):
        response = alice.get(path)
        assert response.status_code == 404 and response.json() == {"detail": "Не найдено."}
    assert alice.get(f"/api/v1/pairs/{school.pair.pk}/meetings/?format=json").status_code == 200
