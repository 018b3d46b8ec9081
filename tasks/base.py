"""Task base classes: a tenant task refuses to run without a tenant schema."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import get_public_schema_name
from tenant_schemas_celery.task import TenantTask

from organizations.schemas import is_public_schema


class MissingTenantSchema(RuntimeError):
    """A tenant task was sent without a schema (or with the public one)."""


class TenantScopedTask(TenantTask):
    """For tasks that read or write one organisation's data.

    tenant-schemas-celery switches to the schema in the message headers before the task runs;
    with no header it stays on public, where a tenant task would silently see no data, or the
    wrong data. We refuse instead.
    """

    abstract = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if is_public_schema():
            raise MissingTenantSchema(
                f"task {self.name} needs a tenant schema; send it with tasks.base.send_to_tenant"
            )
        return super().__call__(*args, **kwargs)


def send_to_tenant(task: Any, schema_name: str, *args: Any, **kwargs: Any) -> Any:
    """Enqueue `task` to run in `schema_name`, whatever schema the caller is in."""
    if not schema_name or schema_name == get_public_schema_name():
        raise MissingTenantSchema("a tenant task needs a tenant schema name")
    return task.apply_async(args=args, kwargs=kwargs, headers={"_schema_name": schema_name})
