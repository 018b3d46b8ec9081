"""«Сотрудники и доступ»: the school's managers invite people, change roles, end memberships."""

from __future__ import annotations

import datetime as dt

from django_tenants.utils import tenant_context

from accounts.models import Invitation, Membership, Role, User
from tests.conftest import host_client
from tests.participants.conftest import make_person


def _roles(org, username):  # type: ignore[no-untyped-def]
    return set(Membership.objects.filter(organization=org, user__username=username)
               .values_list("role", flat=True))  # fmt: skip


def test_the_coordinator_sees_the_members_and_invites_a_teacher(world):
    client = host_client("alpha.localhost", world.alice)
    page = client.get("/people/").content.decode()
    assert "Сотрудники и доступ" in page and "Борисов Борис Игоревич" in page
    assert 'value="director"' not in page  # a coordinator does not give the director's role
    done = client.post("/people/invite/", {"full_name": " Петрова  Ольга Сергеевна ",
                                           "email": "Petrova@Alpha.example.ru", "role": "mentor"},
                       follow=True)  # fmt: skip
    text = done.content.decode()
    assert "Приглашение отправлено на petrova@alpha.example.ru" in text
    assert "Петрова Ольга Сергеевна" in text and "приглашение ожидает отправки" in text
    assert _roles(world.alpha, "petrova@alpha.example.ru") == {Role.MENTOR}
    assert (
        Invitation.objects.get(user__username="petrova@alpha.example.ru").organization
        == world.alpha
    )


def test_an_invitation_form_with_errors_keeps_what_was_typed(world):
    client = host_client("alpha.localhost", world.alice)
    page = client.post("/people/invite/", {"full_name": "Петрова", "email": "не-почта",
                                           "role": "director"})  # fmt: skip
    text = page.content.decode()
    assert page.status_code == 400
    assert "Укажите фамилию и имя" in text and "Введите правильный адрес электронной почты." in text
    assert 'value="не-почта"' in text
    assert "Выберите корректный вариант." in text  # director: not the coordinator's to give
    assert not User.objects.filter(username__startswith="петрова").exists()


def test_only_a_director_gives_or_takes_the_directors_role(world):
    director = User.objects.create_user("dir", last_name="Директорова", first_name="Дина")
    Membership.objects.create(user=director, role=Role.DIRECTOR, organization=world.alpha)
    as_coordinator = host_client("alpha.localhost", world.alice)
    refused = as_coordinator.post(f"/people/{director.pk}/end/", follow=True).content.decode()
    assert "Руководителя может исключить только руководитель." in refused
    as_coordinator.post(f"/people/{director.pk}/roles/", {"roles": ["mentor"]})
    assert _roles(world.alpha, "dir") == {Role.DIRECTOR, Role.MENTOR}  # director kept
    as_director = host_client("alpha.localhost", director)
    as_director.post(f"/people/{world.bob.pk}/roles/", {"roles": ["director", "mentor"]})
    assert _roles(world.alpha, "bob") == {Role.DIRECTOR, Role.MENTOR}


def test_the_last_manager_cannot_be_removed(world):
    director = User.objects.create_user("dir2", last_name="Директорова", first_name="Дина")
    Membership.objects.create(user=director, role=Role.DIRECTOR, organization=world.alpha)
    Membership.objects.filter(organization=world.alpha, user=world.alice).delete()
    client = host_client("alpha.localhost", director)
    Membership.objects.create(user=world.alice, role=Role.MENTOR, organization=world.alpha)
    client.post(f"/people/{world.alice.pk}/end/")
    # dir2 is now the only manager; a second director removes dir2? No one else can: dir2 cannot
    # remove themselves from the page (no buttons on one's own card), and the service refuses.
    from accounts.members import MemberError, membership_end

    try:
        membership_end(organization=world.alpha, user=director, by=director)
    except MemberError as error:
        assert "последний руководитель или куратор" in str(error)
    else:  # pragma: no cover
        raise AssertionError("the last manager was removed")


