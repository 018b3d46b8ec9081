"""One organisation's reminder run, and what people do with their inbox."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from core.db import recomputable_transaction
from organizations.models import Organization
from tenants.notifications.delivery import drain, outbox_write
from tenants.notifications.models import InboxMessage
from tenants.notifications.planner import plan_run


def reminders_run(*, organization: Organization, now: dt.datetime) -> dict[str, int]:
    """Plan what is due, write it to the outbox (once per key), record the overdue count for the
    municipality (a number, no names), and drain the outbox."""
    from messaging.models import OverdueSnapshot
    from tenants.monitoring.services import waves_open_due
    from tenants.notifications.agenda import agenda_begin, agenda_done

    seen = agenda_begin(organization=organization)
    # Monitoring waves whose first day has come open first: their questionnaires are then
    # there for this run's reminders.
    waves_open_due(today=now.astimezone(organization.zone).date(), now=now)
    planned = plan_run(organization=organization, now=now)
    with recomputable_transaction():  # what a crash loses, the next sweep plans again
        # In-app messages are rows of this database: written with their outbox rows, at once.
        written = outbox_write(planned.drafts, deliver_inbox_at=now)
        today = now.astimezone(organization.zone).date()
        OverdueSnapshot.objects.bulk_create(  # one upsert
            [OverdueSnapshot(organization_id=organization.pk, day=today, overdue_items=planned.overdue_items)],
            update_conflicts=True, unique_fields=["organization", "day"], update_fields=["overdue_items"],
        )  # fmt: skip
    result = drain(organization=organization, now=now)
    agenda_done(organization=organization, seen=seen, now=now, morning_hour=planned.morning_hour)
    return {
        "written": written,
        "inbox": result.inbox,
        "emails": result.emails,
        "failed": result.failed,
    }


def inbox_latest(*, user: User | None) -> QuerySet[InboxMessage]:
    """The inbox as listed: of several reminders about one page (a roadmap item, a meeting)
    only the latest, so an earlier «Через 3 дня срок» does not outlive the item's deadline."""
    from django.db.models import Exists, OuterRef

    from tenants.notifications.delivery import SUPERSEDING_KINDS

    newer = InboxMessage.objects.filter(
        user=OuterRef("user"), url=OuterRef("url"), outbox__kind__in=SUPERSEDING_KINDS,
        outbox__send_after__gt=OuterRef("outbox__send_after"),
    )  # fmt: skip
    return (
        InboxMessage.objects.filter(user=user)
        .select_related("outbox")
        .exclude(Exists(newer), outbox__kind__in=SUPERSEDING_KINDS)
    )


def inbox_unread(*, user: User) -> int:
    return InboxMessage.objects.filter(user=user, read_at__isnull=True).count()


def inbox_mark_read(*, user: User, message_id: int | None = None) -> int:
    messages = InboxMessage.objects.filter(user=user, read_at__isnull=True)
    if message_id is not None:
        messages = messages.filter(pk=message_id)
    return messages.update(read_at=timezone.now())
