"""`make run` keeps its processes: a killed one is started again with a line in the log (real
child processes here, as the launcher's); one that cannot stay up stops the stack."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from devstack import supervisor
from devstack.supervisor import GivingUp, Supervisor


def _sleeper() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def _crasher() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])


@pytest.fixture
def lines():  # type: ignore[no-untyped-def]
    return []


def test_a_killed_worker_is_started_again_and_the_log_says_so(lines):
    watched = Supervisor(log=lines.append)
    worker = watched.add("Воркер Celery", _sleeper)
    redis = watched.add("Redis", _sleeper)
    first = worker.process
    try:
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        assert watched.check() == 1
        assert worker.process is not first and worker.process.poll() is None
        assert redis.process.poll() is None  # the others are left alone
        assert lines == ["Воркер Celery: остановился (код -9); перезапускаю."]
    finally:
        for process in watched.processes():
            process.kill()
            process.wait()


def test_a_process_that_keeps_crashing_stops_the_stack(lines):
    watched = Supervisor(log=lines.append)
    child = watched.add("Веб-сервер", _crasher)
    now = 1000.0
    with pytest.raises(GivingUp):
        for n in range(supervisor.CRASH_LIMIT):
            child.process.wait()
            watched.check(now=now + n)
    assert lines[-1] == "Веб-сервер: остановился 5 раз за минуту (код 3); останавливаю всё."
    assert len(lines) == supervisor.CRASH_LIMIT


def test_exits_far_apart_are_restarted_every_time(lines):
    watched = Supervisor(log=lines.append)
    child = watched.add("Планировщик Celery", _crasher)
    for n in range(supervisor.CRASH_LIMIT + 2):
        child.process.wait()
        assert watched.check(now=1000.0 + n * (supervisor.CRASH_WINDOW + 1)) == 1
    child.process.wait()


def test_a_server_someone_else_started_is_started_by_us_when_it_stops_answering(lines):
    watched = Supervisor(log=lines.append)
    answering = [True]
    redis = watched.add_running("Redis", _sleeper, alive=lambda: answering[0])
    try:
        assert watched.check() == 0 and redis.process is None
        answering[0] = False  # killed by someone
        assert watched.check() == 1
        assert redis.process is not None and redis.process.poll() is None  # ours now
        assert lines == ["Redis: остановился (код не отвечает); перезапускаю."]
    finally:
        for process in watched.processes():
            process.kill()
            process.wait()
