"""Who gets into an organisation's host: members only; everyone else 403 or the login page."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from accounts.models import Membership, Role
from tests.conftest import PASSWORD, host_client


def test_anonymous_visitor_of_an_organisation_is_sent_to_login(world):
    response = host_client("alpha.localhost").get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/")


def test_member_of_another_school_gets_403_and_sees_nothing(world):
    response = host_client("alpha.localhost", world.charlie).get("/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Нет доступа" in page
    assert "Алексеева" not in page  # alice, Alpha's coordinator


def test_member_of_another_school_gets_403_on_the_api_too(world):
    response = host_client("alpha.localhost", world.charlie).get("/api/v1/organization/")
    assert response.status_code == 403


def test_regional_roles_and_superusers_do_not_enter_a_schools_data(world, django_user_model):
    root = django_user_model.objects.create_superuser("root", password=PASSWORD)
    for user in (world.olga, world.maria, world.tanya, root):
        assert host_client("alpha.localhost", user).get("/").status_code == 403


def test_coordinator_logs_in_on_the_organisation_host_with_a_russian_form(world):
    client = host_client("alpha.localhost")
    page = client.get("/accounts/login/").content.decode()
    assert "Логин" in page and "Пароль" in page and "Войти" in page
    bad = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert "Неверный логин или пароль" in bad.content.decode()
    good = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD, "next": "/"})
    assert good.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "Куратор (координатор) наставничества" in home.content.decode()


def test_logout_ends_the_session(world):
    client = host_client("alpha.localhost", world.alice)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_membership_scope_must_match_the_role(world):
    with pytest.raises(IntegrityError):
        Membership.objects.create(user=world.bob, role=Role.MENTOR, region=world.region)


def test_same_role_twice_in_one_place_is_refused(world):
    with pytest.raises(IntegrityError):
        Membership.objects.create(user=world.alice, role=Role.COORDINATOR, organization=world.alpha)


def test_user_names_read_as_in_russian_documents(world):
    assert world.alice.display_name == "Алексеева Алиса Петровна"
    assert world.alice.short_name == "Алексеева А. П."


def test_anonymous_api_call_on_an_organisation_host_gets_401_json(world):
    response = host_client("alpha.localhost").get("/api/v1/organization/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Требуется вход в систему."}


def test_times_on_an_organisations_pages_are_its_local_times(world):
    from django.utils import timezone

    host_client("beta.localhost", world.charlie).get("/")
    assert timezone.get_current_timezone_name() == "Asia/Krasnoyarsk"
    host_client("localhost").get("/")
    assert timezone.get_current_timezone_name() == "Europe/Moscow"
