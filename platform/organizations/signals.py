"""Keep the template schema (the source of every clone) migrated together with the others."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.dispatch import Signal
from django_tenants.utils import schema_exists

from organizations.cloning import snapshot_take
from organizations.schemas import is_public_schema, use_public_schema

# Sent inside the provisioning transaction once the schema and domain exist; tenant apps
# fill the new schema (e.g. the roadmap template of the organisation's kind).
organization_provisioned = Signal()


def keep_template_schema_migrated(*, using: str = "default", verbosity: int = 1, **_: Any) -> None:
    """After the public schema is migrated, create/migrate the template before the tenants.

    `migrate_schemas` migrates the schemas of registry rows; the template has no row (it is not
    an organisation), so without this it would fall behind and clones would miss tables.
    """
    if not is_public_schema():
        return
    template = settings.TENANT_BASE_SCHEMA
    if not schema_exists(template):
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{template}"')
    call_command(
        "migrate_schemas",
        tenant=True,
        schema_name=template,
        interactive=False,
        verbosity=max(0, verbosity - 1),
        database=using,
    )
    use_public_schema()
    snapshot_take(template)
