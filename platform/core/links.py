"""Absolute addresses for letters and messages: <scheme>://[<slug>.]<BASE_DOMAIN><port>/path."""

from __future__ import annotations

from django.conf import settings


def site_url(path: str = "", *, slug: str = "") -> str:
    """On an organisation's host when `slug` is given, else on the regional host."""
    host = f"{slug}.{settings.BASE_DOMAIN}" if slug else settings.BASE_DOMAIN
    return f"{settings.PUBLIC_SCHEME}://{host}{settings.PUBLIC_PORT_SUFFIX}{path}"
