"""Fault test on real processes: 3 organisations × 300 reminders; a worker is SIGKILLed in the
middle, the embedded Redis is restarted, two beat processes run at once. Every reminder must be
delivered exactly once: counted in the local SMTP server's Maildir and in the inbox tables."""

from __future__ import annotations

import mailbox
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from django.conf import settings
from django.db import connection
from django_tenants.utils import tenant_context

from devstack.services import _free_port, _redis_answers, redis_command

REPO = Path(__file__).resolve().parents[2]
ORGANIZATIONS = 3
PEOPLE = 300  # each responsible for one item due today: 300 inbox messages and 300 emails each

pytestmark = pytest.mark.django_db


def _wait(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _start_redis(directory: Path, port: int) -> None:
    subprocess.run(redis_command(directory, port, daemonize=True), check=True)
    _wait(lambda: _redis_answers(port), 15, "redis")


def _stop_redis(directory: Path) -> None:
    pid_file = directory / "redis.pid"
    if pid_file.exists():
        try:
            os.kill(int(pid_file.read_text()), signal.SIGKILL)
        except ProcessLookupError:
            pass
        pid_file.unlink(missing_ok=True)


def _in_thread(function):  # type: ignore[no-untyped-def]
    """Run on a connection of its own, committed at once: the test's own connection sits in a
    transaction that the worker process could never see."""
    import threading

    from django.db import connections

    result: list[object] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(function())
        except BaseException as error:  # re-raised in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0] if result else None


@pytest.fixture
def three_organisations(django_db_blocker):  # type: ignore[no-untyped-def]
    """Committed data (the worker is another process): organisations, people, items due today."""
    from accounts.models import Membership, Role, User
    from organizations.models import Municipality, Organization, Region
    from organizations.services import OrganizationData, organization_provision
    from tenants.notifications.models import ReminderSettings
    from tenants.roadmap.models import ItemOccurrence, RoadmapItem
    from tenants.roadmap.services import roadmap_create

    def create():  # type: ignore[no-untyped-def]
        region = Region.objects.create(name="Область отказов", code="96")
        municipality = Municipality.objects.create(region=region, name="Район отказов")
        organizations = []
        for n in range(ORGANIZATIONS):
            organization = organization_provision(data=OrganizationData(
                full_name=f"Школа отказов {n}", short_name=f"Школа отказов {n}", slug=f"fault{n}",
                kind="school", municipality=municipality, timezone=["Europe/Moscow", "Asia/Krasnoyarsk",
                                                                    "Asia/Vladivostok"][n],
            ))  # fmt: skip
            users = User.objects.bulk_create(
                [
                    User(username=f"fault{n}.{i}", email=f"p{i}@fault{n}.test", last_name=f"Ф{i}")
                    for i in range(PEOPLE)
                ]
            )
            Membership.objects.bulk_create(
                [Membership(user=u, role=Role.MENTOR, organization=organization) for u in users]
            )
            with tenant_context(organization):
                today = organization.local_today()
                reminder_settings = ReminderSettings.current()
                reminder_settings.morning_hour = 0
                reminder_settings.save()
                roadmap = roadmap_create(organization=organization, academic_year=organization.academic_year_of(today) + 5,
                                         template_code="")  # fmt: skip
                items = RoadmapItem.objects.bulk_create(
                    [RoadmapItem(roadmap=roadmap, position=i, number=str(i), title=f"Пункт {i}",
                                 deadline_text="сегодня", starts_on=today, due_on=today) for i in range(PEOPLE)]
                )  # fmt: skip
                ItemOccurrence.objects.bulk_create(
                    [ItemOccurrence(item=i, due_on=today) for i in items]
                )
                through = RoadmapItem.responsible_users.through
                through.objects.bulk_create(
                    [
                        through(roadmapitem_id=i.pk, user_id=u.pk)
                        for i, u in zip(items, users, strict=True)
                    ]
                )
            organizations.append(organization)
        return region, municipality, organizations

    with django_db_blocker.unblock():
        region, municipality, organizations = _in_thread(create)
    yield organizations

    def drop() -> None:
        for organization in organizations:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{organization.schema_name}" CASCADE')
            Organization.objects.filter(pk=organization.pk).delete()
        # Raw SQL: Django's delete collector would look for the users' rows in tenant tables
        # (responsible people), which exist only in the schemas just dropped.
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM accounts_membership WHERE user_id IN "
                "(SELECT id FROM accounts_user WHERE username LIKE 'fault%%')"
            )
            cursor.execute(
                "DELETE FROM messaging_preference WHERE user_id IN "
                "(SELECT id FROM accounts_user WHERE username LIKE 'fault%%')"
            )
            cursor.execute("DELETE FROM accounts_user WHERE username LIKE 'fault%%'")
        municipality.delete()
        region.delete()

    with django_db_blocker.unblock():
        _in_thread(drop)


