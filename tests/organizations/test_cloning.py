"""New schemas replay the template's pg_dump snapshot; a stale or missing snapshot falls back
to the migrations. Either way the new schema is the template, object by object."""

from __future__ import annotations

from unittest import mock

from django.db import connection
from django_tenants.utils import schema_context

from organizations import cloning
from organizations.models import SchemaSnapshot
from organizations.services import OrganizationData, organization_provision

TEMPLATE = "tenant_template"

_STRUCTURE = """
SELECT 'column', c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
       || CASE WHEN a.attidentity <> '' THEN ' identity' ELSE '' END
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s) AND c.relkind = 'r' AND a.attnum > 0
      AND NOT a.attisdropped
UNION ALL
SELECT 'index', replace(pg_get_indexdef(i.indexrelid), quote_ident(%(schema)s) || '.', '')
FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
UNION ALL
SELECT 'constraint', c.conname || ' ' || replace(pg_get_constraintdef(c.oid), quote_ident(%(schema)s) || '.', '')
FROM pg_constraint c WHERE c.connamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
UNION ALL
SELECT 'sequence', c.relname FROM pg_class c
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s) AND c.relkind = 'S'
"""


def structure(schema: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(_STRUCTURE, {"schema": schema})
        return set(cursor.fetchall())


def _migrations(schema: str) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations ORDER BY 1, 2')
        return cursor.fetchall()


def _provision(world, slug: str):
    return organization_provision(
        data=OrganizationData(full_name=f"Школа {slug}", short_name=slug, slug=slug, kind="school",
                              municipality=world.north)
    )  # fmt: skip


def test_migrate_snapshots_the_template(world):
    snapshot = SchemaSnapshot.objects.get(schema_name=TEMPLATE)
    assert snapshot.fingerprint == cloning.template_fingerprint(TEMPLATE)
    assert "CREATE TABLE tenant_template.roadmap_roadmapitem" in snapshot.sql
    assert "set_config" not in snapshot.sql  # this connection's search_path stays django-tenants'


def test_a_replayed_schema_is_the_template_object_by_object(world):
    with mock.patch("django.core.management.call_command") as migrate:
        _provision(world, "delta")
    migrate.assert_not_called()
    assert structure("delta") == structure(TEMPLATE)
    assert _migrations("delta") == _migrations(TEMPLATE)
    # Identity sequences work in the new schema (the first roadmap was written through them).
    with schema_context("delta"):
        from tenants.roadmap.models import RoadmapItem

        assert RoadmapItem.objects.exists()


def test_a_reserved_word_is_a_valid_schema_name_for_the_replay(world):
    # Validation keeps such slugs out of the registry; the replay itself quotes the name.
    with connection.cursor() as cursor:
        assert cloning.snapshot_replay(TEMPLATE, "user")
        cursor.execute("SET search_path = public")
    assert structure("user") == structure(TEMPLATE)


def test_a_stale_snapshot_is_not_replayed_the_schema_is_migrated(world):
    SchemaSnapshot.objects.filter(schema_name=TEMPLATE).update(fingerprint="0" * 32)
    cloning._prepared.clear()
    assert cloning.snapshot_replay(TEMPLATE, "never") is False
    organization = _provision(world, "epsilon")  # by migrations
    assert structure(organization.schema_name) == structure(TEMPLATE)
    assert _migrations("epsilon") == _migrations(TEMPLATE)


def test_without_pg_dump_the_snapshot_is_dropped_and_provisioning_still_works(world, monkeypatch):
    monkeypatch.setenv("PG_DUMP", "/nonexistent/pg_dump")
    assert cloning.snapshot_take(TEMPLATE) is False
    assert not SchemaSnapshot.objects.filter(schema_name=TEMPLATE).exists()
    organization = _provision(world, "zeta")
    assert structure(organization.schema_name) == structure(TEMPLATE)
