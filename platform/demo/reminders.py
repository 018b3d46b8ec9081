"""Demo reminders: the last two weeks run through the real pipeline, so the inbox, the daily
digests on the local mail page and the reminder log already show something."""

from __future__ import annotations

import datetime as dt

from django_tenants.utils import tenant_context

from organizations.models import Organization
from tenants.notifications.models import Outbox, ReminderSettings
from tenants.notifications.services import reminders_run

HISTORY_DAYS = 14


def reference_day(organization: Organization) -> dt.date:
    """The last day whose morning reminders are already due: today after the morning hour."""
    with tenant_context(organization):
        hour = ReminderSettings.current().morning_hour
    local = dt.datetime.now(dt.UTC).astimezone(organization.zone)
    return (
        local.date()
        if (local.hour, local.minute) >= (hour, 5)
        else local.date() - dt.timedelta(days=1)
    )


def demo_reminders(*, organization: Organization) -> int:
    with tenant_context(organization):
        # Loaded before (a message of the pairs' part, «проект приказа ждёт подписи», may be there).
        if Outbox.objects.filter(kind__in=["reminder", "overdue", "escalation"]).exists():
            return 0
        hour = ReminderSettings.current().morning_hour
        last = reference_day(organization)
        for back in range(HISTORY_DAYS, -1, -1):
            day = last - dt.timedelta(days=back)
            reminders_run(
                organization=organization,
                now=dt.datetime.combine(day, dt.time(hour, 5), tzinfo=organization.zone),
            )
        return Outbox.objects.count()
