"""For the development entry points (manage.py, pytest, the Celery app): without
DATABASE_URL / REDIS_URL, start the embedded PostgreSQL and Redis and put their addresses in
the environment before the settings read it. Never in production (CMN_REQUIRE_SERVICES)."""

from __future__ import annotations

import os


def embedded_services_for_development() -> None:
    if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
        return
    if os.environ.get("CMN_REQUIRE_SERVICES", "").lower() in ("1", "true", "yes", "on"):
        return  # the settings will say what is missing
    if os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith(".production"):
        return
    from devstack.services import ensure_environ

    ensure_environ()
