"""Fault test on real processes, in a database of its own: 3 organisations × 300 reminders; a
worker is SIGKILLed in the middle, the embedded Redis is restarted, two beat processes run at
once. Every reminder must be delivered exactly once: counted in the local SMTP server's Maildir
and in the inbox tables."""

from __future__ import annotations

import json
import mailbox
import os
import signal
import subprocess
import time
from urllib.parse import urlparse, urlunparse

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from django.conf import settings

from devstack.services import _free_port
from tests.faults.processes import (
    kill_redis,
    python_env,
    run_module,
    spawn,
    start_redis,
    stop_all,
    wait_for,
)
from tests.notifications.fault_world import ORGANIZATIONS, PEOPLE


def _run(env: dict[str, str], command: str) -> str:
    return run_module(env, "tests.notifications.fault_world", command)


@pytest.fixture
def fault_database():  # type: ignore[no-untyped-def]
    """A database of the fault test's own on the same server, migrated and filled by a
    subprocess, dropped afterwards (see fault_world for why not the shared test database)."""
    import psycopg

    name = f"{settings.DATABASES['default']['NAME']}_fault"
    database = urlparse(os.environ["DATABASE_URL"])
    admin_url = urlunparse(database._replace(path="/postgres"))

    def admin(sql: str) -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql)

    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    try:
        yield urlunparse(database._replace(path="/" + name))
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_every_reminder_is_delivered_exactly_once_through_crashes(fault_database, tmp_path):
    maildir = tmp_path / "mail"
    smtp_port = _free_port()
    smtp = Controller(Mailbox(str(maildir)), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    redis_dir = tmp_path / "redis"
    redis_dir.mkdir()
    redis_port = _free_port()
    start_redis(redis_dir, redis_port)
    env = python_env(
        DATABASE_URL=fault_database,
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        LOCAL_MAILDIR=str(maildir),
        REMINDER_SWEEP_SECONDS="3",
        REMINDER_LEASE_SECONDS="4",
        CELERY_VISIBILITY_TIMEOUT="20",
    )
    _run(env, "setup")
    logs = tmp_path / "logs"
    logs.mkdir()

    def start(name: str, *args: str) -> subprocess.Popen[bytes]:
        return spawn(logs, name, env, "celery", "-A", "config", *args)

    def delivered() -> int:
        return len(list(mailbox.Maildir(str(maildir), create=False))) if maildir.exists() else 0

    processes = []
    try:
        worker = start("worker1", "worker", "--pool", "solo", "--loglevel", "INFO")
        processes.append(worker)
        for n in (1, 2):  # two beats: the sweep lock and the outbox keys keep them harmless
            processes.append(
                start(f"beat{n}", "beat", "-s", str(tmp_path / f"beat{n}.db"), "--loglevel", "INFO")
            )
        wait_for(lambda: delivered() >= 60, 120, "the first emails")
        os.kill(worker.pid, signal.SIGKILL)  # mid-batch
        worker.wait()
        kill_redis(redis_dir)  # the broker goes away with whatever it held ...
        time.sleep(1)
        start_redis(redis_dir, redis_port)  # ... and comes back
        processes.append(start("worker2", "worker", "--pool", "solo", "--loglevel", "INFO"))
        total = ORGANIZATIONS * PEOPLE
        wait_for(lambda: delivered() >= total, 180, f"{total} emails")
        time.sleep(8)  # a few more sweeps: nothing must be sent twice

        ids = [str(m["Message-ID"]) for m in mailbox.Maildir(str(maildir), create=False)]
        assert len(ids) == total, f"{len(ids)} emails for {total} reminders"
        assert len(set(ids)) == total, "duplicate emails"
        assert json.loads(_run(env, "counts")) == [[PEOPLE, PEOPLE, 0]] * ORGANIZATIONS
    finally:
        stop_all(processes)
        kill_redis(redis_dir)
        smtp.stop()
