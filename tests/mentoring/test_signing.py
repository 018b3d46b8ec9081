"""«На подпись»: the coordinator prepares a приказ, the director (or a named deputy) signs it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import tenant_context

from accounts.models import Membership, Role, User
from tenants.mentoring.models import Form, Kind, Order, Pair, PairStatus
from tenants.mentoring.services import order_discard, order_draft, order_sign, pair_create
from tenants.notifications.models import InboxMessage
from tests.conftest import host_client
from tests.mentoring.conftest import TODAY, YEAR, person, pupil


def _pair(starts_on: dt.date = dt.date(2025, 10, 1)) -> Pair:
    return pair_create(mentor=person(), mentees=[pupil()], form=Form.objects.get(code="teacher_pupil"),
                       kind=Kind.TRADITIONAL, academic_year=YEAR, starts_on=starts_on, ends_on=None,
                       user=None, today=TODAY)  # fmt: skip


def _director(world, username="dir.alpha", role=Role.DIRECTOR):  # type: ignore[no-untyped-def]
    director = User.objects.create_user(username, last_name="Директорова", first_name="Дарья",
                                        patronymic="Денисовна")  # fmt: skip
    Membership.objects.create(user=director, role=role, organization=world.alpha)
    return director


def test_a_draft_tells_the_director_and_names_the_curator_and_director(in_alpha):
    director = _director(in_alpha)
    order = order_draft(pairs=[_pair()], user=in_alpha.alice, curator_name="", director_name="")
    assert order.director_name == "Директорова Дарья Денисовна"
    assert order.curator_name == "Алексеева Алиса Петровна"
    [message] = InboxMessage.objects.filter(user=director)
    assert message.title == "Проект приказа ждёт подписи" and message.url == "/signing/"
    assert "1 пара" in message.body and "Подготовил(а): Алексеева Алиса Петровна." in message.body
    assert not InboxMessage.objects.filter(user=in_alpha.alice).exists()


def test_a_second_draft_does_not_empty_the_first(in_alpha):
    pair, other = _pair(), _pair()
    first = order_draft(pairs=[pair], user=None, curator_name="", director_name="")
    with pytest.raises(ValidationError, match="уже в проекте приказа от"):
        order_draft(pairs=[pair, other], user=None, curator_name="", director_name="")
    assert list(first.pairs.all()) == [pair]
    assert order_discard(order=first, user=None) == 1
    pair.refresh_from_db()
    assert pair.order is None and pair.status == PairStatus.PROPOSED
    order_draft(pairs=[pair, other], user=None, curator_name="", director_name="")


def test_an_empty_draft_cannot_be_signed_and_an_early_start_is_warned_about(in_alpha):
    empty = Order.objects.create()
    with pytest.raises(ValidationError, match="нет ни одной пары"):
        order_sign(order=empty, number="1", signed_on=TODAY, user=None, today=TODAY)
    order = order_draft(pairs=[_pair(starts_on=dt.date(2025, 9, 15))], user=None, curator_name="",
                        director_name="")  # fmt: skip
    warnings = order_sign(order=order, number="2", signed_on=TODAY, user=None, today=TODAY)
    assert len(warnings) == 1
    assert "начинает работу 15.09.2025, раньше даты приказа (01.10.2025)" in warnings[0]


def test_the_director_signs_from_the_signing_page_the_coordinator_cannot(world):
    director = _director(world)
    deputy = _director(world, "zam.alpha", Role.DEPUTY)
    with tenant_context(world.alpha):
        order = order_draft(pairs=[_pair()], user=world.alice, curator_name="", director_name="")
        second = order_draft(pairs=[_pair()], user=world.alice, curator_name="", director_name="")
    coordinator = host_client("alpha.localhost", world.alice)
    page = coordinator.get("/signing/").content.decode()
    assert "Номер и дату внесёт руководитель после подписи." in page
    assert coordinator.post(f"/pairs/orders/{order.pk}/sign/", {"number": "5-о",
                            "signed_on": world.alpha.local_today().isoformat()}).status_code == 403  # fmt: skip
    signer = host_client("alpha.localhost", director)
    page = signer.get("/signing/").content.decode()
    assert "Проекты приказов (2)" in page and "Подписан: внести номер и утвердить пары" in page
    assert "На подпись" in signer.get("/").content.decode()  # in the director's menu
    today = world.alpha.local_today().isoformat()
    done = signer.post(f"/pairs/orders/{order.pk}/sign/",
                       {"number": "5-о", "signed_on": today, "back": "signing"})  # fmt: skip
    assert done["Location"] == "/signing/"
    host_client("alpha.localhost", deputy).post(f"/pairs/orders/{second.pk}/sign/",
                                                {"number": "6-о", "signed_on": today})  # fmt: skip
    with tenant_context(world.alpha):
        assert set(Pair.objects.values_list("status", flat=True)) == {PairStatus.APPROVED}
    assert "Проектов приказов нет." in signer.get("/signing/").content.decode()


def test_only_the_director_names_a_deputy(world):
    coordinator = host_client("alpha.localhost", world.alice)
    page = coordinator.get("/people/").content.decode()
    assert 'value="deputy"' not in page
    coordinator.post(f"/people/{world.bob.pk}/roles/", {"roles": ["mentor", "deputy"]})
    assert not Membership.objects.filter(user=world.bob, role=Role.DEPUTY).exists()
    director = host_client("alpha.localhost", _director(world))
    director.post(f"/people/{world.bob.pk}/roles/", {"roles": ["mentor", "deputy"]})
    assert Membership.objects.filter(user=world.bob, role=Role.DEPUTY).exists()
