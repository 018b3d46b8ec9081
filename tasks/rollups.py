"""Rollup tasks: the flush of dirty organisations (debounced), one refresh per organisation,
and the nightly full refresh that repairs drift."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError

from config.celery import app
from organizations.schemas import current_tenant
from tasks.base import TenantScopedTask, send_to_tenant


@app.task(
    name="rollups.refresh", base=TenantScopedTask,
    # PostgreSQL restarting: the marks stay (the transaction rolled back); try again shortly.
    autoretry_for=(OperationalError, InterfaceError), retry_backoff=2, retry_backoff_max=30,
    max_retries=8,
)  # fmt: skip
def refresh() -> int:
    """Recompute the current organisation's rollup (idempotent: an upsert of today's row)
    and consume its dirty marks."""
    from regional_dashboard.rollups import rollup_refresh

    return rollup_refresh(organization=current_tenant()).items_total


def fan_out(schemas: list[str] | None) -> int:
    """A refresh task for each active organisation among `schemas` (None: all of them)."""
    from organizations.models import Organization

    active = Organization.objects.filter(is_active=True)
    if schemas is not None:
        active = active.filter(schema_name__in=schemas)
    names = list(active.values_list("schema_name", flat=True))
    for schema in names:
        send_to_tenant(refresh, schema)
    return len(names)


@app.task(name="rollups.flush")
def flush() -> int:
    """Every ROLLUP_FLUSH_SECONDS: a refresh for each organisation changed since, once."""
    from organizations.models import Organization
    from regional_dashboard.models import DirtyMark
    from regional_dashboard.rollups import queue_dirty

    active = Organization.objects.filter(is_active=True).values("schema_name")
    DirtyMark.objects.exclude(schema_name__in=active).delete()  # closed or removed since
    return len(queue_dirty(lambda schema: send_to_tenant(refresh, schema)))


@app.task(name="rollups.refresh_all")
def refresh_all() -> int:
    """Nightly: every active organisation, whether or not a change was seen."""
    return fan_out(None)


@app.task(name="rollups.publish")
def publish() -> int:
    """Right behind the flush: each region whose rollups changed gets its people counts
    published anew (the disclosure control runs over the whole region at once)."""
    from regional_dashboard.publication import publish_due

    return publish_due()


@app.task(name="cnppm.publish")
def publish_routes() -> int:
    """As rollups.publish, for the routes' figures: each region whose route statuses or tutors'
    assignments changed gets them published anew under the disclosure control."""
    from cnppm.publication import publish_due

    return publish_due()
