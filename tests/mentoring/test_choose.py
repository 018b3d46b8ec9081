"""The mentee's personal link to choose a mentor: 14 days and one choice, then a page that says
so and whom to ask (and shows nobody's names)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tenants.utils import tenant_context

from tenants.mentoring.models import CandidateOffer, Form
from tenants.mentoring.services import offer_candidates, pair_create
from tests.conftest import host_client
from tests.mentoring.test_pages import _add, _pupil


def _offer(world, mentee, mentors) -> CandidateOffer:  # type: ignore[no-untyped-def]
    with tenant_context(world.alpha):
        return offer_candidates(mentee=mentee, mentors=mentors)


def _age(world, offer: CandidateOffer, days: float) -> None:  # type: ignore[no-untyped-def]
    with tenant_context(world.alpha):
        CandidateOffer.objects.filter(pk=offer.pk).update(
            created_at=timezone.now() - dt.timedelta(days=days)
        )


def test_a_used_link_says_the_choice_is_made_and_whom_to_ask(world):
    mentee = _pupil(world, "Выбравшая", ["физика"])
    mentor = _add(world, last_name="Предложенная", competencies=["физика"], capacity=2)
    other = _add(world, last_name="Другая", competencies=["физика"], capacity=2)
    offer = _offer(world, mentee, [mentor, other])
    anonymous = host_client("alpha.localhost")
    chosen = anonymous.post(f"/choose/{offer.token}/", {"mentor": mentor.pk})
    assert chosen.status_code == 200 and "Вы выбрали" in chosen.content.decode()

    again = anonymous.get(f"/choose/{offer.token}/")
    page = again.content.decode()
    assert again.status_code == 410
    assert "Ссылка больше не действует" in page and "наставник уже выбран" in page
    assert "Алексеева Алиса Петровна" in page  # the coordinator to ask
    assert "Предложенная" not in page and "Выбравшая" not in page
    changed = anonymous.post(f"/choose/{offer.token}/", {"mentor": other.pk})
    assert changed.status_code == 410
    with tenant_context(world.alpha):
        assert CandidateOffer.objects.get(pk=offer.pk).chosen_id == mentor.pk


def test_a_link_expires_fourteen_days_after_it_was_made(world):
    mentee = _pupil(world, "Опоздавший", ["химия"])
    mentor = _add(world, last_name="Ждущая", competencies=["химия"], capacity=2)
    offer = _offer(world, mentee, [mentor])
    anonymous = host_client("alpha.localhost")
    _age(world, offer, 13.9)
    assert "Ждущая Анна Ивановна" in anonymous.get(f"/choose/{offer.token}/").content.decode()
    _age(world, offer, 14.1)
    response = anonymous.get(f"/choose/{offer.token}/")
    assert response.status_code == 410
    assert "Срок действия ссылки истёк" in response.content.decode()
    assert anonymous.post(f"/choose/{offer.token}/", {"mentor": mentor.pk}).status_code == 410
    with tenant_context(world.alpha):
        assert CandidateOffer.objects.get(pk=offer.pk).chosen_id is None


def test_a_new_offer_or_a_pair_closes_the_earlier_link(world):
    mentee = _pupil(world, "Передуманная", ["история"])
    first = _add(world, last_name="Первый", competencies=["история"], capacity=2)
    second = _add(world, last_name="Второй", competencies=["история"], capacity=2)
    old = _offer(world, mentee, [first])
    new = _offer(world, mentee, [second])
    anonymous = host_client("alpha.localhost")
    closed = anonymous.get(f"/choose/{old.token}/")
    assert (
        closed.status_code == 410
        and "Подбор наставника по этой ссылке закрыт" in closed.content.decode()
    )
    assert anonymous.get(f"/choose/{new.token}/").status_code == 200

    today = world.alpha.local_today()
    with tenant_context(world.alpha):
        pair_create(mentor=second, mentees=[mentee], form=Form.objects.get(code="teacher_pupil"),
                    kind="traditional", starts_on=today, ends_on=None,
                    academic_year=world.alpha.academic_year_of(today), user=None, today=today)  # fmt: skip
    assert anonymous.get(f"/choose/{new.token}/").status_code == 410


def test_an_unknown_link_is_not_found(world):
    assert host_client("alpha.localhost").get("/choose/no-such-token/").status_code == 404
