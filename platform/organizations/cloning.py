"""New organisation schemas: a replay of the template schema's SQL snapshot.

`migrate` keeps the template schema migrated (organizations.signals) and then snapshots it with
pg_dump. A new schema replays that SQL with the template's name replaced: one round trip of DDL,
flat in the number of schemas. Without a usable snapshot (no pg_dump of the server's version,
or the template migrated since) Organization.create_schema runs the migrations instead.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from pathlib import Path

from django.db import connection

log = logging.getLogger(__name__)


def pg_dump_path() -> str | None:
    return pg_tool_path("pg_dump")


def pg_tool_path(name: str) -> str | None:
    """A PostgreSQL client program (pg_dump, pg_restore): PG_DUMP / PG_RESTORE if set; else the
    one shipped with pgserver (the same major version as the embedded server and the
    deployment's postgres:16); else the one on PATH."""
    configured = os.environ.get(name.upper(), "")
    if configured:
        return configured
    try:
        import pgserver
    except ImportError:  # pragma: no cover - pgserver is a dependency
        pass
    else:
        bundled = Path(pgserver.__file__).parent / "pginstall" / "bin" / name
        if bundled.exists():
            return str(bundled)
    return shutil.which(name)


def template_fingerprint(schema: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT md5(coalesce(string_agg(app || '.' || name, ',' ORDER BY app, name), '')) FROM \"{schema}\".django_migrations"
        )
        return str(cursor.fetchone()[0])


# Session settings and psql meta-commands of a dump: they would change this connection's
# search_path behind django-tenants' back.
_SESSION_LINE = re.compile(r"^(SET |SELECT pg_catalog\.set_config|\\)")


def _replayable(dump: str) -> str:
    return "\n".join(line for line in dump.splitlines() if not _SESSION_LINE.match(line))


def snapshot_take(schema: str) -> bool:
    """Dump `schema` (structure and rows) into a SchemaSnapshot; False if pg_dump cannot."""
    from organizations.models import SchemaSnapshot

    command = pg_dump_path()
    if command is None:
        log.warning("pg_dump not found: new schemas will be migrated, not replayed")
        return False
    connection.ensure_connection()
    info = connection.connection.info
    environ = {**os.environ, "PGPASSWORD": info.password or ""}
    arguments = [command, "--no-owner", "--no-privileges", "--no-comments", "--inserts",
                 "--rows-per-insert=500", f"--schema={schema}", "--host", info.host,
                 "--port", str(info.port), "--username", info.user, "--dbname", info.dbname]  # fmt: skip
    try:
        done = subprocess.run(arguments, capture_output=True, text=True, env=environ, check=False)
        failure = done.stderr.strip() if done.returncode != 0 else ""
    except OSError as error:
        failure = str(error)
    if failure:
        # A stale snapshot must not outlive the template it describes.
        log.warning("pg_dump failed, new schemas will be migrated: %s", failure)
        SchemaSnapshot.objects.filter(schema_name=schema).delete()
        return False
    SchemaSnapshot.objects.update_or_create(
        schema_name=schema,
        defaults={"fingerprint": template_fingerprint(schema), "sql": _replayable(done.stdout)},
    )
    return True


_prepared: dict[tuple[int, str], str] = {}


def snapshot_replay(template: str, schema: str) -> bool:
    """Create `schema` from the template's snapshot; False if there is no current snapshot."""
    from organizations.models import SchemaSnapshot

    snapshot = (
        SchemaSnapshot.objects.filter(schema_name=template).values_list("pk", "fingerprint").first()
    )
    if snapshot is None or snapshot[1] != template_fingerprint(template):
        return False
    sql = _prepared.get(snapshot)
    if sql is None:
        text = SchemaSnapshot.objects.values_list("sql", flat=True).get(pk=snapshot[0])
        _prepared.clear()
        sql = _prepared[snapshot] = text
    # The template's name is a plain identifier everywhere in the dump (`tenant_template.x`,
    # 'tenant_template.x_id_seq'); the new name is quoted, so reserved words are safe too.
    replaced = re.sub(rf"\b{re.escape(template)}\b", f'"{schema}"', sql)
    with connection.cursor() as cursor:
        cursor.execute(replaced)
    return True
