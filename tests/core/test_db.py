"""core.db.insert_rows: the rows come back as the ORM would have written them, whichever of
their columns repeat one value (sent once as a scalar) and whichever vary (sent as arrays)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.db import insert_rows
from tenants.notifications.models import Channel, InboxMessage, Outbox

MOMENT = dt.datetime(2025, 9, 10, 6, 0, tzinfo=dt.UTC)


def _outbox_row(key: str, user_id: int, subject: str) -> dict[str, object]:
    return {
        "key": key,
        "kind": "monitoring",
        "recipient_id": user_id,
        "channel": Channel.EMAIL,
        "subject": subject,
        "body": "Ответьте, пожалуйста, на анкету «вход».",
        "send_after": MOMENT,
    }


def test_constant_and_varying_columns_are_written_in_row_order(world) -> None:
    with tenant_context(world.alpha):
        rows = [
            _outbox_row("k1", world.alice.pk, "Анкета куратора"),
            _outbox_row("k2", world.bob.pk, "Анкета наставника"),
            _outbox_row("k3", world.bob.pk, "Анкета наставляемого"),
        ]
        with CaptureQueriesContext(connection) as queries:
            returned = insert_rows(Outbox, rows, returning=["key", "subject"])
        assert returned == [(r["key"], r["subject"]) for r in rows]
        (sql,) = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
        # The body, kind, channel and moment went once, not three times.
        assert sql.count("Ответьте, пожалуйста") == 1
        stored = {o.key: o for o in Outbox.objects.all()}
        assert {k: (o.recipient_id, o.subject) for k, o in stored.items()} == {
            "k1": (world.alice.pk, "Анкета куратора"),
            "k2": (world.bob.pk, "Анкета наставника"),
            "k3": (world.bob.pk, "Анкета наставляемого"),
        }
        for o in stored.values():
            assert o.body == rows[0]["body"] and o.send_after == MOMENT
            assert o.status == "pending" and o.attempts == 0 and o.last_error == ""
            assert o.created_at is not None and o.digest_id is None


def test_rows_alike_in_every_column_are_each_written(world) -> None:
    with tenant_context(world.alpha):
        row = {"user_id": world.alice.pk, "title": "Открыта анкета", "body": "", "url": "/m/"}
        ids = insert_rows(InboxMessage, [row, row, row], returning=["id"])
        assert len({i for (i,) in ids}) == 3
        assert InboxMessage.objects.filter(user_id=world.alice.pk, title=row["title"]).count() == 3


def test_one_row_and_a_conflict_clause(world) -> None:
    with tenant_context(world.alpha):
        first = insert_rows(Outbox, [_outbox_row("once", world.alice.pk, "Первое")],
                            returning=["id"])  # fmt: skip
        assert len(first) == 1
        again = insert_rows(
            Outbox,
            [
                _outbox_row("once", world.alice.pk, "Второе"),
                _outbox_row("new", world.bob.pk, "Новое"),
            ],
            on_conflict="ON CONFLICT (key) DO NOTHING",
            returning=["key"],
        )
        assert again == [("new",)]
        assert Outbox.objects.get(key="once").subject == "Первое"
        assert insert_rows(Outbox, []) == []


COVERED_INDEXES = """
WITH idx AS (
  SELECT c.relname AS tbl, i.relname AS idx, x.indkey::text AS cols, x.indisunique AS uniq
  FROM pg_index x
  JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_class c ON c.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = %s AND x.indpred IS NULL AND x.indexprs IS NULL
)
SELECT a.tbl, a.idx, b.idx FROM idx a
JOIN idx b ON a.tbl = b.tbl AND a.idx <> b.idx AND NOT a.uniq
  AND (b.cols = a.cols OR b.cols LIKE a.cols || ' %%')
ORDER BY 1, 2, 3
"""


def test_no_index_of_a_school_is_covered_by_another(world):
    """Each school has its own copy of every table: an index whose columns lead another index
    (a foreign key's own beside a unique pair; the «_like» copy of a unique text, whose look-ups
    are all =) is written on every insert, opened by every plan and kept once per school, for
    nothing. A foreign key a constraint leads with gets db_index=False, a unique text a
    UniqueConstraint, a many-to-many table's first column core.db.covered_index_drop."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(COVERED_INDEXES, [world.alpha.schema_name])
        covered = cursor.fetchall()
    assert covered == []


# Indexes of the public schema not ours to change: Django's (the user's groups and
# permissions, the username) and django-tenants' (the domain, the schema name), and tables a
# region holds one row of per organisation at most (their «_like» copies cost nothing).
PUBLIC_NOT_OURS = (
    "accounts_user_groups_", "accounts_user_user_permissions_", "accounts_user_username_",
    "organizations_domain_domain_", "organizations_organization_schema_name_",
    "organizations_organization_slug_", "organizations_region_", "organizations_schemasnapshot_",
)  # fmt: skip
OUR_APPS = ("accounts_", "cnppm_", "core_", "messaging_", "organizations_", "regional_dashboard_")


def test_no_index_of_the_region_is_covered_by_another(db):
    """The same for the public schema's own tables, which grow by organisations × days (the
    rollups, the published figures, the overdue snapshots)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(COVERED_INDEXES, ["public"])
        covered = [
            (table, index, by)
            for table, index, by in cursor.fetchall()
            if table.startswith(OUR_APPS) and not index.startswith(PUBLIC_NOT_OURS)
        ]
    assert covered == []
