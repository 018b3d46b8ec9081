"""Reminder tasks: one beat entry → a sweep → one task per organisation → its outbox."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from config.celery import app
from organizations.schemas import current_tenant
from tasks.base import TenantScopedTask, send_to_tenant

log = logging.getLogger(__name__)


@app.task(name="reminders.sweep")
def sweep(now_iso: str = "") -> int:
    """Fan out to the active organisations whose run is due (tenants.notifications.agenda); a
    lock per time slot keeps a second beat idle."""
    from tenants.notifications.agenda import agenda_due_schemas

    now = dt.datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    slot = int(now.timestamp()) // settings.REMINDER_SWEEP_SECONDS
    # cache.add is Redis SET NX: only the first sweep of a slot proceeds. If Redis lost the
    # lock (restart), a second sweep only re-plans: the outbox keys make it harmless.
    if not cache.add(f"reminders:sweep:{slot}", "1", timeout=settings.REMINDER_SWEEP_SECONDS):
        log.info("sweep of slot %s already running or done", slot)
        return 0
    schemas = agenda_due_schemas(now=now)
    for schema in schemas:
        send_to_tenant(plan_and_drain, schema, now.isoformat())
    municipal_digest.delay(now.isoformat())
    return len(schemas)


@app.task(name="reminders.plan_and_drain", base=TenantScopedTask)
def plan_and_drain(now_iso: str) -> dict[str, int]:
    """Idempotent (acks late): planning writes by unique keys, draining leases what it sends."""
    from tenants.notifications.services import reminders_run

    # The sweep's moment, or later if the task waited in the queue (a restart, a retry): leases
    # must be judged by the clock now.
    now = max(dt.datetime.fromisoformat(now_iso), timezone.now())
    return reminders_run(organization=current_tenant(), now=now)


@app.task(name="reminders.municipal_digest")
def municipal_digest(now_iso: str) -> int:
    from messaging.services import municipal_digests_send

    return municipal_digests_send(now=dt.datetime.fromisoformat(now_iso))
