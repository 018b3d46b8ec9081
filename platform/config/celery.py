"""The one Celery app: tenant-aware (tasks carry the schema they were sent from)."""

from __future__ import annotations

import os

from tenant_schemas_celery.app import CeleryApp as TenantAwareCeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = TenantAwareCeleryApp("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Task modules live in the top-level `tasks` package, not in `<app>.tasks`.
app.conf.imports = ["tasks.system", "tasks.reminders"]
app.conf.beat_schedule = {
    # The one entry that drives all reminders: each organisation's are due at its local
    # morning hour, so a short interval only bounds the delay (REMINDER_SWEEP_SECONDS).
    "reminders-sweep": {
        "task": "reminders.sweep",
        "schedule": float(os.environ.get("REMINDER_SWEEP_SECONDS", "300")),
    },
}
