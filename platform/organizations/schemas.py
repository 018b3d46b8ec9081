"""Typed access to the tenant state django-tenants keeps on the database connection."""

from __future__ import annotations

from typing import Any, cast

from django.db import connection
from django_tenants.utils import get_public_schema_name


def _tenant_connection() -> Any:
    # django-tenants' backend adds schema_name/tenant/set_schema_to_public to the wrapper.
    return cast(Any, connection)


def current_schema_name() -> str:
    return str(_tenant_connection().schema_name)


def current_tenant() -> Any:
    return _tenant_connection().tenant


def is_public_schema() -> bool:
    return current_schema_name() == get_public_schema_name()


def use_public_schema() -> None:
    _tenant_connection().set_schema_to_public()
