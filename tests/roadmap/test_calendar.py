"""Personal ICS feeds: what the owner's roles show at the moment of the fetch, only while the
owner is a member, replaceable, and with titles and dates but no notes or names."""

from __future__ import annotations

import datetime as dt

from django_tenants.utils import tenant_context
from icalendar import Calendar

from accounts.models import Membership, Role
from tenants.roadmap.models import CalendarFeed, RoadmapItem
from tenants.roadmap.selectors import current_academic_year
from tests.conftest import host_client


def _token(world, user) -> str:  # type: ignore[no-untyped-def]
    host_client("alpha.localhost", user).get("/roadmap/calendar/")
    with tenant_context(world.alpha):
        return CalendarFeed.objects.get(user=user).token


def _summaries(token: str) -> list[str]:
    response = host_client("alpha.localhost").get(f"/calendar/{token}.ics")
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/calendar")
    return [str(e["SUMMARY"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]


def test_a_coordinators_feed_covers_the_organisation_and_a_mentors_only_their_own(world):
    with tenant_context(world.alpha):
        items = RoadmapItem.objects.filter(
            roadmap__academic_year=current_academic_year(world.alpha), is_stage=False
        )
        total = items.exclude(due_on=None).count()
        mine = items.filter(responsible_users=world.alice).exclude(due_on=None).count()
        bobs = {
            f"Срок: {item.short_title}"
            for item in items.filter(responsible_users=world.bob).exclude(due_on=None)
        }
    coordinator = _summaries(_token(world, world.alice))
    assert "Срок: Формирование базы наставляемых" in coordinator
    assert mine < total <= len(coordinator)  # «Директор» items are not hers, yet in her feed
    mentor = _summaries(_token(world, world.bob))
    assert mentor and set(mentor) <= bobs  # «наставник» items only
    assert "Срок: Формирование базы наставляемых" not in mentor


def test_the_page_offers_one_personal_feed_and_no_organisation_wide_one(world):
    page = host_client("alpha.localhost", world.alice).get("/roadmap/calendar/").content.decode()
    assert "Мой календарь" in page and "Все пункты дорожной карты организации" in page
    assert "Вся дорожная карта организации" not in page
    mentor = host_client("alpha.localhost", world.bob).get("/roadmap/calendar/").content.decode()
    assert "Пункты, где вы указаны ответственным" in mentor
    with tenant_context(world.alpha):
        assert not CalendarFeed.objects.filter(user__isnull=True).exists()


def test_the_feed_stops_the_moment_the_membership_ends_and_does_not_come_back(world):
    token = _token(world, world.bob)
    anonymous = host_client("alpha.localhost")
    assert anonymous.get(f"/calendar/{token}.ics").status_code == 200
    Membership.objects.filter(user=world.bob, organization=world.alpha).delete()
    assert anonymous.get(f"/calendar/{token}.ics").status_code == 404
    Membership.objects.create(user=world.bob, role=Role.MENTOR, organization=world.alpha)
    assert anonymous.get(f"/calendar/{token}.ics").status_code == 404  # a new address instead
    assert _token(world, world.bob) != token


def test_the_feed_checks_the_role_on_each_fetch_without_a_signal(world):
    token = _token(world, world.bob)
    # A change that no receiver sees (a bulk update in the registry): the fetch still checks.
    Membership.objects.filter(user=world.bob, organization=world.alpha).update(
        organization=world.beta
    )
    assert host_client("alpha.localhost").get(f"/calendar/{token}.ics").status_code == 404


def test_a_switched_off_account_has_no_feed(world):
    token = _token(world, world.alice)
    world.alice.is_active = False
    world.alice.save()
    assert host_client("alpha.localhost").get(f"/calendar/{token}.ics").status_code == 404


def test_a_member_replaces_the_address_and_the_old_one_stops(world):
    client = host_client("alpha.localhost", world.bob)
    old = _token(world, world.bob)
    assert client.post("/roadmap/calendar/reset/").status_code == 302
    anonymous = host_client("alpha.localhost")
    assert anonymous.get(f"/calendar/{old}.ics").status_code == 404
    assert anonymous.get(f"/calendar/{_token(world, world.bob)}.ics").status_code == 200


def test_a_feed_is_only_valid_on_its_own_organisations_host(world):
    token = _token(world, world.alice)
    assert host_client("beta.localhost").get(f"/calendar/{token}.ics").status_code == 404
    assert host_client("alpha.localhost").get("/calendar/not-a-token.ics").status_code == 404


def test_feeds_carry_titles_and_dates_but_no_notes_or_names(world):
    from tenants.mentoring.models import Form
    from tenants.mentoring.services import (
        meeting_log,
        order_draft,
        order_sign,
        pair_create,
        plan_item_add,
        program_save,
    )
    from tests.mentoring.test_pages import _add, _pupil

    mentor = _add(world, last_name="Календарная", competencies=["x"], capacity=1, user=world.bob)
    pupil = _pupil(world, "Секретов", ["x"])
    today = world.alpha.local_today()
    with tenant_context(world.alpha):
        RoadmapItem.objects.filter(title="Формирование базы наставляемых").update(
            responsible_text="Алексеева А. П., Секретова И. И."
        )
        pair = pair_create(mentor=mentor, mentees=[pupil], form=Form.objects.get(code="teacher_pupil"),
                           kind="traditional", starts_on=today, ends_on=None,
                           academic_year=world.alpha.academic_year_of(today), user=None, today=today)  # fmt: skip
        order_sign(order=order_draft(pairs=[pair], user=None, curator_name="", director_name=""),
                   number="1", signed_on=today, user=None, today=today)  # fmt: skip
        program = program_save(pair=pair, goals="Цель", expected_results="", starts_on=today,
                               ends_on=today + dt.timedelta(days=120), user=None)  # fmt: skip
        plan_item_add(program=program, title="Проектная неделя", planned_on=today)
        meeting_log(program=program, kind="organizational", held_on=today, meeting_format="online",
                    notes="Секретов рассказал о трудностях дома", attendees=[], user=None,
                    today=today)  # fmt: skip
    for user in (world.alice, world.bob):
        token = _token(world, user)
        summaries = _summaries(token)
        assert "Встреча наставника: организационная встреча" in summaries
        assert "Наставничество: Проектная неделя" in summaries
        ics = host_client("alpha.localhost").get(f"/calendar/{token}.ics")
        text = ics.content.decode().replace("\r\n ", "")  # unfolded (RFC 5545 folds long lines)
        assert "трудностях" not in text and "Секретов" not in text
        assert "Календарная" not in text and "Наставник:" not in text
