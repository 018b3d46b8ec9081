"""Login lockout (django-axes): per login and per address, a Russian page saying when to retry."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD

ATTACKS = 31  # the acceptance figure: well past any limit we would choose
MESSAGE = re.compile(
    r"Слишком много неудачных попыток входа\. Повторите через (\d+) минут\w* \(после (\d\d:\d\d)\)\."
)


def _client(host: str = "localhost", ip: str = "198.51.100.7", **extra: str) -> Client:
    return Client(HTTP_HOST=host, REMOTE_ADDR=ip, **extra)


def _login(client: Client, username: str, password: str, path: str = "/accounts/login/"):  # type: ignore[no-untyped-def]
    return client.post(path, {"username": username, "password": password})


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _expected_clock(zone: str, **filters: str) -> str:
    last = AccessAttempt.objects.filter(**filters).aggregate(last=Max("attempt_time"))["last"]
    return (last + settings.AXES_COOLOFF_TIME).astimezone(ZoneInfo(zone)).strftime("%H:%M")


def test_the_limit_is_sane_and_well_under_the_acceptance_figure():
    assert 5 <= settings.AXES_FAILURE_LIMIT < ATTACKS
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=30)


def test_31_wrong_passwords_lock_the_login_even_from_another_address(world):
    attacker = _client(ip="198.51.100.7")
    responses = [_login(attacker, "alice", f"guess-{n}-wrong") for n in range(ATTACKS)]
    assert responses[0].status_code == 200
    assert "Неверный логин или пароль" in responses[0].content.decode()
    last = responses[-1]
    assert last.status_code == 429
    match = MESSAGE.search(last.content.decode())
    assert match, last.content.decode()
    assert match.group(1) == "30"
    assert match.group(2) == _expected_clock("Europe/Moscow", username="alice")

    # The right password, from an address that never failed: still refused (locked by login).
    owner = _client(ip="203.0.113.20")
    refused = _login(owner, "alice", PASSWORD)
    assert refused.status_code == 429 and MESSAGE.search(refused.content.decode())
    assert not _logged_in(owner)
    # Nobody else is affected: another login from that other address works.
    assert _login(owner, "bob", PASSWORD).status_code == 302


def test_31_wrong_passwords_from_one_address_lock_that_address_for_every_login(world):
    sprayer = _client(ip="198.51.100.8")
    for n in range(ATTACKS):
        _login(sprayer, f"nobody-{n}", "Password-2025!")
    refused = _login(sprayer, "bob", PASSWORD)
    assert refused.status_code == 429 and MESSAGE.search(refused.content.decode())
    assert not _logged_in(sprayer)
    # bob himself, elsewhere, is not locked.
    assert _login(_client(ip="203.0.113.21"), "bob", PASSWORD).status_code == 302


def test_forwarded_for_is_ignored_without_a_trusted_proxy(world):
    """Without TRUSTED_PROXY_COUNT anyone could send X-Forwarded-For to look like many clients."""
    for n in range(ATTACKS):
        _login(_client(ip="198.51.100.9", HTTP_X_FORWARDED_FOR=f"10.1.{n}.1"), f"x{n}", "nope-nope")
    assert _login(_client(ip="198.51.100.9"), "bob", PASSWORD).status_code == 429


def test_behind_a_trusted_proxy_the_address_it_appended_is_the_client(world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forges the left part; nginx appends the address it saw.
    for n in range(ATTACKS):
        forged = _client(ip="10.0.0.2", HTTP_X_FORWARDED_FOR=f"10.9.{n}.9, 198.51.100.10")
        _login(forged, f"y{n}", "nope-nope")
    proxy_says = _client(ip="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.10")
    assert _login(proxy_says, "bob", PASSWORD).status_code == 429
    # Another client behind the same proxy is not locked out.
    neighbour = _client(ip="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.11")
    assert _login(neighbour, "bob", PASSWORD).status_code == 302


def test_after_the_cool_off_the_right_password_works_again(world):
    attacker = _client(ip="198.51.100.12")
    for n in range(ATTACKS):
        _login(attacker, "bob", f"wrong-{n}")
    assert _login(_client(ip="203.0.113.22"), "bob", PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        client = _client(ip="203.0.113.22")
        assert _login(client, "bob", PASSWORD).status_code == 302
        assert _logged_in(client)


def test_the_lockout_time_is_the_organisations_local_time_on_its_host(world):
    # beta is in Krasnoyarsk (UTC+7), four hours ahead of Moscow.
    attacker = _client(host="beta.localhost", ip="198.51.100.13")
    for n in range(ATTACKS - 1):
        _login(attacker, "charlie", f"wrong-{n}")
    page = _login(attacker, "charlie", "wrong-last").content.decode()
    match = MESSAGE.search(page)
    assert match, page
    assert match.group(2) == _expected_clock("Asia/Krasnoyarsk", username="charlie")


def test_the_admin_login_is_locked_out_too(world):
    attacker = _client(ip="198.51.100.14")
    for n in range(ATTACKS - 1):
        _login(attacker, "root-guess", f"wrong-{n}", path="/admin/login/")
    last = _login(attacker, "root-guess", "wrong", path="/admin/login/")
    assert last.status_code == 429 and MESSAGE.search(last.content.decode())


def test_a_successful_login_forgives_only_that_logins_failures_from_that_address(world):
    client = _client(ip="198.51.100.15")
    limit = settings.AXES_FAILURE_LIMIT
    for n in range(limit - 2):
        _login(client, "bob", f"typo-{n}")
    _login(client, "alice", "someone-elses-typo")  # the address is one failure short of the limit
    assert _login(client, "bob", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="bob", ip_address="198.51.100.15").exists()
    assert AccessAttempt.objects.filter(username="alice", ip_address="198.51.100.15").exists()
    # bob can mistype again without being locked at once.
    client.post("/accounts/logout/")
    for n in range(limit - 2):
        assert _login(client, "bob", f"typo-again-{n}").status_code == 200


@pytest.mark.parametrize("host", ["localhost", "alpha.localhost"])
def test_lockout_page_offers_password_recovery(world, host):
    attacker = _client(host=host, ip="198.51.100.16")
    for n in range(ATTACKS):
        response = _login(attacker, "alice", f"wrong-{n}")
    assert response.status_code == 429
    assert "/accounts/password/reset/" in response.content.decode()
