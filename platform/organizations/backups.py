"""Backups of the whole platform or of one organisation, and their restore.

A backup is a folder:
- whole platform: `database.dump` (pg_dump's custom format: every schema, the registry, the
  rollups) and `media.tar.gz` (every organisation's uploads under MEDIA_ROOT);
- one organisation: `schema.dump` (its schema only), `registry.json` (its registry row,
  domains and the memberships of its people, by login) and `media.tar.gz` (its uploads,
  MEDIA_ROOT/<schema>);
- `manifest.json` either way: what it is, when it was made, by which pg_dump.

`manage.py backup` / `manage.py restore` (README «Резервные копии») wrap these functions.
Restoring the whole platform replaces the database: stop the web, worker and beat first.
Restoring one organisation replaces only its schema and uploads (and puts back its registry
rows if they were removed), while the others keep working.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from organizations.cloning import pg_tool_path
from organizations.models import Domain, Municipality, Organization

FORMAT = 1


class BackupError(Exception):
    """Said in Russian to the operator running the command."""


@dataclass
class Backup:
    folder: Path
    manifest: dict[str, Any]


def _connection_args() -> tuple[list[str], dict[str, str]]:
    connection.ensure_connection()
    info = connection.connection.info
    environ = {**os.environ, "PGPASSWORD": info.password or ""}
    return ["--host", info.host, "--port", str(info.port), "--username", info.user], environ


def _run(tool: str, arguments: list[str]) -> None:
    command = pg_tool_path(tool)
    if command is None:
        raise BackupError(
            f"Не найдена программа {tool}: установите клиент PostgreSQL той же версии, что и сервер."
        )
    args, environ = _connection_args()
    done = subprocess.run([command, *args, *arguments], capture_output=True, text=True, env=environ,
                          check=False)  # fmt: skip
    if done.returncode != 0:
        raise BackupError(f"{tool} завершился с ошибкой: {done.stderr.strip()[-2000:]}")


def _database() -> str:
    connection.ensure_connection()
    return str(connection.connection.info.dbname)


def _pack(source: Path, target: Path) -> None:
    with tarfile.open(target, "w:gz") as archive:
        if source.exists():
            archive.add(source, arcname=".")


def _unpack(archive_path: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    with tarfile.open(archive_path, "r:gz") as archive:
        archive.extractall(target, filter="data")  # no absolute paths, links out or devices


def _write_manifest(folder: Path, **facts: Any) -> dict[str, Any]:
    manifest = {"format": FORMAT, "made_at": timezone.now().isoformat(), **facts}
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest


def _read_manifest(folder: Path, kind: str) -> dict[str, Any]:
    path = folder / "manifest.json"
    if not path.exists():
        raise BackupError(f"В папке {folder} нет manifest.json: это не резервная копия платформы.")
    manifest: dict[str, Any] = json.loads(path.read_text())
    if manifest.get("format") != FORMAT or manifest.get("kind") != kind:
        what = "всей платформы" if kind == "platform" else "организации"
        raise BackupError(f"В папке {folder} не резервная копия {what}.")
    return manifest


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


# The whole platform ---------------------------------------------------------------------------


def backup_platform(folder: Path) -> Backup:
    folder.mkdir(parents=True, exist_ok=True)
    _run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file", str(folder / "database.dump"),
                     "--dbname", _database()])  # fmt: skip
    _pack(_media_root(), folder / "media.tar.gz")
    organizations = list(Organization.objects.order_by("slug").values_list("slug", flat=True))
    return Backup(folder, _write_manifest(folder, kind="platform", organizations=organizations))


def restore_platform(folder: Path) -> Backup:
    """Replace the database's contents and MEDIA_ROOT by the backup's."""
    manifest = _read_manifest(folder, "platform")
    database = _database()
    connection.close()
    _run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--exit-on-error",
                        "--dbname", database, str(folder / "database.dump")])  # fmt: skip
    _unpack(folder / "media.tar.gz", _media_root())
    return Backup(folder, manifest)


# One organisation -----------------------------------------------------------------------------


def backup_organization(organization: Organization, folder: Path) -> Backup:
    from accounts.models import Membership

    folder.mkdir(parents=True, exist_ok=True)
    schema = organization.schema_name
    _run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", f"--schema={schema}",
                     "--file", str(folder / "schema.dump"), "--dbname", _database()])  # fmt: skip
    registry = {
        "organization": {
            field.attname: _plain(getattr(organization, field.attname))
            for field in Organization._meta.concrete_fields
            if field.attname not in ("id", "municipality_id")
        },
        "municipality": organization.municipality.name,
        "region": organization.municipality.region.code,
        "domains": list(Domain.objects.filter(tenant=organization).values("domain", "is_primary")),
        "memberships": [
            {"username": m.user.username, "role": m.role}
            for m in Membership.objects.filter(organization=organization).select_related("user")
        ],
    }
    (folder / "registry.json").write_text(json.dumps(registry, ensure_ascii=False, indent=2))
    _pack(_media_root() / schema, folder / "media.tar.gz")
    return Backup(folder, _write_manifest(folder, kind="organization", slug=organization.slug,
                                          schema=schema))  # fmt: skip


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def restore_organization(folder: Path) -> Organization:
    """The organisation as it was: its schema replaced by the dump, its uploads by the
    backup's, its registry rows put back if they were removed (memberships of logins that
    still exist)."""
    from accounts.models import Membership, User
    from organizations.models import Region

    manifest = _read_manifest(folder, "organization")
    registry = json.loads((folder / "registry.json").read_text())
    schema = manifest["schema"]
    with transaction.atomic():
        organization = Organization.objects.filter(schema_name=schema).first()
        if organization is None:
            region = Region.objects.filter(code=registry["region"]).first()
            if region is None:
                raise BackupError(
                    f"Региона с кодом {registry['region']} нет в реестре: восстановите сначала его."
                )
            municipality, _ = Municipality.objects.get_or_create(
                region=region, name=registry["municipality"]
            )
            organization = Organization(municipality=municipality, **registry["organization"])
            organization.auto_create_schema = False  # the dump brings it
            organization.save()
        for domain in registry["domains"]:
            Domain.objects.get_or_create(domain=domain["domain"], defaults={"tenant": organization,
                                                                          "is_primary": domain["is_primary"]})  # fmt: skip
        users = {
            u.username: u
            for u in User.objects.filter(
                username__in=[m["username"] for m in registry["memberships"]]
            )
        }
        for membership in registry["memberships"]:
            user = users.get(membership["username"])
            if user is not None:
                Membership.objects.get_or_create(
                    user=user, role=membership["role"], organization=organization
                )
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    connection.close()  # pg_restore works on its own connection
    _run("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", "--dbname", _database(),
                        str(folder / "schema.dump")])  # fmt: skip
    _unpack(folder / "media.tar.gz", _media_root() / schema)
    from organizations import tenant_cache
    from regional_dashboard.rollups import mark_dirty

    tenant_cache.clear()
    mark_dirty(schema)  # the regional layer recounts it from the restored data
    return organization
