"""Fault test on real processes, in a database of its own: 3 organisations × 150 people, each
with 3 reminders due today (one email digest of 3), every 5th also on the messenger. A prefork
worker (as `make run`) is SIGKILLed with its pool while the mail server holds an email it has
already stored (accepted, not yet recorded as sent); Redis is killed and restarted; the next
worker is killed while the bot API holds a message it has already received; two beats run at
once. Every email arrives exactly once (the Maildir settles the interrupted one), every
messenger message at most once and never twice (the interrupted one is not resent), every
in-app message exactly once."""

from __future__ import annotations

import json
import mailbox
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox

from devstack.services import _free_port
from tests.faults.processes import (
    database_of_its_own,
    kill_group,
    kill_redis,
    python_env,
    run_module,
    spawn,
    start_redis,
    stop_all,
    wait_for,
)
from tests.notifications.fault_world import MESSENGER_EVERY, ORGANIZATIONS, PEOPLE

HOLD_SECONDS = 8  # longer than it takes the test to kill the worker


def _run(env: dict[str, str], command: str) -> str:
    return run_module(env, "tests.notifications.fault_world", command)


class HoldingMailbox(Mailbox):
    """Stores each email; the `hold_at`-th it stores, it holds before answering 250."""

    def __init__(self, path: str, hold_at: int) -> None:
        super().__init__(path)
        self.stored, self.hold_at, self.holding = 0, hold_at, threading.Event()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        import asyncio

        answer = await super().handle_DATA(server, session, envelope)
        self.stored += 1
        if self.stored == self.hold_at:
            self.holding.set()
            await asyncio.sleep(HOLD_SECONDS)
        return answer


class HoldingBotApi(BaseHTTPRequestHandler):
    """The bot API: records each message; the `hold_at`-th it records, it holds before answering."""

    received: list[str] = []
    hold_at = 0
    holding = threading.Event()
    lock = threading.Lock()

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.lock:
            self.received.append(body["chat_id"])
            hold = len(self.received) == self.hold_at
        if hold:
            self.holding.set()
            threading.Event().wait(HOLD_SECONDS)
        payload = json.dumps({"ok": True, "result": {"message_id": len(self.received)}}).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the worker that asked is gone

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fault_database():  # type: ignore[no-untyped-def]
    """A database of the fault test's own, migrated and filled by a subprocess (see fault_world
    for why not the shared test database)."""
    with database_of_its_own("fault") as (url, _):
        yield url


def test_every_reminder_is_delivered_exactly_once_through_crashes(fault_database, tmp_path):
    maildir = tmp_path / "mail"
    handler = HoldingMailbox(str(maildir), hold_at=40)
    smtp_port = _free_port()
    smtp = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    HoldingBotApi.received, HoldingBotApi.hold_at = [], 10
    HoldingBotApi.holding = threading.Event()
    bot = ThreadingHTTPServer(("127.0.0.1", 0), HoldingBotApi)
    threading.Thread(target=bot.serve_forever, daemon=True).start()
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
        MESSENGER_API_URL=f"http://127.0.0.1:{bot.server_port}/bot-fault",
        REMINDER_SWEEP_SECONDS="3",
        REMINDER_LEASE_SECONDS="12",
        CELERY_VISIBILITY_TIMEOUT="20",
    )
    _run(env, "setup")
    logs = tmp_path / "logs"
    logs.mkdir()

    def worker(name: str):  # type: ignore[no-untyped-def]
        return spawn(logs, name, env, "celery", "-A", "config", "worker", "--pool", "prefork",
                     "--concurrency", "2", "--loglevel", "INFO")  # fmt: skip

    def delivered() -> list[str]:
        if not maildir.exists():
            return []
        return [str(m["Message-ID"]) for m in mailbox.Maildir(str(maildir), create=False)]

    processes = []
    try:
        first = worker("worker1")
        processes.append(first)
        for n in (1, 2):  # two beats: the sweep lock and the outbox keys keep them harmless
            processes.append(spawn(logs, f"beat{n}", env, "celery", "-A", "config", "beat", "-s",
                                   str(tmp_path / f"beat{n}.db"), "--loglevel", "INFO"))  # fmt: skip
        wait_for(handler.holding.is_set, 180, "the mail server to hold a stored email")
        kill_group(first)  # with its pool: the email is stored, its sending not recorded
        kill_redis(redis_dir)  # the broker goes away with whatever it held ...
        start_redis(redis_dir, redis_port)  # ... and comes back
        second = worker("worker2")
        processes.append(second)
        wait_for(HoldingBotApi.holding.is_set, 180, "the bot API to hold a received message")
        kill_group(second)  # the message was received, its sending not recorded
        processes.append(worker("worker3"))
        emails = ORGANIZATIONS * PEOPLE
        wait_for(lambda: len(delivered()) >= emails, 240, f"{emails} emails")
        chats = ORGANIZATIONS * len(range(0, PEOPLE, MESSENGER_EVERY))

        def settled() -> bool:
            found = json.loads(_run(env, "counts"))
            return sum(c["messenger_sent"] + c["messenger_dead"] for c in found) > 0 and all(
                c["messenger_other"] == 0 and c["email_unsent"] == 0 for c in found
            )

        wait_for(settled, 120, "every email and messenger row to settle")
        wait_for(lambda: len(set(HoldingBotApi.received)) >= chats, 60, f"{chats} messenger chats")

        ids = delivered()
        assert len(ids) == emails, f"{len(ids)} emails for {emails} people"
        assert len(set(ids)) == emails, "duplicate emails"
        per_chat = Counter(HoldingBotApi.received)
        assert len(per_chat) == chats and max(per_chat.values()) == 1, per_chat.most_common(3)
        found = json.loads(_run(env, "counts"))
        assert [(c["inbox"], c["inbox_rows"], c["email_unsent"]) for c in found] == [
            (PEOPLE * 3, PEOPLE * 3, 0)
        ] * ORGANIZATIONS
        # The interrupted message's rows are dead (not resent): 3 rows of one person.
        assert sum(c["messenger_dead"] for c in found) == 3
    finally:
        stop_all(processes)
        kill_redis(redis_dir)
        smtp.stop()
        bot.shutdown()
