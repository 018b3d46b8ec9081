"""Process-local cache of host → organisation lookups, invalidated by registry changes."""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from organizations.models import Domain, Organization

_lock = threading.Lock()
# hostname -> (expires_at, organisation or None for a known-unknown host)
_by_host: dict[str, tuple[float, Organization | None]] = {}
_public: Organization | None = None
# Unknown hosts are remembered briefly so a scanner cannot make every request hit the database.
NEGATIVE_TTL = 5.0


def public_tenant() -> Organization:
    """An unsaved stand-in for the public schema: the regional layer is not an organisation."""
    global _public
    if _public is None:
        _public = Organization(
            schema_name=settings.PUBLIC_SCHEMA_NAME,
            short_name="Региональный уровень",
            full_name="Региональный уровень",
        )
    return _public


def tenant_for_host(hostname: str) -> Organization:
    now = time.monotonic()
    cached = _by_host.get(hostname)
    if cached is not None and cached[0] > now:
        if cached[1] is None:
            raise Domain.DoesNotExist(hostname)
        return cached[1]
    try:
        domain = (
            Domain.objects.select_related("tenant", "tenant__municipality")
            .filter(tenant__is_active=True)
            .get(domain=hostname)
        )
    except Domain.DoesNotExist:
        with _lock:
            _by_host[hostname] = (now + NEGATIVE_TTL, None)
        raise
    with _lock:
        _by_host[hostname] = (now + settings.TENANT_CACHE_SECONDS, domain.tenant)
    return domain.tenant


def clear() -> None:
    with _lock:
        _by_host.clear()


@receiver([post_save, post_delete], sender=Domain)
@receiver([post_save, post_delete], sender=Organization)
def _invalidate(**_: object) -> None:
    clear()
