"""Tasks kept in PostgreSQL until the broker has them: sent on commit, or by the relay once
Redis is back; nothing sent for a transaction that rolled back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from dispatch import services
from dispatch.models import PendingTask
from tasks import imports as import_tasks


@pytest.fixture
def broker(monkeypatch):  # type: ignore[no-untyped-def]
    """What reached the broker; `broker.down = True` refuses like a stopped Redis."""

    class Broker:
        down = False
        got: list[tuple[str, str, list[object]]] = []

        def send(self, pending: PendingTask) -> None:
            if self.down:
                raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
            self.got.append((pending.task, pending.schema_name, pending.args))

    found = Broker()
    found.got = []
    monkeypatch.setattr(services, "_send", found.send)
    return found


def test_a_task_is_sent_when_its_transaction_commits(
    db, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_on_commit(import_tasks.process_tenant, "alpha", 7)
        assert PendingTask.objects.count() == 1 and broker.got == []
    assert broker.got == [("imports.process_tenant", "alpha", [7])]
    assert not PendingTask.objects.exists()


def test_nothing_is_sent_for_a_transaction_that_rolled_back(db, broker):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.send_on_commit(import_tasks.process_tenant, "alpha", 7)
        raise RuntimeError
    assert broker.got == [] and not PendingTask.objects.exists()


def test_with_the_broker_down_the_commit_succeeds_and_the_relay_sends_it_later(
    db, broker, django_capture_on_commit_callbacks
):
    broker.down = True
    with django_capture_on_commit_callbacks(execute=True):
        services.send_on_commit(import_tasks.apply_tenant, "alpha", 8)  # no exception here
    assert PendingTask.objects.count() == 1
    later = timezone.now() + dt.timedelta(minutes=5)
    assert services.pending_relay(now=later) == 0  # still down: kept
    assert PendingTask.objects.count() == 1
    broker.down = False
    assert services.pending_relay(now=timezone.now()) == 0  # too fresh: its commit's to send
    assert services.pending_relay(now=later) == 1
    assert broker.got == [("imports.apply_tenant", "alpha", [8])]
    assert not PendingTask.objects.exists()


def test_the_relay_stops_at_the_first_refusal_and_keeps_the_rest(db, broker, monkeypatch):
    old = timezone.now() - dt.timedelta(minutes=5)
    for job in (1, 2, 3):
        PendingTask.objects.create(
            task="imports.process_tenant", schema_name="alpha", args=[job], created_at=old
        )
    sent = broker.send

    def down_after_one(pending: PendingTask) -> None:
        if broker.got:
            broker.down = True
        sent(pending)

    monkeypatch.setattr(services, "_send", down_after_one)
    assert services.pending_relay() == 1
    assert sorted(PendingTask.objects.values_list("args", flat=True)) == [[2], [3]]
