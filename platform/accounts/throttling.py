"""API rate limits (DRF throttles in the Redis cache) and their Russian 429 message (which
core.api.exception_handler puts in the body)."""

from __future__ import annotations

import logging
import math
from typing import Any

from redis.exceptions import RedisError
from rest_framework import throttling
from rest_framework.settings import api_settings

from core.russian import plural_ru


def _rate(scope: str | None) -> str | None:
    # DRF binds THROTTLE_RATES when its class is defined; read them when a request comes, so
    # the rates follow settings (and tests can lower them).
    rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope or "")
    return str(rate) if rate is not None else None


log = logging.getLogger(__name__)


class _FailOpen:
    """With Redis down the API keeps answering, unthrottled (the login page's lockout is in
    PostgreSQL and holds): an outage of the counters must not become an outage of the API."""

    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            return super().allow_request(request, view)  # type: ignore[misc]
        except RedisError:
            log.warning("API throttle skipped: Redis unavailable", exc_info=True)
            return True


class AnonymousRateThrottle(_FailOpen, throttling.AnonRateThrottle):
    def get_rate(self) -> str | None:
        return _rate(self.scope)


class UserRateThrottle(_FailOpen, throttling.UserRateThrottle):
    def get_rate(self) -> str | None:
        return _rate(self.scope)


def throttled_message(wait: float | None) -> str:
    if wait is None:
        return "Слишком много запросов. Повторите позже."
    seconds = max(1, math.ceil(wait))
    return (
        f"Слишком много запросов. Повторите через {seconds} "
        f"{plural_ru(seconds, 'секунду', 'секунды', 'секунд')}."
    )
