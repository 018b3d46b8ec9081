"""The demo region: the five seed organisations, a user for every role, idempotent."""

from __future__ import annotations

import base64
import io
import time

from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
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
    credentials = {"username": "coord.sosh19", "password": DEMO_PASSWORD}
    client = host_client("sosh19.localhost")
    assert client.post("/accounts/login/", credentials).status_code == 302
    assert "МБОУ СОШ № 19" in client.get("/").content.decode()
    other = host_client("dou8.localhost")
    assert other.post("/accounts/login/", credentials).status_code == 302
    assert other.get("/").status_code == 403


def test_demo_users_whose_role_requires_2fa_log_in_with_the_demo_authenticator(db):
    from django_otp.oath import TOTP

    from demo.catalogue import DEMO_TOTP_SECRET

    call_command("load_demo")
    client = host_client("localhost")
    login = client.post("/accounts/login/", {"username": "mun.severny", "password": DEMO_PASSWORD})
    assert login.status_code == 302
    assert client.get("/dashboard/")["Location"].startswith("/accounts/two-factor/")
    out = io.StringIO()
    call_command("demo_totp", "mun.severny", stdout=out, stderr=io.StringIO())
    code = out.getvalue().strip()
    # What any authenticator app holding the printed secret shows (now or a moment ago).
    totp = TOTP(base64.b32decode(DEMO_TOTP_SECRET))
    shown = set()
    for delay in (0, -30):
        totp.time = time.time() + delay
        shown.add(f"{totp.token():06d}")
    assert code in shown
    verified = client.post("/accounts/two-factor/", {"code": code, "next": "/dashboard/"})
    assert verified["Location"] == "/dashboard/"
    dashboard = client.get("/dashboard/")
    assert not dashboard.get("Location", "").startswith("/accounts/")
    # Coordinators, mentors and mentees have no device: 2FA is theirs to switch on.
    assert not TOTPDevice.objects.filter(user__username="coord.sosh19").exists()
    assert TOTPDevice.objects.filter(user__username="admin", confirmed=True).exists()


def test_the_demo_patronymics_are_russian():
    from demo.banks import FATHERS, PATRONYMICS, _patronymic

    assert set(FATHERS) <= set(PATRONYMICS)
    assert _patronymic("Игорь", True) == "Игоревна"
    assert _patronymic("Павел", True) == "Павловна"
    assert _patronymic("Юрий", True) == "Юрьевна"
    assert _patronymic("Михаил", False) == "Михайлович"


def test_the_demo_cnppm_accompanies_routes_at_every_step(db):
    from cnppm.models import Assignment, RouteStatus

    call_command("load_demo")
    statuses = list(RouteStatus.objects.filter(organization__municipality__region__code="99"))
    assert len(statuses) >= 12
    assert len({s.organization_id for s in statuses}) == 4
    assert {s.step for s in statuses} == {1, 2, 3, 4, 5, 6, 7}
    assert {s.approval for s in statuses} >= {"draft", "submitted", "returned", "approved"}
    tutors = set(
        Assignment.objects.filter(ended_at__isnull=True).values_list("tutor__username", flat=True)
    )
    assert tutors == {"tutor", "tutor2"}
    assert any(not s.shared_with_tutor for s in statuses)  # one teacher has not consented yet