def test_every_reminder_is_delivered_exactly_once_through_crashes(
    three_organisations, tmp_path, django_db_blocker
):
    maildir = tmp_path / "mail"
    smtp_port = _free_port()
    smtp = Controller(Mailbox(str(maildir)), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    redis_dir = tmp_path / "redis"
    redis_dir.mkdir()
    redis_port = _free_port()
    _start_redis(redis_dir, redis_port)
    database = urlparse(os.environ["DATABASE_URL"])
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": urlunparse(
            database._replace(path="/" + settings.DATABASES["default"]["NAME"])
        ),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "LOCAL_MAILDIR": str(maildir),
        "REMINDER_SWEEP_SECONDS": "3",
        "REMINDER_LEASE_SECONDS": "4",
        "CELERY_VISIBILITY_TIMEOUT": "20",
        "PYTHONPATH": f"{REPO / 'platform'}:{REPO}",
    }
    celery = [sys.executable, "-m", "celery", "-A", "config"]
    logs = tmp_path / "logs"
    logs.mkdir()

    def start(name: str, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([*celery, *args], cwd=REPO, env=env, stdout=open(logs / f"{name}.log", "wb"),
                                stderr=subprocess.STDOUT)  # fmt: skip

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
        _wait(lambda: delivered() >= 60, 120, "the first emails")
        os.kill(worker.pid, signal.SIGKILL)  # mid-batch
        worker.wait()
        _stop_redis(redis_dir)  # the broker goes away with whatever it held ...
        time.sleep(1)
        _start_redis(redis_dir, redis_port)  # ... and comes back
        processes.append(start("worker2", "worker", "--pool", "solo", "--loglevel", "INFO"))
        total = ORGANIZATIONS * PEOPLE
        _wait(lambda: delivered() >= total, 180, f"{total} emails")
        time.sleep(8)  # a few more sweeps: nothing must be sent twice

        ids = [str(m["Message-ID"]) for m in mailbox.Maildir(str(maildir), create=False)]
        assert len(ids) == total, f"{len(ids)} emails for {total} reminders"
        assert len(set(ids)) == total, "duplicate emails"
        from tenants.notifications.models import InboxMessage, Outbox

        def counts() -> list[tuple[int, int, int]]:
            # On a connection of its own: the test's transaction must not hold locks on these
            # schemas, which the fixture drops afterwards.
            found = []
            for organization in three_organisations:
                with tenant_context(organization):
                    found.append((
                        InboxMessage.objects.count(),
                        InboxMessage.objects.values("outbox_id").distinct().count(),
                        Outbox.objects.exclude(status="sent").count(),
                    ))  # fmt: skip
            return found

        with django_db_blocker.unblock():
            assert _in_thread(counts) == [(PEOPLE, PEOPLE, 0)] * ORGANIZATIONS
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        _stop_redis(redis_dir)
        smtp.stop()
