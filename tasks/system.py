"""Platform-level tasks: health probes of the worker in the public and tenant schemas."""

from __future__ import annotations

from django.db import connection

from config.celery import app
from organizations.schemas import current_schema_name, current_tenant
from tasks.base import TenantScopedTask


@app.task(name="system.public_ping", ignore_result=False)
def public_ping() -> str:
    """The worker is alive and reaches the database (public schema)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return str(cursor.fetchone()[0])


@app.task(name="system.tenant_probe", base=TenantScopedTask, ignore_result=False)
def tenant_probe() -> dict[str, str]:
    """Which schema the task ran in, as PostgreSQL and django-tenants see it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        current = str(cursor.fetchone()[0])
    return {
        "schema": current_schema_name(),
        "current_schema": current,
        "tenant": str(current_tenant()),
    }


@app.task(name="dispatch.relay")
def relay() -> int:
    """Send the tasks kept in PostgreSQL while the broker was unreachable."""
    from dispatch.services import pending_relay

    return pending_relay()
