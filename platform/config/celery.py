"""The one Celery app: tenant-aware (tasks carry the schema they were sent from)."""

from __future__ import annotations

import os

from tenant_schemas_celery.app import CeleryApp as TenantAwareCeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = TenantAwareCeleryApp("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Task modules live in the top-level `tasks` package, not in `<app>.tasks`.
app.conf.imports = ["tasks.system"]
app.conf.beat_schedule = {}
