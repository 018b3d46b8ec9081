"""What a request says about its client: the address to write into audit logs."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from rest_framework.request import Request


def client_ip(request: HttpRequest | Request) -> str | None:
    """The client's IP address, or None when it cannot be told.

    Behind TRUSTED_PROXY_HOPS reverse proxies (nginx of deploy/: 1) the address is the one the
    outermost of them saw, counted from the right of X-Forwarded-For: what a client writes into
    that header itself stands on the left and is never believed. Without proxies, REMOTE_ADDR.
    """
    hops: int = getattr(settings, "TRUSTED_PROXY_HOPS", 0)
    if hops > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        candidate = forwarded[-hops] if len(forwarded) >= hops else ""
    else:
        candidate = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None
