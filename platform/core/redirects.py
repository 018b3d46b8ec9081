"""Where a request may send the browser on: its own host only (no open redirects)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, fallback: str, *, field: str = "next") -> str:
    """The posted (or queried) `next` when it stays on the request's host, else `fallback`.

    A form's `next` is whatever the sender put there: unchecked, a link on a phishing page could
    make the platform bounce a logged-in coordinator to a look-alike site. Only the request's
    own host counts as allowed: a school's page never sends anyone to another school's host.
    """
    target = request.POST.get(field) or request.GET.get(field) or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
