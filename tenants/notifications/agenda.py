"""The reminder agenda: when each organisation's reminder run next has something to do.

The sweep runs every few minutes, but every reminder is planned for an organisation's local
morning hour, waves open and the overdue count moves at local midnight, and deliveries wait
for their moment or retry. So between those moments an unchanged organisation has nothing to
plan or send: the sweep skips it. A change of its data (any write the rollups' marks see:
tenant-model signals, signed-in writes, restores) makes it due at once; a run that began before
the change leaves it due, so the change is planned by the next sweep.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Min, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from messaging.models import ReminderAgenda
from organizations.models import Organization
from tenants.notifications.models import Digest, Outbox, OutboxStatus

WAITING = [OutboxStatus.PENDING, OutboxStatus.FAILED]


def agenda_due_schemas(*, now: dt.datetime) -> list[str]:
    """The active organisations whose run is due (or never ran)."""
    return list(
        Organization.objects.filter(is_active=True)
        .exclude(reminder_agenda__run_at__gt=now)
        .order_by("pk")
        .values_list("schema_name", flat=True)
    )


def agenda_changed(*, schema_name: str, now: dt.datetime | None = None) -> int:
    """The organisation's data changed (called once the change has committed): its run is due
    at once."""
    now = now or timezone.now()
    return ReminderAgenda.objects.filter(organization__schema_name=schema_name).update(
        run_at=None, changed_at=now
    )


def agenda_begin(*, organization: Organization) -> dt.datetime | None:
    """Before a run: the last change it will see (the agenda is made if missing)."""
    agenda, _ = ReminderAgenda.objects.get_or_create(organization_id=organization.pk)
    return agenda.changed_at


def agenda_done(
    *, organization: Organization, seen: dt.datetime | None, now: dt.datetime, morning_hour: int
) -> dt.datetime:
    """After a run: the next moment it has something to do, unless the data changed meanwhile."""
    next_at = next_run_at(organization=organization, now=now, morning_hour=morning_hour)
    unchanged = Q(changed_at__isnull=True) if seen is None else Q(changed_at=seen)
    ReminderAgenda.objects.filter(unchanged, organization_id=organization.pk).update(run_at=next_at)
    return next_at


def next_run_at(*, organization: Organization, now: dt.datetime, morning_hour: int) -> dt.datetime:
    zone = organization.zone
    today = now.astimezone(zone).date()
    tomorrow = today + dt.timedelta(days=1)
    morning = dt.datetime.combine(today, dt.time(morning_hour), tzinfo=zone)
    if morning <= now:
        morning = dt.datetime.combine(tomorrow, dt.time(morning_hour), tzinfo=zone)
    moments = [dt.datetime.combine(tomorrow, dt.time(0), tzinfo=zone), morning]
    # Deliveries waiting for their moment or their retry, and leases of a worker that may die.
    outbox = Outbox.objects.filter(status__in=[*WAITING, OutboxStatus.SENDING]).aggregate(
        waiting=Min(Greatest("send_after", Coalesce("next_attempt_at", "send_after")),
                    filter=Q(status__in=WAITING)),
        leased=Min("leased_until", filter=Q(status=OutboxStatus.SENDING)),
    )  # fmt: skip
    digests = Digest.objects.aggregate(
        waiting=Min(Coalesce("next_attempt_at", now), filter=Q(status__in=WAITING)),
        leased=Min(Coalesce("leased_until", now), filter=Q(status=OutboxStatus.SENDING)),
    )
    moments += [at for found in (outbox, digests) for at in found.values() if at is not None]
    return max(min(moments), now)
