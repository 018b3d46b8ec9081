"""The demo region: the five seed organisations, a user for every role, idempotent."""

from __future__ import annotations

from django.core.management import call_command
from django_tenants.utils import schema_exists

from accounts.models import Membership, Role, User
from demo.catalogue import DEMO_PASSWORD
from organizations.models import Municipality, Organization
from tests.conftest import host_client


def test_load_demo_creates_the_seed_organisations_and_is_idempotent(db):
    call_command("load_demo")
    call_command("load_demo")
    expected = {
        "sosh19": ("МБОУ СОШ № 19", "school"),
        "malinovka": ("МКОУ «Малиновская ООШ»", "school"),
        "dou8": ("МБДОУ детский сад № 8 п. Доброполье", "kindergarten"),
        "michurinsk": ("ГБПОУ ЛО «Мичуринский многопрофильный техникум»", "college"),
        "sosh62": ("МОУ СОШ № 62", "school"),
    }
    for slug, (name, kind) in expected.items():
        organization = Organization.objects.get(slug=slug)
        assert (organization.short_name, organization.kind) == (name, kind)
        assert schema_exists(slug)
    assert Municipality.objects.filter(region__code="99").count() >= 3
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert User.objects.filter(username="coord.sosh19").count() == 1


def test_demo_coordinator_of_sosh19_sees_home_and_gets_403_at_dou8(db):
    call_command("load_demo")
    client = host_client("sosh19.localhost")
    assert client.login(username="coord.sosh19", password=DEMO_PASSWORD)
    assert "МБОУ СОШ № 19" in client.get("/").content.decode()
    other = host_client("dou8.localhost")
    assert other.login(username="coord.sosh19", password=DEMO_PASSWORD)
    assert other.get("/").status_code == 403
