"""With Redis unreachable (the cache and throttle counters on a port nobody listens on), a
school's host still logs people in, takes writes and answers its API: nothing it keeps for a
user lives only in Redis (sessions, previews, rollup marks are in PostgreSQL)."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client

from devstack.services import _free_port
from regional_dashboard.models import DirtyMark
from tests.conftest import PASSWORD, host_client


@pytest.fixture
def redis_down(settings):  # type: ignore[no-untyped-def]
    settings.CACHES = {
        "default": {
            **django_settings.CACHES["default"],
            "LOCATION": f"redis://127.0.0.1:{_free_port()}/0",
        }
    }


def test_a_mentor_logs_in_on_the_school_host(world, redis_down):
    client = Client(HTTP_HOST="alpha.localhost")
    answer = client.post("/accounts/login/", {"username": world.bob.username, "password": PASSWORD})
    assert answer.status_code == 302, answer.content.decode()[:500]
    assert client.get("/").status_code == 200


def test_a_write_succeeds_and_its_rollup_mark_is_kept(world, redis_down):
    DirtyMark.objects.all().delete()
    client = host_client("alpha.localhost", world.alice)
    answer = client.post("/notifications/read/")
    assert answer.status_code in (200, 302)
    assert DirtyMark.objects.filter(schema_name="alpha").exists()


def test_the_api_answers_unthrottled(world, redis_down):
    client = host_client("alpha.localhost", world.alice)
    assert [client.get("/api/v1/organization/").status_code for _ in range(3)] == [200] * 3
