"""Database helpers shared by the apps."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.models import JSONField, Model
from django.utils import timezone


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


def insert_rows(
    model: type[Model],
    rows: Sequence[Mapping[str, Any]],
    *,
    on_conflict: str = "",
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Many rows of `model` in one INSERT … SELECT FROM unnest(…), one array per column:
    what bulk_create sends on PostgreSQL, without an object and a per-field preparation for
    each row (on a hot path of thousands of rows that is most of the time). Rows map field
    attnames (`wave_id`) to values the driver adapts as they are; a field left out takes its
    default as the ORM would give it, `auto_now(_add)` the moment. `on_conflict` is the clause as
    written in SQL; `returning` names columns to give back, in row order."""
    if not rows:
        return []
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.attname in rows[0]]
    columns: list[list[Any]] = []
    for field in fields:
        if field.attname in rows[0]:
            values = [row[field.attname] for row in rows]
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values = [now] * len(rows)
        elif field.has_default() and callable(field.default):  # a token: one each
            values = [field.get_default() for _ in rows]
        else:  # its default, else "" for text and NULL for the rest, as the ORM does
            values = [field.get_default()] * len(rows)
        if isinstance(field, JSONField):
            values = [field.get_db_prep_save(v, connection) for v in values]
        columns.append(values)
    # A column with one value in every row (the wave, the moment, the kind) is sent once as a
    # scalar: the driver quotes each array element on the client, and that is the dearest part
    # of a wide insert. At least one column stays an array, so unnest gives the row count.
    constant = [len(rows) > 1 and values.count(values[0]) == len(values) for values in columns]
    if all(constant):
        constant[0] = False
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column or f.attname) for f in fields)
    selected = ", ".join(
        f"%s::{f.db_type(connection)}" if const else f"u.c{i}"
        for i, (f, const) in enumerate(zip(fields, constant, strict=True))
    )
    arrays = ", ".join(
        f"%s::{f.db_type(connection)}[]"
        for f, const in zip(fields, constant, strict=True)
        if not const
    )
    aliases = ", ".join(f"c{i}" for i, const in enumerate(constant) if not const)
    sql = f"INSERT INTO {table} ({names}) SELECT {selected} FROM unnest({arrays}) AS u({aliases})"
    sql += f" {on_conflict}" if on_conflict else ""
    if returning:
        sql += " RETURNING " + ", ".join(connection.ops.quote_name(c) for c in returning)
    params = [values[0] for values, const in zip(columns, constant, strict=True) if const]
    params += [values for values, const in zip(columns, constant, strict=True) if not const]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if returning else []


def covered_index_drop(*, table: str, column: str, name: str) -> Any:
    """A migration step dropping the index Django made for a many-to-many table's first column,
    which its unique (column, other) constraint already covers: one relation less per table and
    per school to write, plan with and keep. Only in the schema being migrated (a tenant's),
    never one of the same name further down the search path."""
    from django.db import migrations

    drop = f"DO $$ BEGIN EXECUTE format('DROP INDEX IF EXISTS %I.%I', current_schema(), '{name}'); END $$"
    return migrations.RunSQL(
        sql=drop,
        reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")',
    )
