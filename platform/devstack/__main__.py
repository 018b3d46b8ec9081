"""`python -m devstack run|exec|stop`: the launcher behind `make run` and `make test`."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from urllib.parse import urlparse

from devstack.services import (
    REPO_ROOT,
    _redis_answers,
    data_dir,
    redis_process,
    start_mail,
    start_stack,
    stop_postgres,
    stop_redis,
)
from devstack.supervisor import GivingUp, Supervisor

MANAGE = [sys.executable, str(REPO_ROOT / "manage.py")]


def _exec(command: list[str]) -> int:
    stack = start_stack(owner=True)
    env = {**os.environ, **stack.environ()}
    try:
        return subprocess.call(command, env=env)
    finally:
        stack.stop()


def _banner(port: int) -> str:
    from demo.catalogue import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_logins

    lines = [
        "",
        "Платформа наставничества запущена.",
        f"  Региональный уровень:  http://localhost:{port}/",
        f"  Администрирование:     http://localhost:{port}/admin/",
        f"  API (OpenAPI):         http://localhost:{port}/api/docs/",
        f"  Письма платформы:      http://localhost:{port}/mail/",
        "",
        f"Демо-пользователи (пароль для всех: {DEMO_PASSWORD}):",
    ]
    for login, role, where in demo_logins():
        host = f"http://{where}.localhost:{port}/" if where else f"http://localhost:{port}/"
        lines.append(f"  {login:<24} {role:<44} {host}")
    lines += [
        "",
        "Двухфакторная аутентификация (оператор, тьютор, муниципалитеты, руководители, admin):",
        "  код для входа:  .venv/bin/python manage.py demo_totp <логин>",
        f"  или ключ в приложение-аутентификатор: {DEMO_TOTP_SECRET}",
        "",
        "Ctrl-C останавливает всё.",
        "",
    ]
    return "\n".join(lines)


def _wait_until_serving(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://localhost:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.3)


def _run(port: int) -> int:
    stack = start_stack(owner=True)
    supervisor = Supervisor()
    env = {
        **os.environ,
        **stack.environ(),
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "PUBLIC_PORT_SUFFIX": f":{port}",
    }
    redis_port = urlparse(stack.redis_url or "").port or 0
    if stack._redis_process is not None:  # ours: restarted on the same port if it dies
        first, stack._redis_process = stack._redis_process, None
        supervisor.add("Redis", lambda: redis_process(redis_port), first)
    elif stack.redis_url:  # the embedded one another process started: ours if it goes away
        supervisor.add_running(
            "Redis", lambda: redis_process(redis_port), lambda: _redis_answers(redis_port)
        )

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    # Installed explicitly: a shell starting us in the background hands down SIGINT ignored.
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)

    def stop_all(*_: object) -> None:
        children = supervisor.processes()
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        stack.stop()

    try:
        mail_env, mail = start_mail()
        env.update(mail_env)
        mail_port = int(mail_env["EMAIL_PORT"])
        supervisor.add("Почтовый сервер", lambda: start_mail(mail_port)[1], mail)
        subprocess.run([*MANAGE, "migrate", "--noinput"], env=env, check=True)
        subprocess.run([*MANAGE, "load_demo"], env=env, check=True)
        celery = [sys.executable, "-m", "celery", "-A", "config"]
        schedule = str(data_dir() / "celerybeat-schedule")

        def command(*args: str) -> Callable[[], subprocess.Popen[bytes]]:
            return lambda: subprocess.Popen(list(args), env=env)

        supervisor.add("Веб-сервер", command(*MANAGE, "runserver", f"0.0.0.0:{port}"))
        supervisor.add(
            "Воркер Celery", command(*celery, "worker", "--loglevel", "INFO", "--concurrency", "2")
        )
        supervisor.add(
            "Планировщик Celery", command(*celery, "beat", "--loglevel", "INFO", "-s", schedule)
        )
        time.sleep(2)
        print(_banner(port), flush=True)
        supervisor.watch()
        return 1  # watch() returns only by raising
    except GivingUp:
        return 1
    except KeyboardInterrupt:
        print("\nОстанавливаю…", flush=True)
        return 0
    except subprocess.CalledProcessError as error:
        print(f"Команда завершилась с ошибкой: {error.cmd}", file=sys.stderr)
        return error.returncode or 1
    finally:
        stop_all()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack")
    sub = parser.add_subparsers(dest="action", required=True)
    run = sub.add_parser("run", help="migrate, load the demo region, serve with worker and beat")
    run.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    exec_ = sub.add_parser("exec", help="run a command with DATABASE_URL/REDIS_URL set")
    exec_.add_argument("command", nargs=argparse.REMAINDER)
    sub.add_parser("stop", help="stop embedded services left running")
    args = parser.parse_args(argv)

    if args.action == "run":
        return _run(args.port)
    if args.action == "exec":
        command = args.command[1:] if args.command[:1] == ["--"] else args.command
        if not command:
            parser.error("nothing to run")
        return _exec(command)
    stop_redis()
    stop_postgres()
    return 0


if __name__ == "__main__":
    sys.exit(main())
