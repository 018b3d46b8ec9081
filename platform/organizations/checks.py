"""System checks for the schema-per-organisation layout."""

from __future__ import annotations

import functools
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import checks


@functools.cache
def tenant_only_labels() -> frozenset[str]:
    shared = set(settings.SHARED_APPS)
    return frozenset(
        app.label
        for app in apps.get_app_configs()
        if app.name in settings.TENANT_APPS and app.name not in shared
    )


@checks.register(checks.Tags.database)
def tenant_references_to_shared_tables(**_: Any) -> list[checks.CheckMessage]:
    """A tenant table may point at a shared table (a user), but without a database constraint.

    Every foreign key adds two triggers to the table it references. Fifteen references to
    `accounts_user` in each of 2,000 schemas would hang 60,000 triggers on that one table: every
    new connection loads them, every login's UPDATE walks them, and each new schema's DDL gets
    slower than the last. Integrity is kept by `accounts.services.user_delete` instead.
    """
    tenant_labels = tenant_only_labels()
    errors: list[checks.CheckMessage] = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in tenant_labels:
            continue
        for field in model._meta.get_fields(include_hidden=True):
            if not (field.is_relation and field.concrete and field.related_model):
                continue
            if field.related_model._meta.app_label in tenant_labels:
                continue
            if getattr(field, "db_constraint", False):
                errors.append(
                    checks.Error(
                        f"{model._meta.label}.{field.name} ссылается на общую таблицу "
                        f"{field.related_model._meta.db_table} с ограничением в базе.",
                        hint="Укажите db_constraint=False: ссылки из схем организаций на общие "
                        "таблицы проверяет accounts.services.user_delete.",
                        obj=field,
                        id="organizations.E001",
                    )
                )
    return errors
