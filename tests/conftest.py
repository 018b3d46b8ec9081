"""Session fixtures: the test world's tenant schemas are created once; each test rolls back.

Personas (Healthchecks style): alice coordinates school Alpha, bob is a mentor there,
charlie coordinates school Beta and must see nothing of Alpha; olga is the regional
operator, maria the municipal specialist of Alpha's municipality, tanya a ЦНППМ tutor.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client

from accounts.models import Membership, Role, User
from organizations import tenant_cache
from organizations.models import Municipality, Organization, Region
from organizations.services import OrganizationData, organization_provision

PASSWORD = "test-password-123"


@dataclass
class World:
    region: Region
    north: Municipality
    south: Municipality
    alpha: Organization
    beta: Organization
    alice: User
    bob: User
    charlie: User
    olga: User
    maria: User
    tanya: User


def _user(username: str, last: str, first: str, patronymic: str = "") -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        last_name=last,
        first_name=first,
        patronymic=patronymic,
    )
    return user


def _build_world() -> World:
    region = Region.objects.create(name="Тестовая область", code="98", timezone="Europe/Moscow")
    north = Municipality.objects.create(region=region, name="Северный район")
    south = Municipality.objects.create(region=region, name="Южный район")
    alpha = organization_provision(
        data=OrganizationData(
            full_name="Муниципальное бюджетное общеобразовательное учреждение «Школа Альфа»",
            short_name="МБОУ «Школа Альфа»",
            slug="alpha",
            kind="school",
            municipality=north,
            pupils_count=500,
            teachers_count=40,
        )
    )
    beta = organization_provision(
        data=OrganizationData(
            full_name="Муниципальное бюджетное дошкольное образовательное учреждение «Бета»",
            short_name="МБДОУ «Бета»",
            slug="beta",
            kind="kindergarten",
            municipality=south,
            timezone="Asia/Krasnoyarsk",
        )
    )
    alice = _user("alice", "Алексеева", "Алиса", "Петровна")
    bob = _user("bob", "Борисов", "Борис", "Игоревич")
    charlie = _user("charlie", "Чернов", "Charlie")
    olga = _user("olga", "Ольгина", "Ольга")
    maria = _user("maria", "Марьина", "Мария")
    tanya = _user("tanya", "Танина", "Татьяна")
    Membership.objects.create(user=alice, role=Role.COORDINATOR, organization=alpha)
    Membership.objects.create(user=bob, role=Role.MENTOR, organization=alpha)
    Membership.objects.create(user=charlie, role=Role.COORDINATOR, organization=beta)
    Membership.objects.create(user=olga, role=Role.REGIONAL_OPERATOR, region=region)
    Membership.objects.create(user=maria, role=Role.MUNICIPAL_SPECIALIST, municipality=north)
    Membership.objects.create(user=tanya, role=Role.TUTOR, region=region)
    return World(region, north, south, alpha, beta, alice, bob, charlie, olga, maria, tanya)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    # pytest-django creates the test database only if a collected test asks for `db`; tests
    # on committed data (threads, workers: tests/mentoring/test_concurrency.py) do not, and
    # may be all that was collected. Never let the test world land in a real database.
    created = None
    if not connection.settings_dict["NAME"].startswith("test_"):
        with django_db_blocker.unblock():
            created = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    assert connection.settings_dict["NAME"].startswith("test_"), connection.settings_dict["NAME"]
    with django_db_blocker.unblock():
        _build_world()
    yield
    if created is not None:
        with django_db_blocker.unblock():
            teardown_databases(created, verbosity=0)


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    region = Region.objects.get(code="98")
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["alice", "bob", "charlie", "olga", "maria", "tanya"]
        )
    }
    return World(
        region=region,
        north=Municipality.objects.get(region=region, name="Северный район"),
        south=Municipality.objects.get(region=region, name="Южный район"),
        alpha=Organization.objects.get(slug="alpha"),
        beta=Organization.objects.get(slug="beta"),
        **users,
    )


@pytest.fixture(autouse=True)
def _fresh_tenant_state():  # type: ignore[no-untyped-def]
    """Each test starts on the public schema with a cold host cache."""
    tenant_cache.clear()
    yield
    tenant_cache.clear()
    connection.set_schema_to_public()


def host_client(host: str, user: User | None = None, *, verified: bool = True) -> Client:
    """A test client whose requests go to `host` (e.g. "alpha.localhost").

    With a user: logged in, and where the role requires 2FA also past the second factor
    (tests.two_factor); `verified=False` stops at the password step.
    """
    from tests.two_factor import logged_in

    client = Client(HTTP_HOST=host)
    if user is not None:
        logged_in(client, user, verified=verified)
    return client


@pytest.fixture
def client_for():  # type: ignore[no-untyped-def]
    return host_client
