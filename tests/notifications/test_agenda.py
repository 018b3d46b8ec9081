"""The reminder agenda: the sweep every few minutes runs an organisation only when it has
something to do — and never misses a reminder the full planner would send by then."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.db import connection
from django_tenants.utils import tenant_context

from messaging.models import ReminderAgenda
from tenants.notifications.agenda import (
    agenda_begin,
    agenda_changed,
    agenda_done,
    agenda_due_schemas,
)
from tenants.notifications.models import Outbox
from tenants.notifications.planner import plan
from tenants.notifications.services import reminders_run
from tenants.roadmap.services import roadmap_item_set_status
from tests.notifications.test_reminders import _at, _seed_roadmap


@contextlib.contextmanager
def _committed():  # type: ignore[no-untyped-def]
    """The block as its own committed transaction (the test's never commits): what it left to do
    on commit runs, and the rollups' once-per-transaction note of a mark does not outlive it."""
    start = len(connection.run_on_commit)
    yield
    done = connection.run_on_commit[start:]
    del connection.run_on_commit[start:]
    for _, callback, _ in done:
        callback()


def _due(world, now):  # type: ignore[no-untyped-def]
    return world.alpha.schema_name in agenda_due_schemas(now=now)


def test_an_unchanged_organisation_waits_for_its_midnight_and_morning(world):  # type: ignore[no-untyped-def]
    with tenant_context(world.alpha):
        _seed_roadmap(world.alpha)
        day = dt.date(2025, 9, 10)
        assert _due(world, _at(world.alpha, day, 9, 30))  # never ran: due
        reminders_run(organization=world.alpha, now=_at(world.alpha, day, 9, 30))
        assert not _due(world, _at(world.alpha, day, 9, 35))
        assert not _due(world, _at(world.alpha, day, 23, 59))
        assert _due(world, _at(world.alpha, day + dt.timedelta(days=1), 0, 0))  # local midnight
        reminders_run(
            organization=world.alpha, now=_at(world.alpha, day + dt.timedelta(days=1), 0, 5)
        )
        assert not _due(world, _at(world.alpha, day + dt.timedelta(days=1), 8, 59))
        assert _due(world, _at(world.alpha, day + dt.timedelta(days=1), 9, 0))  # the morning hour


def test_a_change_makes_it_due_at_once_and_a_run_begun_before_it_does_not_hide_it(world):  # type: ignore[no-untyped-def]
    with tenant_context(world.alpha):
        with _committed():
            roadmap = _seed_roadmap(world.alpha)
        at = _at(world.alpha, dt.date(2025, 9, 10), 9, 30)
        reminders_run(organization=world.alpha, now=at)
        assert not _due(world, at + dt.timedelta(minutes=5))
        item = roadmap.items.filter(is_stage=False).first()
        with _committed():  # the change, committed
            roadmap_item_set_status(item=item, status="in_progress", user=world.alice)
        assert _due(world, at + dt.timedelta(minutes=5))

        # A run that read the data before a change committed leaves the organisation due.
        later = at + dt.timedelta(minutes=10)
        seen = agenda_begin(organization=world.alpha)
        agenda_changed(schema_name=world.alpha.schema_name, now=later)
        agenda_done(organization=world.alpha, seen=seen, now=later, morning_hour=9)
        assert _due(world, later + dt.timedelta(minutes=5))
        # The next one, with nothing changed meanwhile, does not.
        reminders_run(organization=world.alpha, now=later + dt.timedelta(minutes=5))
        assert not _due(world, later + dt.timedelta(minutes=10))


def test_a_delivery_waiting_for_a_retry_brings_the_run_back_then(world):  # type: ignore[no-untyped-def]
    with tenant_context(world.alpha):
        at = _at(world.alpha, dt.date(2025, 9, 10), 10)
        reminders_run(organization=world.alpha, now=at)
        retry = at + dt.timedelta(minutes=40)
        Outbox.objects.create(key="retry:1", kind="reminder", recipient=world.alice, channel="inbox",
                              subject="s", body="b", send_after=at, status="failed", next_attempt_at=retry)  # fmt: skip
        assert agenda_done(organization=world.alpha, seen=agenda_begin(organization=world.alpha),
                           now=at, morning_hour=9) == retry  # fmt: skip
        assert not _due(world, retry - dt.timedelta(minutes=1)) and _due(world, retry)


def test_the_agenda_driven_sweep_sends_every_reminder_the_full_planner_would(world):  # type: ignore[no-untyped-def]
    """Time travel with a sweep every two hours through the start of the year (the seed
    deadlines of September) and a questionnaire sent in the afternoon, due in three days: after each
    sweep, every reminder the planner gives for that moment is in the outbox, though the
    organisation ran only at its moments and after the change."""
    with tenant_context(world.alpha):
        with _committed():  # committed: marks of later changes
            _seed_roadmap(world.alpha)
        start = _at(world.alpha, dt.date(2025, 9, 1), 0, 5)
        runs = 0
        for tick in range(12 * 16):
            now = start + dt.timedelta(hours=2 * tick)
            if tick == 12 * 5 + 7:  # 14:05 on 6 September: «Через 3 дня срок» is due at once
                with _committed():
                    _invite(now.astimezone(world.alpha.zone).date())
            if _due(world, now):
                reminders_run(organization=world.alpha, now=now)
                runs += 1
            expected = {d.key for d in plan(organization=world.alpha, now=now)}
            assert expected <= set(Outbox.objects.values_list("key", flat=True)), now
        assert Outbox.objects.filter(kind="questionnaire").exists()
        assert Outbox.objects.filter(key__startswith="roadmap:").exists()
        assert runs <= 2 * 16 + 3  # its midnights and mornings, and the change; not 192 runs
        agenda = ReminderAgenda.objects.get(organization=world.alpha)
        assert agenda.changed_at is not None
        agenda.run_at = None
        assert str(agenda) == f"{world.alpha.pk}: сейчас"  # due at once


def _invite(today: dt.date) -> None:
    from tenants.participants.models import BankRole, Category, Questionnaire
    from tenants.participants.services import ParticipantData, invitation_create, participant_create

    person = participant_create(academic_year=2025, data=ParticipantData(
        last_name="Анкетная", first_name="Ольга", category=Category.TEACHER, bank_role=BankRole.MENTOR),
        user=None, today=today)  # fmt: skip
    invitation_create(participant=person, questionnaire=Questionnaire.objects.get(kind="mentor"),
                      user=None, today=today, days=3)  # fmt: skip
