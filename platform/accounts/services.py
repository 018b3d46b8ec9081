"""Deleting an account across the organisations' schemas.

Tenant tables point at `accounts_user` without a database constraint (organizations.checks
explains why), so the database cannot cascade or null those references, and Django's delete
collector, run on the public schema, would look for tenant tables that are not there. Here each
reference in every organisation's schema gets what its field's `on_delete` says, and then the
account itself is deleted with the collector looking at the template schema: it holds every
tenant table, empty, so only the shared rows (memberships, preferences, sessions…) are collected.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models.deletion import Collector, ProtectedError
from django_tenants.utils import schema_context

from accounts.models import User
from organizations.checks import tenant_only_labels


def user_references() -> Iterator[tuple[type[models.Model], models.ForeignKey[Any, Any]]]:
    """Every tenant-table column that holds a user id (through tables of M2M fields included)."""
    labels = tenant_only_labels()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in labels:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is User:
                yield model, field


def _referenced_here(user_id: int) -> bool:
    """One round trip per schema: is the user mentioned in any tenant table of this schema?"""
    parts = [
        f'SELECT 1 FROM "{model._meta.db_table}" WHERE "{field.column}" = %s'
        for model, field in user_references()
    ]
    if not parts:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (" + " UNION ALL ".join(parts) + ")", [user_id] * len(parts))
        return bool(cursor.fetchone()[0])


def _clear_references(user: User, schema: str) -> None:
    """Django's own on_delete handlers, applied to this schema's rows that mention the user."""
    collector = Collector(using=connection.alias, origin=user)
    for model, field in user_references():
        rows = model._base_manager.filter(**{field.attname: user.pk})
        on_delete: Any = field.remote_field.on_delete
        if on_delete is models.DO_NOTHING or not rows.exists():
            continue
        try:
            # RESTRICT is only lifted by a cascade from the same origin, which a user never is.
            (models.PROTECT if on_delete is models.RESTRICT else on_delete)(
                collector, field, rows, connection.alias
            )
        except ProtectedError as error:
            raise ProtectedError(
                f"Учётную запись нельзя удалить: на неё ссылаются записи "
                f"«{model._meta.verbose_name}» в схеме {schema}.",
                error.protected_objects,
            ) from error
    collector.delete()


@transaction.atomic
def user_delete(*, user: User) -> int:
    """Delete the account and apply each tenant reference's on_delete in every schema.

    Returns how many organisations' schemas held references. All or nothing: a protected
    reference anywhere stops the whole deletion.
    """
    from organizations.models import Organization

    touched = 0
    for schema in Organization.objects.values_list("schema_name", flat=True):
        with schema_context(schema):
            if _referenced_here(user.pk):
                _clear_references(user, schema)
                touched += 1
    with schema_context(settings.TENANT_BASE_SCHEMA):
        user.delete()
    return touched
