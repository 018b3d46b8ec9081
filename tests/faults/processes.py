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
    subprocess.run(redis_command(directory, port, daemonize=True), check=True)
    wait_for(lambda: _redis_answers(port), 15, "redis")


def kill_redis(directory: Path) -> None:
    pid_file = directory / "redis.pid"
    if pid_file.exists():
        try:
            os.kill(int(pid_file.read_text()), signal.SIGKILL)
        except ProcessLookupError:
            pass
        pid_file.unlink(missing_ok=True)


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
        """As an administrator's fast restart: sessions are cut, the server is back in ~1 s."""
        self._ctl("restart", "-m", "fast")

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
