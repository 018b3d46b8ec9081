"""The one Celery app: tenant-aware (tasks carry the schema they were sent from)."""

from __future__ import annotations

import os

from celery.schedules import crontab
from celery.signals import task_postrun, task_prerun
from tenant_schemas_celery.app import CeleryApp as TenantAwareCeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
if os.environ["DJANGO_SETTINGS_MODULE"] != "config.settings.production":
    from devstack.entry import embedded_services_for_development

    embedded_services_for_development()  # a bare `celery -A config worker` in development

app = TenantAwareCeleryApp("config")


@task_prerun.connect
@task_postrun.connect
def _close_old_connections(**_: object) -> None:
    """What Django does around a request: drop a connection that broke or outlived
    CONN_MAX_AGE; otherwise keep it (see CELERY_DB_REUSE_MAX in the settings)."""
    from django.db import close_old_connections

    close_old_connections()


app.config_from_object("django.conf:settings", namespace="CELERY")
# Task modules live in the top-level `tasks` package, not in `<app>.tasks`.
app.conf.imports = [
    "tasks.system", "tasks.reminders", "tasks.rollups", "tasks.imports", "tasks.accounts",
]  # fmt: skip
app.conf.beat_schedule = {
    # The one entry that drives all reminders: each organisation's are due at its local
    # morning hour, so a short interval only bounds the delay (REMINDER_SWEEP_SECONDS).
    "reminders-sweep": {
        "task": "reminders.sweep",
        "schedule": float(os.environ.get("REMINDER_SWEEP_SECONDS", "300")),
    },
    # Organisations changed since the last flush get their rollup recomputed, once each:
    # the interval is the debounce and bounds the change-to-visible time.
    "rollups-flush": {
        "task": "rollups.flush",
        "schedule": float(os.environ.get("ROLLUP_FLUSH_SECONDS", "15")),
    },
    # The regions whose rollups changed get their figures published (disclosure control over
    # the whole region): as often as the flush, so a change is visible one interval later.
    "rollups-publish": {
        "task": "rollups.publish",
        "schedule": float(os.environ.get("ROLLUP_FLUSH_SECONDS", "15")),
    },
    # The same for the region's figures of the teachers' routes (ИОМ).
    "cnppm-publish": {
        "task": "cnppm.publish",
        "schedule": float(os.environ.get("ROLLUP_FLUSH_SECONDS", "15")),
    },
    # Every organisation at night (03:00 Moscow), repairing anything a mark missed.
    "rollups-nightly": {"task": "rollups.refresh_all", "schedule": crontab(hour=0, minute=0)},
    # Upload previews hold personal data (a school's whole bank) and are confirmable for
    # IMPORT_PREVIEW_HOURS; hourly, an expired one lives at most an hour past that.
    "imports-cleanup": {"task": "imports.cleanup", "schedule": crontab(minute=17)},
    # Tasks whose commit could not hand them to the broker (Redis down) are sent once it is back.
    "dispatch-relay": {
        "task": "dispatch.relay",
        "schedule": float(os.environ.get("DISPATCH_RELAY_AFTER_SECONDS", "30")),
    },
    # Invitation letters whose send failed (mail server down) or whose task was lost.
    "invitations-retry": {"task": "accounts.invitations_retry", "schedule": 120.0},
}
