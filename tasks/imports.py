"""Import tasks: read a stored upload into its preview, write a confirmed one, drop expired ones.

Tenant uploads run in their organisation's schema (TenantScopedTask, sent with send_to_tenant);
the regional operator's onboarding lists in public.
"""

from __future__ import annotations

from django_tenants.utils import get_public_schema_name, schema_context

from config.celery import app
from tasks.base import TenantScopedTask, send_to_tenant


@app.task(name="imports.process_tenant", base=TenantScopedTask)
def process_tenant(job_id: int) -> str:
    from core.imports import import_job_process

    return import_job_process(job_id=job_id)


@app.task(name="imports.apply_tenant", base=TenantScopedTask)
def apply_tenant(job_id: int) -> str:
    from core.imports import import_job_apply

    return import_job_apply(job_id=job_id)


@app.task(name="imports.process_public")
def process_public(job_id: int) -> str:
    from core.imports import import_job_process

    with schema_context(get_public_schema_name()):
        return import_job_process(job_id=job_id)


@app.task(name="imports.apply_public")
def apply_public(job_id: int) -> str:
    from core.imports import import_job_apply

    with schema_context(get_public_schema_name()):
        return import_job_apply(job_id=job_id)


@app.task(name="imports.cleanup_tenant", base=TenantScopedTask)
def cleanup_tenant() -> int:
    """The organisation's expired previews, and its form keys past their week (idempotency)."""
    from core.idempotency import submitted_forms_cleanup
    from core.imports import import_jobs_cleanup

    return import_jobs_cleanup() + submitted_forms_cleanup()


@app.task(name="imports.cleanup")
def cleanup() -> int:
    """Public's expired previews, then one task per active organisation for its own."""
    from core.imports import import_jobs_cleanup
    from organizations.models import Organization

    with schema_context(get_public_schema_name()):
        deleted = import_jobs_cleanup()
        schemas = list(
            Organization.objects.filter(is_active=True).values_list("schema_name", flat=True)
        )
    for schema in schemas:
        send_to_tenant(cleanup_tenant, schema)
    return deleted