def test_ending_a_membership_closes_access_feeds_and_personal_links_at_once(world):
    from tenants.participants.models import Invitation as QuestionnaireLink
    from tenants.participants.models import Questionnaire
    from tenants.roadmap.models import CalendarFeed

    bob = host_client("alpha.localhost", world.bob)
    assert bob.get("/").status_code == 200
    with tenant_context(world.alpha):
        feed = CalendarFeed.objects.create(user=world.bob)
        card = make_person(last_name="Борисов", first_name="Борис", category="teacher",
                           bank_role="mentor", birth_date=None, class_group="", position="учитель")  # fmt: skip
        card.user = world.bob
        card.save()
        questionnaire = Questionnaire.objects.first()
        link = QuestionnaireLink.objects.create(participant=card, questionnaire=questionnaire,
                                                expires_on=dt.date(2099, 1, 1)) if questionnaire else None  # fmt: skip
    assert host_client("alpha.localhost").get(f"/calendar/{feed.token}.ics").status_code == 200
    host_client("alpha.localhost", world.alice).post(f"/people/{world.bob.pk}/end/")
    assert not Membership.objects.filter(organization=world.alpha, user=world.bob).exists()
    assert bob.get("/").status_code == 403
    assert host_client("alpha.localhost").get(f"/calendar/{feed.token}.ics").status_code == 404
    with tenant_context(world.alpha):
        card.refresh_from_db()
        assert card.user_id is None
        if link is not None:
            link.refresh_from_db()
            assert link.expires_on < world.alpha.local_today()


def test_a_member_of_another_school_or_a_mentor_manages_nothing_here(world):
    assert host_client("alpha.localhost", world.bob).get("/people/").status_code == 403
    assert host_client("alpha.localhost", world.charlie).get("/people/").status_code == 403
    # Beta's coordinator names an Alpha member on Beta's host: not a member there, 404.
    beta = host_client("beta.localhost", world.charlie)
    assert beta.post(f"/people/{world.bob.pk}/end/").status_code == 404
    assert Membership.objects.filter(organization=world.alpha, user=world.bob).exists()


def test_a_participant_of_the_banks_gets_an_account_from_the_card(world):
    with tenant_context(world.alpha):
        teacher = make_person(last_name="Гусева", first_name="Вера", patronymic="Павловна",
                              category="teacher", bank_role="mentor", birth_date=None,
                              class_group="", position="учитель математики")  # fmt: skip
        pupil = make_person()  # a minor, no consent yet
    client = host_client("alpha.localhost", world.alice)
    card = client.get(f"/participants/{teacher.pk}/").content.decode()
    assert "Выдать доступ к платформе" in card
    client.post(f"/participants/{teacher.pk}/account/", {"email": "guseva@alpha.example.ru"})
    assert _roles(world.alpha, "guseva@alpha.example.ru") == {Role.MENTOR}
    with tenant_context(world.alpha):
        teacher.refresh_from_db()
        assert teacher.user.username == "guseva@alpha.example.ru"
    refused = client.post(f"/participants/{pupil.pk}/account/", {"email": "mama@example.ru"},
                          follow=True).content.decode()  # fmt: skip
    assert "после согласия родителя" in refused
    assert not User.objects.filter(username="mama@example.ru").exists()
    with tenant_context(world.alpha):
        from tenants.participants.services import consent_add

        consent_add(participant=pupil, kind="personal_data", signed_on=world.alpha.local_today(),
                    user=None, today=world.alpha.local_today(), representative_name="Сидорова Ирина Олеговна",
                    representative_relation="mother")  # fmt: skip
    card = client.get(f"/participants/{pupil.pk}/").content.decode()
    assert "Электронная почта родителя (законного представителя)" in card
    client.post(f"/participants/{pupil.pk}/account/", {"email": "mama@example.ru"})
    assert _roles(world.alpha, "mama@example.ru") == {Role.MENTEE}
    assert User.objects.get(username="mama@example.ru").display_name == "Сидорова Анна Игоревна"
