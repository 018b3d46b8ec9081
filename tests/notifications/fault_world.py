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
TIMEZONES = ["Europe/Moscow", "Asia/Krasnoyarsk", "Asia/Vladivostok"]


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
    for n in range(ORGANIZATIONS):
        organization = organization_provision(data=OrganizationData(
            full_name=f"Школа отказов {n}", short_name=f"Школа отказов {n}", slug=f"fault{n}",
            kind="school", municipality=municipality, timezone=TIMEZONES[n],
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
