"""The regional layer's people: the operator invites specialists and tutors, sees who has not
logged in; a municipal specialist invites colleagues of their own municipality only."""

from __future__ import annotations

from accounts.models import Membership, Role
from tests.conftest import host_client


def test_the_operator_invites_a_municipal_specialist_and_a_tutor(world):
    client = host_client("localhost", world.olga)
    page = client.get("/people/").content.decode()
    assert "Сотрудники региона" in page and "Марьина Мария" in page and "Танина Татьяна" in page
    client.post("/people/", {"full_name": "Лебедева Анна Сергеевна", "email": "lebedeva@mo.example.ru",
                             "role": "municipal_specialist", "municipality": world.south.pk})  # fmt: skip
    client.post("/people/", {"full_name": "Соколов Пётр Ильич", "email": "sokolov@cnppm.example.ru",
                             "role": "tutor"})  # fmt: skip
    assert (
        Membership.objects.get(user__username="lebedeva@mo.example.ru").municipality == world.south
    )
    assert Membership.objects.get(user__username="sokolov@cnppm.example.ru").role == Role.TUTOR
    waiting = client.get("/people/?waiting=1").content.decode()
    assert "Лебедева Анна Сергеевна" in waiting and "приглашение ожидает отправки" in waiting
    assert "Ольгина Ольга" not in waiting  # she has logged in (this session)


def test_a_specialist_invites_only_into_their_own_municipality(world):
    client = host_client("localhost", world.maria)
    page = client.get("/people/").content.decode()
    assert "Сотрудники Северный район" in page and "Танина Татьяна" not in page
    refused = client.post("/people/", {"full_name": "Иванов Иван", "email": "i@mo.example.ru",
                                       "role": "tutor"})  # fmt: skip
    assert refused.status_code == 400
    elsewhere = client.post("/people/", {"full_name": "Иванов Иван", "email": "i@mo.example.ru",
                                         "role": "municipal_specialist", "municipality": world.south.pk})  # fmt: skip
    assert elsewhere.status_code == 400
    client.post("/people/", {"full_name": "Иванов Иван", "email": "i@mo.example.ru",
                             "role": "municipal_specialist", "municipality": world.north.pk})  # fmt: skip
    assert Membership.objects.get(user__username="i@mo.example.ru").municipality == world.north


def test_school_staff_and_tutors_have_no_regional_people_page(world):
    assert host_client("localhost", world.alice).get("/people/").status_code == 403
    assert host_client("localhost", world.tanya).get("/people/").status_code == 403


def test_the_operator_resends_a_school_directors_invitation_a_specialist_elsewhere_cannot(world):
    from accounts.invitations import Person, role_grant
    from accounts.models import Invitation

    granted = role_grant(person=Person("dir@alpha.example.ru", "Директорова", "Дина"),
                         role=Role.DIRECTOR, scope=world.alpha, invited_by=None)  # fmt: skip
    nonce = granted.invitation.nonce
    operator = host_client("localhost", world.olga)
    page = operator.get("/people/").content.decode()
    assert "Руководители и кураторы организаций, ещё не задавшие пароль (1)" in page
    assert "Директорова Дина" in page and "МБОУ «Школа Альфа»" in page
    done = operator.post(f"/people/{granted.membership.user.pk}/resend/", follow=True)
    assert "Новое приглашение отправлено на dir@alpha.example.ru" in done.content.decode()
    assert Invitation.objects.get(pk=granted.invitation.pk).nonce != nonce
    # Alpha is in the north: its specialist sees it, a specialist of the south does not.
    assert (
        "Директорова Дина" in host_client("localhost", world.maria).get("/people/").content.decode()
    )
    from accounts.models import Membership, User

    sergei = User.objects.create_user("sergei.s", last_name="Южный", first_name="Сергей")
    Membership.objects.create(user=sergei, role=Role.MUNICIPAL_SPECIALIST, municipality=world.south)
    south = host_client("localhost", sergei)
    assert "Директорова Дина" not in south.get("/people/").content.decode()
    assert south.post(f"/people/{granted.membership.user.pk}/resend/").status_code == 403
