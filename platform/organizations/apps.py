"""Registry of regions, municipalities and organisations (tenants); provisioning."""

from __future__ import annotations

from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = "Реестр организаций"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from organizations import checks, signals, tenant_cache  # noqa: F401  (connects receivers)

        post_migrate.connect(signals.keep_template_schema_migrated, sender=self)
