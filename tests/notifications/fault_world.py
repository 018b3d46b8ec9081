"""The fault test's own database, driven from subprocesses: `python -m
tests.notifications.fault_world setup|counts` with DATABASE_URL pointing at it.

The fault test runs a real worker (prefork, as `make run`) and two beats, which sweep every active organisation and
every municipal specialist of the database they are given. On the shared test database they
planned reminders in the test world's schools (committed, so later tests saw them, depending
on the date). In a database of its own they touch nothing else.
"""

from __future__ import annotations

import json
import sys

ORGANIZATIONS = 3
PEOPLE = 150  # per organisation: one email digest each
ITEMS_PER_PERSON = 3  # items due today per person: 3 inbox messages, one digest of 3
MESSENGER_EVERY = 5  # every 5th person also gets the messenger message
# Russia's zones, UTC+2 to UTC+12: the schools get three of them (see _timezones).
ZONES = [
    "Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk",
    "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok", "Asia/Magadan",
    "Asia/Kamchatka",
]  # fmt: skip


def _timezones() -> list[str]:
    """Three zones far apart, none within two hours of its local midnight now: the test runs on
    the real clock, and a run crossing a school's midnight would split a person's reminders
    over two daily digests (seen at 17:10 UTC with Krasnoyarsk)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    now = dt.datetime.now(dt.UTC)
    far = [zone for zone in ZONES if 2 <= now.astimezone(ZoneInfo(zone)).hour < 22]
    return [far[0], far[len(far) // 2], far[-1]]


def setup() -> None:
    """Migrate, then organisations with people and items due today (in each one's zone)."""
    from django.core.management import call_command
    from django_tenants.utils import tenant_context

    from accounts.models import Membership, Role, User
    from messaging.models import Preference
    from organizations.models import Municipality, Region
    from organizations.services import OrganizationData, organization_provision
    from tenants.notifications.models import ReminderSettings
    from tenants.roadmap.models import ItemOccurrence, RoadmapItem
    from tenants.roadmap.services import roadmap_create

    call_command("migrate", verbosity=0)
    region = Region.objects.create(name="Область отказов", code="96")
    municipality = Municipality.objects.create(region=region, name="Район отказов")
    timezones = _timezones()
    for n in range(ORGANIZATIONS):
        organization = organization_provision(data=OrganizationData(
            full_name=f"Школа отказов {n}", short_name=f"Школа отказов {n}", slug=f"fault{n}",
            kind="school", municipality=municipality, timezone=timezones[n],
        ))  # fmt: skip
        users = User.objects.bulk_create(
            [
                User(username=f"fault{n}.{i}", email=f"p{i}@fault{n}.test", last_name=f"Ф{i}")
                for i in range(PEOPLE)
            ]
        )
        Membership.objects.bulk_create(
            [Membership(user=u, role=Role.MENTOR, organization=organization) for u in users]
        )
        Preference.objects.bulk_create(
            [
                Preference(user=u, messenger_enabled=True, messenger_chat=f"chat-{n}-{i}")
                for i, u in enumerate(users)
                if i % MESSENGER_EVERY == 0
            ]
        )
        with tenant_context(organization):
            today = organization.local_today()
            reminder_settings = ReminderSettings.current()
            reminder_settings.morning_hour = 0
            reminder_settings.save()
            # Provisioning made this year's roadmap from the template: its deadlines would be
            # reminded too, on some dates. Only the items below are due.
            RoadmapItem.objects.all().delete()
            roadmap = roadmap_create(organization=organization, academic_year=organization.academic_year_of(today) + 5,
                                     template_code="")  # fmt: skip
            items = RoadmapItem.objects.bulk_create(
                [RoadmapItem(roadmap=roadmap, position=i, number=str(i), title=f"Пункт {i}",
                             deadline_text="сегодня", starts_on=today, due_on=today)
                 for i in range(PEOPLE * ITEMS_PER_PERSON)]
            )  # fmt: skip
            ItemOccurrence.objects.bulk_create(
                [ItemOccurrence(item=i, due_on=today) for i in items]
            )
            through = RoadmapItem.responsible_users.through
            through.objects.bulk_create(
                [
                    through(roadmapitem_id=item.pk, user_id=users[n % PEOPLE].pk)
                    for n, item in enumerate(items)
                ]
            )


def counts() -> None:
    """Per organisation: inbox messages, distinct outbox rows behind them, email rows not sent,
    messenger rows sent and dead (dead: interrupted while sending, never resent)."""
    from django_tenants.utils import tenant_context

    from organizations.models import Organization
    from tenants.notifications.models import InboxMessage, Outbox

    found = []
    for organization in Organization.objects.filter(slug__startswith="fault").order_by("slug"):
        with tenant_context(organization):
            messenger = Outbox.objects.filter(channel="messenger")
            found.append({
                "inbox": InboxMessage.objects.count(),
                "inbox_rows": InboxMessage.objects.values("outbox_id").distinct().count(),
                "email_unsent": Outbox.objects.filter(channel="email").exclude(status="sent").count(),
                "messenger_sent": messenger.filter(status="sent").count(),
                "messenger_dead": messenger.filter(status="dead").count(),
                "messenger_other": messenger.exclude(status__in=["sent", "dead"]).count(),
            })  # fmt: skip
    print(json.dumps(found))


if __name__ == "__main__":
    import django

    django.setup()
    {"setup": setup, "counts": counts}[sys.argv[1]]()
