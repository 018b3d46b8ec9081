"""Tests: real PostgreSQL and Redis, fast password hashing, Celery on the same Redis."""

from __future__ import annotations

import tempfile

from config.settings.base import *  # noqa: F403
from config.settings.base import CACHES, env

# `CMN_TODAY=2026-12-31 make test`: the whole run (and the workers it starts, which read these
# settings too) lives on that day from 10:00 Moscow time on, the clock ticking; no test may
# depend on the real date (`make test-calendar` runs the suite on three such days).
if env.str("CMN_TODAY", default=""):
    import datetime as _dt

    import time_machine

    _today = _dt.date.fromisoformat(env.str("CMN_TODAY"))
    time_machine.travel(
        _dt.datetime(_today.year, _today.month, _today.day, 7, 0, tzinfo=_dt.UTC), tick=True
    ).start()

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
# `make test` runs the suite in parallel processes (pytest-xdist); each has its own test
# database (pytest-django adds the worker's name) and, from this, its own Redis key space and
# Celery queue. The workers a test starts read these settings in the same environment.
_WORKER = env.str("PYTEST_XDIST_WORKER", default="")
# A separate key space, so tests never touch the keys of a running `make run`.
CACHES["default"]["KEY_PREFIX"] = f"cmn-test{_WORKER}"
TENANT_CACHE_SECONDS = 60
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[".localhost", "localhost", "testserver"])
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests use their own queue, so a `make run` worker on the same Redis never takes their tasks.
CELERY_TASK_DEFAULT_QUEUE = f"cmn-test{_WORKER}"
# Uploaded evidence goes to a throw-away folder, never into .data of a running `make run`.
MEDIA_ROOT = env.str("MEDIA_ROOT", default="") or tempfile.mkdtemp(prefix="cmn-test-media-")
