"""The client address for audit logs: REMOTE_ADDR, or the proxies' X-Forwarded-For from the right."""

from __future__ import annotations

from django.test import RequestFactory

from core.clients import client_ip


def _ip(settings, hops: int, **meta: str) -> str | None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_HOPS = hops
    return client_ip(RequestFactory().get("/", **meta))


def test_without_proxies_the_connection_address_counts(settings):
    assert (
        _ip(settings, 0, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="1.2.3.4") == "203.0.113.5"
    )


def test_behind_one_proxy_the_address_it_saw_counts_not_what_the_client_wrote(settings):
    forwarded = "6.6.6.6, 198.51.100.9"  # the client wrote 6.6.6.6; nginx appended what it saw
    assert (
        _ip(settings, 1, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded) == "198.51.100.9"
    )
    assert _ip(settings, 2, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9") is None


def test_an_unreadable_address_is_none(settings):
    assert _ip(settings, 1, HTTP_X_FORWARDED_FOR="not-an-ip") is None
    assert _ip(settings, 0, REMOTE_ADDR="") is None
