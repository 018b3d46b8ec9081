"""The page a locked-out login gets (django-axes' lockout callable), with when to come back."""

from __future__ import annotations

import math
from datetime import datetime

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from core.russian import plural_ru


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the
    X-Forwarded-For entry the outermost of them appended (nginx's $proxy_add_x_forwarded_for).

    Entries further left come from the client and prove nothing. The same rule as DRF's
    NUM_PROXIES, so the lockout and the API throttles see one address.
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies: int = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if proxies <= 0 or not forwarded:
        return remote
    return forwarded[-min(proxies, len(forwarded))]


def locked_until(request: HttpRequest, credentials: dict[str, object] | None) -> datetime | None:
    """When the lockout on this login or this address ends: for each lockout parameter that
    reached the limit, its newest counted failure plus the cool-off."""
    cool_off = get_cool_off(request)
    if cool_off is None:
        return None
    handler = AxesProxyHandler.get_implementation()
    limit = get_failure_limit(request, credentials)
    ends = []
    for attempts in handler.get_user_attempts(request, credentials):
        counted = attempts.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        if (counted["failures"] or 0) >= limit and counted["last"] is not None:
            ends.append(counted["last"] + cool_off)
    return max(ends, default=None)


def lockout_message(until: datetime | None, now: datetime | None = None) -> str:
    """«Слишком много неудачных попыток входа. Повторите через 30 минут (после 14:35).»

    The time is in the active zone: the organisation's on its host, Moscow on the regional one.
    """
    text = "Слишком много неудачных попыток входа."
    if until is None:
        return f"{text} Обратитесь к администратору, чтобы разблокировать вход."
    minutes = max(1, math.ceil((until - (now or timezone.now())).total_seconds() / 60))
    word = plural_ru(minutes, "минуту", "минуты", "минут")
    clock = timezone.localtime(until).strftime("%H:%M")
    return f"{text} Повторите через {minutes} {word} (после {clock})."


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, object] | None = None,
) -> HttpResponse:
    until = locked_until(request, credentials)
    message = lockout_message(until)
    if (
        request.path.startswith("/api/")
        or request.headers.get("x-requested-with") == "XMLHttpRequest"
    ):
        return JsonResponse({"detail": message}, status=429)
    return render(
        request, "accounts/lockout.html", {"message": message, "until": until}, status=429
    )
