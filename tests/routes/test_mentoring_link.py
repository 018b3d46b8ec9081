"""The route feeds the mentoring side once the teacher shares it with the curator: a mentor
whose competencies cover the deficits ranks higher and the explanation says so; a program can
start from chosen deficits."""

from __future__ import annotations

import datetime as dt

from django_tenants.utils import tenant_context

from tenants.mentoring.models import Form, Kind
from tenants.mentoring.selectors import suggestions
from tenants.mentoring.services import pair_create
from tenants.participants.models import BankRole, Category, Participant
from tenants.routes import services
from tenants.routes.models import Recipient
from tests.mentoring.conftest import TODAY, YEAR, person


def _people(world):  # type: ignore[no-untyped-def]
    mentee = person(
        last_name="Борисов",
        first_name="Борис",
        category=Category.TEACHER,
        bank_role=BankRole.MENTEE,
    )
    Participant.objects.filter(pk=mentee.pk).update(user=world.bob)
    mentee.refresh_from_db()
    digital = person(last_name="Цифрова", competencies=["смешанное обучение", "цифровые ресурсы"])
    other = person(last_name="Другова", competencies=["олимпиадная математика"])
    return mentee, digital, other


def test_a_mentor_who_covers_the_route_deficits_ranks_higher_and_says_why(world, bob_route):
    with tenant_context(world.alpha):
        mentee, digital, other = _people(world)
        before = suggestions(mentee=mentee, academic_year=YEAR, today=TODAY)
        assert not any(
            "ИОМ" in r for s in before for r in s.reasons
        )  # not shared with the curator yet
        services.consent_give(
            route=bob_route, organization=world.alpha, recipient=Recipient.CURATOR
        )
        ranked = suggestions(mentee=mentee, academic_year=YEAR, today=TODAY)
        assert ranked[0].mentor.pk == digital.pk
        assert any(
            r.startswith("закрывает дефициты ИОМ: Цифровизация образования")
            for r in ranked[0].reasons
        )
        assert not any(
            "ИОМ" in r for r in next(s for s in ranked if s.mentor.pk == other.pk).reasons
        )


def test_a_program_starts_from_chosen_deficits(world, bob_route, client_for):
    with tenant_context(world.alpha):
        mentee, digital, _ = _people(world)
        services.consent_give(
            route=bob_route, organization=world.alpha, recipient=Recipient.CURATOR
        )
        pair = pair_create(
            mentor=digital, mentees=[mentee], form=Form.objects.get(code="teacher_teacher"),
            kind=Kind.TRADITIONAL, starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=180),
            academic_year=YEAR, user=None, today=TODAY,
        )  # fmt: skip
        deficit = bob_route.deficits.get()
    alice = client_for("alpha.localhost", world.alice)
    page = alice.get(f"/pairs/{pair.pk}/program/").content.decode()
    assert "Дефициты из ИОМ наставляемого" in page and "Не умею вести смешанное обучение" in page
    prefilled = alice.get(f"/pairs/{pair.pk}/program/?deficit={deficit.pk}").content.decode()
    assert "выявленных в индивидуальном образовательном маршруте" in prefilled
    assert "— Цифровизация образования: Не умею вести смешанное обучение" in prefilled


def test_only_managers_see_the_shared_deficits_on_the_program_page_and_it_is_logged(
    world, bob_route, client_for
):
    from accounts.models import Membership, Role, User
    from tenants.routes.models import RouteAccess

    with tenant_context(world.alpha):
        mentee, _, _ = _people(world)
        services.consent_give(
            route=bob_route, organization=world.alpha, recipient=Recipient.CURATOR
        )
        dan = User.objects.create_user(username="dan", last_name="Данилов", first_name="Данила")
        Membership.objects.create(user=dan, role=Role.MENTOR, organization=world.alpha)
        mentor = person(last_name="Данилов", first_name="Данила")
        Participant.objects.filter(pk=mentor.pk).update(user=dan)
        mentor.refresh_from_db()
        pair = pair_create(
            mentor=mentor, mentees=[mentee], form=Form.objects.get(code="teacher_teacher"),
            kind=Kind.TRADITIONAL, starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=180),
            academic_year=YEAR, user=None, today=TODAY,
        )  # fmt: skip
    as_mentor = (
        client_for("alpha.localhost", dan).get(f"/pairs/{pair.pk}/program/").content.decode()
    )
    assert "Не умею вести смешанное обучение" not in as_mentor
    client_for("alpha.localhost", world.alice).get(f"/pairs/{pair.pk}/program/")
    with tenant_context(world.alpha):
        assert RouteAccess.objects.filter(
            route=bob_route, user_id=world.alice.pk, what="mentoring"
        ).exists()
        assert not RouteAccess.objects.filter(route=bob_route, user_id=dan.pk).exists()
