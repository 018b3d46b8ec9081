"""API rate limits on every host (Russian 429), and no HTTP Basic login channel."""

from __future__ import annotations

import base64

import pytest
import redis
from django.conf import settings as django_settings
from django.test import Client

from tests.conftest import PASSWORD, host_client


@pytest.fixture
def low_rates(settings):  # type: ignore[no-untyped-def]
    """Low rates, and no throttle history left in Redis by an earlier run of these tests."""
    connection = redis.Redis.from_url(django_settings.REDIS_URL)
    prefix = django_settings.CACHES["default"]["KEY_PREFIX"]
    for key in connection.scan_iter(f"*:{prefix}:*:throttle_*"):
        connection.delete(key)
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "user": "4/min"},
    }
    yield
    for key in connection.scan_iter(f"*:{prefix}:*:throttle_*"):
        connection.delete(key)


def test_every_api_view_has_the_user_and_anonymous_throttles():
    from rest_framework.settings import api_settings

    names = {cls.__name__ for cls in api_settings.DEFAULT_THROTTLE_CLASSES}
    assert names == {"AnonymousRateThrottle", "UserRateThrottle"}
    assert set(api_settings.DEFAULT_THROTTLE_RATES) == {"anon", "user"}


def test_a_tenant_api_answers_429_in_russian_past_the_users_rate(world, low_rates):
    client = host_client("alpha.localhost", world.alice)
    statuses = [client.get("/api/v1/organization/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 200]
    throttled = client.get("/api/v1/organization/")
    assert throttled.status_code == 429
    detail = throttled.json()["detail"]
    assert detail.startswith("Слишком много запросов. Повторите через ")
    assert detail.endswith(("секунду.", "секунды.", "секунд."))
    assert int(throttled["Retry-After"]) > 0
    # Someone else is not slowed down by alice.
    assert host_client("alpha.localhost", world.bob).get("/api/v1/organization/").status_code == 200


def test_the_public_api_is_throttled_too(world, low_rates):
    client = host_client("localhost", world.olga)
    for _ in range(4):
        assert client.get("/api/v1/organizations/").status_code == 200
    assert client.get("/api/v1/organizations/").status_code == 429


def test_anonymous_clients_are_throttled_by_address(world, low_rates):
    client = Client(HTTP_HOST="localhost", REMOTE_ADDR="198.51.100.30")
    for _ in range(3):
        assert client.get("/api/schema/").status_code == 200
    throttled = client.get("/api/schema/")
    assert throttled.status_code == 429
    assert "Слишком много запросов. Повторите через" in throttled.content.decode()  # YAML here
    other = Client(HTTP_HOST="localhost", REMOTE_ADDR="198.51.100.31")
    assert other.get("/api/schema/").status_code == 200


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@pytest.mark.parametrize(
    ("host", "path"),
    [("alpha.localhost", "/api/v1/organization/"), ("localhost", "/api/v1/organizations/")],
)
def test_http_basic_credentials_log_nobody_in(world, host, path):
    """Basic auth would be a password-guessing channel beside the locked-out login (and skip 2FA)."""
    client = Client(HTTP_HOST=host, HTTP_AUTHORIZATION=_basic("alice", PASSWORD))
    response = client.get(path)
    assert response.status_code in (401, 403)
    assert "_auth_user_id" not in client.session
    assert "Basic" not in response.get("WWW-Authenticate", "")


def test_no_api_view_accepts_basic_authentication():
    from django.urls import URLPattern, URLResolver, get_resolver
    from rest_framework.authentication import BasicAuthentication
    from rest_framework.views import APIView

    def views(patterns):  # type: ignore[no-untyped-def]
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from views(entry.url_patterns)
            elif isinstance(entry, URLPattern):
                view = getattr(entry.callback, "cls", None) or getattr(
                    entry.callback, "view_class", None
                )
                if isinstance(view, type) and issubclass(view, APIView):
                    yield view

    found = 0
    for urlconf in ("config.urls_public", "config.urls_tenants"):
        for view in views(get_resolver(urlconf).url_patterns):
            found += 1
            assert not any(isinstance(a, BasicAuthentication) for a in view().get_authenticators())
    assert found > 5
