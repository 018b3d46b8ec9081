"""A mentor's and a mentee's own pages: their pair, the mentor's contacts, what comes next, and
a friendly word instead of «Нет доступа» when there is no pair yet."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from accounts.models import Membership, Role, User
from tenants.mentoring.models import Form, Kind
from tenants.mentoring.services import order_draft, order_sign, pair_create
from tests.conftest import host_client
from tests.mentoring.conftest import person, pupil


def test_a_mentee_without_a_pair_is_told_what_happens_next(world):
    mentee = User.objects.create_user("new.mentee", last_name="Новиков", first_name="Никита")
    Membership.objects.create(user=mentee, role=Role.MENTEE, organization=world.alpha)
    client = host_client("alpha.localhost", mentee)
    for path in ("/pairs/", "/"):
        page = client.get(path)
        assert page.status_code == 200
        assert "Вы ещё не в паре:</strong> куратор сообщит, когда пара будет утверждена." in (
            page.content.decode()
        )
    card = client.get("/participants/")
    assert card.status_code == 200 and "Вашей карточки в базе" in card.content.decode()


def _approved(world, mentee_user):  # type: ignore[no-untyped-def]
    from tests.mentoring.conftest import TODAY, YEAR

    with tenant_context(world.alpha):
        mentor = person(last_name="Кузнецов", first_name="Игорь", patronymic="Андреевич",
                        phone="+7 900 123-45-67", email="kuznetsov@alpha.example.ru",
                        position="учитель физики")  # fmt: skip
        mentee = pupil(last_name="Петров", first_name="Артём")
        mentee.user = mentee_user
        mentee.save()
        pair = pair_create(mentor=mentor, mentees=[mentee], form=Form.objects.get(code="teacher_pupil"),
                           kind=Kind.TRADITIONAL, academic_year=YEAR, starts_on=TODAY, ends_on=None,
                           user=None, today=TODAY)  # fmt: skip
        order_sign(order=order_draft(pairs=[pair], user=None, curator_name="", director_name=""),
                   number="3", signed_on=TODAY, user=None, today=TODAY)  # fmt: skip
    return pair


def test_the_mentee_sees_the_mentors_full_name_and_how_to_reach_them(world):
    user = User.objects.create_user("petrov.mentee", last_name="Петров", first_name="Артём")
    Membership.objects.create(user=user, role=Role.MENTEE, organization=world.alpha)
    pair = _approved(world, user)
    page = host_client("alpha.localhost", user).get("/pairs/").content.decode()
    assert "Ваш наставник: <strong>Кузнецов Игорь Андреевич</strong>, учитель физики." in page
    assert "+7 900 123-45-67" in page and "kuznetsov@alpha.example.ru" in page
    assert f'href="/pairs/{pair.pk}/program/"' in page and "Программы ещё нет" in page
    assert "Утверждена приказом" in page or "утверждена приказом" in page
