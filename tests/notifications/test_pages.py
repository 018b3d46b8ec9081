"""The notification pages take what a form posts without a 500."""

from __future__ import annotations

from messaging.models import Preference
from tests.conftest import host_client


def test_a_nul_in_the_messenger_chat_is_left_out_not_a_500(world):
    client = host_client("alpha.localhost", world.alice)
    saved = client.post(
        "/notifications/settings/", {"messenger_enabled": "1", "messenger_chat": "12\x0034"}
    )
    assert saved.status_code == 302
    assert Preference.of(world.alice.pk).messenger_chat == ""


def test_the_log_ignores_an_unknown_status_and_the_inbox_a_bad_page(world):
    client = host_client("alpha.localhost", world.alice)
    assert client.get("/notifications/log/", {"status": "a\x00b"}).status_code == 200
    assert client.get("/notifications/", {"page": "²"}).status_code == 200
