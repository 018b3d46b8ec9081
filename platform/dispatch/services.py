"""Sending a task that must not be lost when Redis is down (dispatch.models.PendingTask).

`send_on_commit` writes the task in the current transaction and, once it commits, hands it to
the broker and deletes the row. If the broker is down (or the process dies in between), the
row stays and `pending_relay` (beat: dispatch-relay) sends it when the broker is back. A task
may thus, rarely, be sent twice: only idempotent tasks are sent this way.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from dispatch.models import PendingTask

log = logging.getLogger(__name__)


def send_on_commit(task: Any, schema_name: str, *args: Any) -> None:
    pending = PendingTask.objects.create(task=task.name, schema_name=schema_name, args=list(args))
    transaction.on_commit(functools.partial(_send_now, pending.pk), robust=True)


def _send_now(pending_pk: int) -> None:
    pending = PendingTask.objects.filter(pk=pending_pk).first()
    if pending is None:
        return
    try:
        _send(pending)
    except Exception:  # the broker is unreachable: the relay sends it later
        log.warning("task %s kept for the relay", pending, exc_info=True)
        return
    pending.delete()


def _send(pending: PendingTask) -> None:
    from celery import current_app

    task = current_app.tasks[pending.task]
    if pending.schema_name == get_public_schema_name():
        task.apply_async(args=pending.args, headers={"_schema_name": pending.schema_name})
    else:
        from tasks.base import send_to_tenant

        send_to_tenant(task, pending.schema_name, *pending.args)


def pending_relay(*, now: dt.datetime | None = None) -> int:
    """Send what waited longer than DISPATCH_RELAY_AFTER_SECONDS (a fresh row is its own
    commit's to send); each row once even with two relays running (SKIP LOCKED)."""
    older = (now or timezone.now()) - dt.timedelta(seconds=settings.DISPATCH_RELAY_AFTER_SECONDS)
    sent = 0
    with transaction.atomic():
        rows = PendingTask.objects.select_for_update(skip_locked=True).filter(created_at__lte=older)
        for pending in rows.order_by("pk")[:500]:
            try:
                _send(pending)
            except Exception:  # still down: this and the rest wait for the next round
                log.warning("relay stopped at %s", pending, exc_info=True)
                break
            pending.delete()
            sent += 1
    return sent
