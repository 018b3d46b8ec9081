"""Outages on real processes: the platform under gunicorn with a Celery worker (prefork, as
`make run`) and beat, on a PostgreSQL and a Redis of the test's own.

- Redis SIGKILLed and restarted while people read pages and add people to the bank: no answer
  is a 5xx, every write is kept, and the regional rollup catches up with every one of them
  (its marks are rows in PostgreSQL; the refreshes Redis lost are sent again).
- PostgreSQL restarted under the same traffic, and again while the rollup flush runs: reads
  are answered (retried on a new connection), a write gets 302 or the «попробуйте ещё раз»
  page, never a 500, and the rollup converges.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest

from devstack.services import _free_port
from tests.faults import processes
from tests.faults.processes import Postgres, kill_redis, start_redis, wait_for

pytestmark = pytest.mark.fault

CSRF = "f" * 32  # an unmasked secret: Django accepts it as both cookie and header
READS = ["/", "/participants/", "/roadmap/"]


@dataclass
class Stack:
    env: dict[str, str]
    port: int
    host: str
    session: str
    redis_dir: Path
    redis_port: int
    postgres: Postgres
    written: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def counts(self) -> dict[str, int]:
        return json.loads(processes.run_module(self.env, "tests.faults.outage_world", "counts"))

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "Host": f"{self.host}:{self.port}",
            "Cookie": f"sessionid={self.session}; csrftoken={CSRF}",
            "X-CSRFToken": CSRF,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        try:
            connection.request(method, path, urlencode(body or {}), headers)
            return connection.getresponse().status
        except OSError:
            return 0  # no answer at all: counted as a failure
        finally:
            connection.close()

    def add_mentor(self) -> int:
        with self.lock:
            self.written += 1
            n = self.written
        return self.request("POST", "/participants/new/", {
            "last_name": f"Сбоева{n}", "first_name": "Вера", "category": "teacher",
            "bank_role": "mentor", "capacity": "1",
        })  # fmt: skip


def traffic(stack: Stack, seconds: float, *, readers: int = 3, writers: int = 2) -> Counter[str]:
    """Readers and writers for `seconds`; what they got, as "GET 200", "POST 302"…"""
    seen: Counter[str] = Counter()
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def read() -> None:
        n = 0
        while time.monotonic() < stop:
            status = stack.request("GET", READS[n % len(READS)])
            n += 1
            with lock:
                seen[f"GET {status}"] += 1

    def write() -> None:
        while time.monotonic() < stop:
            status = stack.add_mentor()
            with lock:
                seen[f"POST {status}"] += 1

    threads = [threading.Thread(target=read) for _ in range(readers)]
    threads += [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return seen


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("outages")
    postgres = Postgres(root / "pg")
    postgres.start()
    redis_dir = root / "redis"
    redis_dir.mkdir()
    redis_port = _free_port()
    start_redis(redis_dir, redis_port)
    env = processes.python_env(
        DATABASE_URL=postgres.url,
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        ROLLUP_FLUSH_SECONDS="2",
        ROLLUP_REQUEUE_SECONDS="8",
        DISPATCH_RELAY_AFTER_SECONDS="3",
        CMN_DATA_DIR=str(root / "data"),
    )
    world = json.loads(processes.run_module(env, "tests.faults.outage_world", "setup"))
    port = _free_port()
    logs = root / "logs"
    logs.mkdir()
    running = [
        processes.spawn(logs, "web", env, "gunicorn", "config.wsgi:application", "--bind",
                        f"127.0.0.1:{port}", "--workers", "2", "--threads", "4", "--timeout", "60"),
        processes.spawn(logs, "worker", env, "celery", "-A", "config", "worker", "--pool", "prefork",
                        "--concurrency", "2", "--loglevel", "INFO"),
        processes.spawn(logs, "beat", env, "celery", "-A", "config", "beat", "-s",
                        str(root / "beat.db"), "--loglevel", "INFO"),
    ]  # fmt: skip
    found = Stack(env, port, world["host"], world["session"], redis_dir, redis_port, postgres)
    try:
        wait_for(lambda: found.request("GET", "/") == 200, 60, "the platform to answer")
        yield found
    finally:
        processes.stop_all(running)
        kill_redis(redis_dir)
        postgres.stop()


def _converged(stack: Stack) -> bool:
    counts = stack.counts()
    return counts["rollup_mentors"] == counts["mentors"] and counts["marks"] == 0


def test_redis_killed_during_reads_and_writes_loses_nothing(stack):
    before = stack.counts()["mentors"]
    outage = threading.Timer(2, kill_redis, [stack.redis_dir])
    back = threading.Timer(6, start_redis, [stack.redis_dir, stack.redis_port])
    outage.start()
    back.start()
    seen = traffic(stack, 9)
    back.join()
    assert not [k for k in seen if not k.endswith((" 200", " 302"))], seen
    assert seen["POST 302"] > 5 and seen["GET 200"] > 20, seen
    assert stack.counts()["mentors"] == before + seen["POST 302"]
    # The regional layer sees every one of them: marks survived, lost refreshes were resent.
    wait_for(lambda: _converged(stack), 60, "the rollup to count every mentor")


def test_postgres_restarted_under_traffic_and_during_the_flush_converges(stack):
    before = stack.counts()["mentors"]
    restart = threading.Timer(2, stack.postgres.restart)
    restart.start()
    seen = traffic(stack, 7)
    restart.join()
    assert set(seen) <= {"GET 200", "POST 302", "POST 503"}, seen  # a 503 is the try-again page
    assert seen["GET 200"] > 20, seen
    after = stack.counts()["mentors"]
    assert before + seen["POST 302"] <= after <= before + seen["POST 302"] + seen["POST 503"]
    # Changes, then a restart while the flush (every 2 s) refreshes them.
    for _ in range(5):
        assert stack.add_mentor() == 302
    time.sleep(1.5)
    stack.postgres.restart()
    wait_for(lambda: _converged(stack), 60, "the rollup to converge after the restart")
