"""Two-factor authentication: required for staff and regional, municipal, tutor and director
roles; optional for the others; enrolment, codes, recovery codes, the security page."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Membership, Role, User
from tests.conftest import PASSWORD, host_client
from tests.two_factor import authenticator, totp_code

VERIFY = "/accounts/two-factor/"
SETUP = "/accounts/two-factor/setup/"


@pytest.fixture
def dina(world) -> User:  # type: ignore[no-untyped-def]
    """The director of school Alpha."""
    user = User.objects.create_user(
        "dina", password=PASSWORD, last_name="Директорова", first_name="Дина"
    )
    Membership.objects.create(user=user, role=Role.DIRECTOR, organization=world.alpha)
    return user


@pytest.fixture
def root(db) -> User:  # type: ignore[no-untyped-def]
    return User.objects.create_superuser("root-2fa", "root@example.ru", PASSWORD)


def _secret_from_page(html: str) -> bytes:
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', html)
    assert secret, html
    return base64.b32decode(secret.group(1).replace(" ", ""))


def _code(key: bytes, steps_ahead: int = 0) -> str:
    totp = TOTP(key)
    totp.time = timezone.now().timestamp() + 30 * steps_ahead
    return f"{totp.token():06d}"


def _enrol(client: Client) -> list[str]:
    """Walk the enrolment page as a person with a phone would; returns the recovery codes."""
    page = client.get(SETUP).content.decode()
    assert "<svg" in page  # the QR code, inline
    key = _secret_from_page(page)
    confirmed = client.post(SETUP, {"code": _code(key), "next": "/"})
    assert (
        confirmed.status_code == 302
        and confirmed["Location"] == "/accounts/two-factor/recovery-codes/"
    )
    codes_page = client.get(confirmed["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", codes_page)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert 'download="rezervnye-kody.txt"' in codes_page
    return codes


@pytest.mark.parametrize(
    ("who", "host", "path"),
    [
        ("dina", "alpha.localhost", "/"),
        ("dina", "alpha.localhost", "/roadmap/"),
        ("olga", "localhost", "/dashboard/"),
        ("maria", "localhost", "/dashboard/"),
        ("tanya", "localhost", "/"),
        ("root", "localhost", "/admin/"),
        ("root", "localhost", "/dashboard/"),
    ],
)
def test_required_roles_reach_nothing_before_the_second_factor(request, world, who, host, path):
    user = request.getfixturevalue(who) if who in ("dina", "root") else getattr(world, who)
    client = host_client(host, user, verified=False)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{SETUP}?next=")
    # With an authenticator already set up, the way is the code page instead.
    authenticator(user)
    assert client.get(path)["Location"].startswith(f"{VERIFY}?next=")


@pytest.mark.parametrize(
    ("host", "path"),
    [("alpha.localhost", "/api/v1/organization/"), ("localhost", "/api/v1/organizations/")],
)
def test_the_api_answers_403_in_russian_before_the_second_factor(dina, world, host, path):
    Membership.objects.create(user=dina, role=Role.REGIONAL_OPERATOR, region=world.region)
    response = host_client(host, dina, verified=False).get(path)
    assert response.status_code == 403
    assert "двухфакторная аутентификация" in response.json()["detail"]


def test_the_admin_site_itself_refuses_an_unverified_staff_session(root, rf):
    from django.contrib import admin
    from django_otp.middleware import OTPMiddleware

    request = rf.get("/admin/")
    request.user = root
    request.session = {}  # type: ignore[assignment]
    OTPMiddleware(lambda r: None)._install_lazy_accessors(request)  # type: ignore[arg-type, return-value]
    assert not admin.site.has_permission(request)


def test_a_director_enrols_with_a_real_code_and_then_works(dina):
    client = host_client("alpha.localhost", dina, verified=False)
    _enrol(client)
    assert client.get("/").status_code == 200
    assert TOTPDevice.objects.filter(user=dina, confirmed=True).count() == 1
    # The codes were shown once.
    again = client.get("/accounts/two-factor/recovery-codes/")
    assert again.status_code == 302 and again["Location"] == "/accounts/security/"


def test_the_verified_state_is_kept_per_session(dina):
    first = host_client("alpha.localhost", dina, verified=False)
    _enrol(first)
    second = host_client("alpha.localhost", dina, verified=False)
    assert second.get("/")["Location"].startswith(VERIFY)


def test_a_wrong_code_is_refused_and_a_right_one_accepted(dina):
    device = authenticator(dina)
    client = host_client("alpha.localhost", dina, verified=False)
    right = totp_code(device)
    wrong = "000000" if right != "000000" else "111111"
    refused = client.post(VERIFY, {"code": wrong, "next": "/roadmap/"})
    assert refused.status_code == 200
    assert "Неверный код" in refused.content.decode()
    assert client.get("/")["Location"].startswith(VERIFY)
    # django-otp backs off after a failure: a second later the right code goes through.
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):
        accepted = client.post(VERIFY, {"code": totp_code(device), "next": "/roadmap/"})
        assert accepted.status_code == 302 and accepted["Location"] == "/roadmap/"
        assert client.get("/").status_code == 200


def test_guessing_codes_is_slowed_down(dina):
    device = authenticator(dina)
    client = host_client("alpha.localhost", dina, verified=False)
    client.post(VERIFY, {"code": "12345x"})
    for _ in range(3):
        client.post(VERIFY, {"code": "000001"})
    blocked = client.post(VERIFY, {"code": totp_code(device)})
    assert blocked.status_code == 200
    assert "Слишком много неверных кодов подряд" in blocked.content.decode()


def test_a_code_cannot_be_used_twice(dina):
    device = authenticator(dina)
    code = totp_code(device)
    first = host_client("alpha.localhost", dina, verified=False)
    assert first.post(VERIFY, {"code": code})["Location"] == "/"
    second = host_client("alpha.localhost", dina, verified=False)
    assert second.post(VERIFY, {"code": code}).status_code == 200


def test_a_recovery_code_works_once(dina):
    codes = _enrol(host_client("alpha.localhost", dina, verified=False))
    stored = set(StaticToken.objects.filter(device__user=dina).values_list("token", flat=True))
    # Only digests are stored, never the codes themselves.
    assert len(stored) == 10
    assert not stored & ({code.replace("-", "") for code in codes} | set(codes))

    lost_phone = host_client("alpha.localhost", dina, verified=False)
    used = lost_phone.post(VERIFY, {"code": codes[0].upper(), "next": "/"})
    assert used.status_code == 302
    assert lost_phone.get("/").status_code == 200
    assert StaticToken.objects.filter(device__user=dina).count() == 9

    again = host_client("alpha.localhost", dina, verified=False)
    assert again.post(VERIFY, {"code": codes[0]}).status_code == 200
    assert again.get("/")["Location"].startswith(VERIFY)


def test_recovery_codes_can_be_regenerated_and_the_old_ones_stop_working(dina):
    client = host_client("alpha.localhost", dina, verified=False)
    old = _enrol(client)
    fresh = client.post("/accounts/security/recovery-codes/")
    assert fresh["Location"] == "/accounts/two-factor/recovery-codes/"
    new = re.findall(
        r"<li><code>([a-z0-9-]+)</code></li>", client.get(fresh["Location"]).content.decode()
    )
    assert len(new) == 10 and not set(new) & set(old)
    other = host_client("alpha.localhost", dina, verified=False)
    assert other.post(VERIFY, {"code": old[1]}).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):  # past the back-off
        assert other.post(VERIFY, {"code": new[1]}).status_code == 302


def test_an_optional_role_may_skip_enable_and_disable_2fa(world):
    alice = host_client("alpha.localhost", world.alice, verified=False)
    assert alice.get("/").status_code == 200  # a coordinator: no second factor asked
    security = alice.get("/accounts/security/").content.decode()
    assert "не включена" in security
    _enrol(alice)
    assert "включена" in alice.get("/accounts/security/").content.decode()
    # Next login asks for the code.
    later = host_client("alpha.localhost", world.alice, verified=False)
    assert later.get("/")["Location"].startswith(VERIFY)
    off = alice.post("/accounts/security/two-factor/off/")
    assert off["Location"] == "/accounts/security/"
    assert not TOTPDevice.objects.filter(user=world.alice).exists()
    assert later.get("/").status_code == 200


def test_a_required_role_cannot_disable_2fa(dina):
    client = host_client("alpha.localhost", dina)
    page = client.get("/accounts/security/").content.decode()
    assert "обязательна" in page and "Отключить" not in page
    client.post("/accounts/security/two-factor/off/")
    assert TOTPDevice.objects.filter(user=dina, confirmed=True).exists()


def test_another_authenticator_needs_the_current_one_first(dina):
    authenticator(dina)
    client = host_client("alpha.localhost", dina, verified=False)
    assert client.get(SETUP)["Location"].startswith(VERIFY)


def test_the_full_login_asks_for_the_code_after_the_password(dina):
    device = authenticator(dina)
    client = Client(HTTP_HOST="alpha.localhost")
    login = client.post(
        "/accounts/login/?next=/roadmap/",
        {"username": "dina", "password": PASSWORD, "next": "/roadmap/"},
    )
    assert login["Location"] == "/roadmap/"
    gate = client.get("/roadmap/")
    assert gate["Location"] == f"{VERIFY}?next=%2Froadmap%2F"
    page = client.get(gate["Location"]).content.decode()
    assert "Подтверждение входа" in page
    done = client.post(VERIFY, {"code": totp_code(device), "next": "/roadmap/"})
    assert done["Location"] == "/roadmap/"
    assert client.get("/roadmap/").status_code == 200


def test_next_never_leads_off_the_host(dina):
    device = authenticator(dina)
    client = host_client("alpha.localhost", dina, verified=False)
    done = client.post(VERIFY, {"code": totp_code(device), "next": "https://evil.example/"})
    assert done["Location"] == "/"
