"""Real processes for the fault tests: an embedded Redis killed and restarted, a PostgreSQL
cluster of the test's own (pgserver's binaries) restarted, the platform under gunicorn, Celery
workers and beat, each with its log in the test's folder."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from devstack.services import _free_port, _redis_answers, redis_command

REPO = Path(__file__).resolve().parents[2]


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def start_redis(directory: Path, port: int) -> None:
    """Started as a daemon; on a loaded machine a start right after a kill can lose the race
    for the port to the dying process, so a start that did not come up is tried again."""
    for _attempt in range(3):
        subprocess.run(redis_command(directory, port, daemonize=True), check=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if _redis_answers(port):
                return
            if _redis_pid(directory) is None and time.monotonic() > deadline - 25:
                break  # it exited (the port was still taken): start it again
            time.sleep(0.2)
        time.sleep(1)
    log = directory / "redis.log"
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    raise AssertionError(f"timed out waiting for redis on port {port}:\n{tail}")


def _redis_pid(directory: Path) -> int | None:
    """The daemon's pid while it runs, else None."""
    pid_file = directory / "redis.pid"
    try:
        pid = int(pid_file.read_text())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def kill_redis(directory: Path) -> None:
    """SIGKILL, as a machine losing the process would; returns once the process is gone, so
    that a restart finds the port free."""
    pid = _redis_pid(directory)
    if pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not _alive(pid), 15, "the killed redis to exit")
    (directory / "redis.pid").unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (the daemon's parent is gone, so init reaps it soon) no longer holds the port.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][:1] != "Z"
    except OSError:
        return False


class Postgres:
    """A cluster in `directory`, on 127.0.0.1:`port`, trust auth; restartable."""

    def __init__(self, directory: Path) -> None:
        import pgserver

        self.bin = Path(pgserver.__file__).parent / "pginstall" / "bin"
        self.data = directory
        self.port = _free_port()
        self.log = directory.parent / "postgres.log"
        # PostgreSQL refuses to run as root: as pgserver does, as its own system user then.
        self.user: str | None = None
        directory.mkdir()
        if os.geteuid() == 0:
            from pgserver.utils import ensure_prefix_permissions, ensure_user_exists

            self.user = "pgserver"
            entry = ensure_user_exists(self.user)
            ensure_prefix_permissions(directory)
            for path in (directory, directory.parent):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        subprocess.run([str(self.bin / "initdb"), "-D", str(directory), "-U", "postgres",
                        "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                       check=True, capture_output=True, user=self.user)  # fmt: skip

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                        "-o", options, "-w", *args], check=True, capture_output=True,
                       user=self.user)  # fmt: skip

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        """As an administrator's fast restart: sessions are cut, the server is back in ~1 s.
        Under load pg_ctl can give up waiting for the shutdown (exit 1) while the server is
        still going down or already up again: then it is waited for, or started."""
        try:
            self._ctl("restart", "-m", "fast")
        except subprocess.CalledProcessError:
            wait_for(self._back, 90, "postgres to finish its restart")

    def _back(self) -> bool:
        if self._status() == 3:  # the shutdown finished but nothing started it again
            self._ctl("start")
        ready = [str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"]
        return subprocess.run(ready, capture_output=True).returncode == 0

    def _status(self) -> int:
        """pg_ctl status: 0 running, 3 not running (4 no accessible data directory)."""
        return subprocess.run([str(self.bin / "pg_ctl"), "-D", str(self.data), "status"],
                              capture_output=True, user=self.user).returncode  # fmt: skip

    def stop(self) -> None:
        self._ctl("stop", "-m", "immediate")


def python_env(**overrides: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONPATH": f"{REPO / 'platform'}:{REPO}",
        **overrides,
    }


def run_module(env: dict[str, str], module: str, command: str) -> str:
    result = subprocess.run([sys.executable, "-m", module, command], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def spawn(logs: Path, name: str, env: dict[str, str], *command: str) -> subprocess.Popen[bytes]:
    """In a session of its own: `kill_group` ends it with every process it started (a prefork
    worker's pool children), as a machine losing the worker would."""
    return subprocess.Popen([sys.executable, "-m", *command], cwd=REPO, env=env, start_new_session=True,
                            stdout=open(logs / f"{name}.log", "wb"), stderr=subprocess.STDOUT)  # fmt: skip


def kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            kill_group(process)
        else:
            kill_group(process)  # what it left behind (pool children)


@contextlib.contextmanager
def database_of_its_own(suffix: str) -> Iterator[tuple[str, Callable[[], None]]]:
    """A database beside the test database on the same server (`<test db>_<suffix>`), empty;
    its URL and a function that drops and recreates it; dropped afterwards. For tests whose
    worker or restore must not touch the shared test database."""
    import psycopg
    from django.conf import settings

    name = f"{settings.DATABASES['default']['NAME']}_{suffix}"
    database = urlparse(os.environ["DATABASE_URL"])
    admin_url = urlunparse(database._replace(path="/postgres"))

    def admin(sql: str) -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql)

    def recreate() -> None:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin(f'CREATE DATABASE "{name}"')

    recreate()
    try:
        yield urlunparse(database._replace(path="/" + name)), recreate
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
