"""Database helpers shared by the apps."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def recomputable_transaction() -> Iterator[None]:
    """A transaction that does not wait for its WAL to reach the disk.

    For writes that a crash may lose without harm because they are derived and idempotent:
    planned reminders (re-planned by the next sweep under the same keys), rollups (recomputed),
    digest bookkeeping settled by reconciliation. A later ordinary commit makes them durable
    too, since the WAL is flushed in order. Never for a write that must be on disk before
    something leaves the system (the lease taken before an email is sent).
    Meant as the outermost transaction: inside another, the setting covers the outer one.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield
