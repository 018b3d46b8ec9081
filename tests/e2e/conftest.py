"""Shared e2e fixtures: the platform served by a real runserver, headless Debian chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from base64 import b32decode
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from django.core.management import call_command

from demo.catalogue import DEMO_PASSWORD, DEMO_TOTP_SECRET

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
REPO = Path(__file__).resolve().parents[2]
# Without these, chromium keeps calling home and this closed network refuses it.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# What the served platform runs with (set by live_url): its worker gets the same.
SERVED_ENV: dict[str, str] = {}


@pytest.fixture(scope="session")
def live_url(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The platform served by a real `runserver` on the test database, demo region loaded
    (once for the whole e2e run).

    A separate process rather than pytest-django's live_server: that one flushes the public
    tables after each test, which PostgreSQL refuses while tenant tables reference users.
    """

    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Mailbox
    from django.conf import settings

    from devstack.services import _free_port

    # A real local SMTP server, as in `make run`: the demo's digests land in its Maildir,
    # which the served platform shows at /mail/.
    maildir = ARTIFACTS.parent / ".mail"
    smtp_port = _free_port()
    smtp = Controller(Mailbox(str(maildir)), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    mail_settings = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": smtp_port,
        "LOCAL_MAILDIR": str(maildir),
    }
    saved = {name: getattr(settings, name) for name in mail_settings}
    for name, value in mail_settings.items():
        setattr(settings, name, value)
    try:
        with django_db_blocker.unblock():
            call_command("load_demo")
    finally:
        for name, value in saved.items():
            setattr(settings, name, value)
    port = _free_port()
    database_url = urlparse(os.environ["DATABASE_URL"])
    env = {
        **os.environ,
        "DATABASE_URL": urlunparse(
            database_url._replace(path="/" + settings.DATABASES["default"]["NAME"])
        ),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        # Links in letters (invitations, digests) point at this server, as in `make run`.
        "PUBLIC_PORT_SUFFIX": f":{port}",
        **{name: str(value) for name, value in mail_settings.items()},
    }
    SERVED_ENV.clear()
    SERVED_ENV.update(env)  # the worker fixture runs with the same database and mail server
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", "--insecure", f"127.0.0.1:{port}"],
        cwd=REPO,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://localhost:{port}/healthz", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the test server did not start") from None
                time.sleep(0.2)
        yield f"http://{{host}}:{port}"
    finally:
        server.terminate()
        server.wait(timeout=15)
        smtp.stop()
        import shutil as _shutil

        _shutil.rmtree(maildir, ignore_errors=True)


@pytest.fixture(scope="session")
def worker(live_url):  # type: ignore[no-untyped-def]
    """A real Celery worker on the served test database, as `make run` has: big lists are read
    and invitation letters are sent by its tasks."""
    from django.conf import settings

    env = {**SERVED_ENV, "PYTHONPATH": f"{REPO / 'platform'}:{REPO}"}
    ARTIFACTS.mkdir(exist_ok=True)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--queues",
         settings.CELERY_TASK_DEFAULT_QUEUE, "--pool", "solo", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"],
        cwd=REPO, env=env, stdout=open(ARTIFACTS / "worker.log", "wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        time.sleep(3)
        yield worker
    finally:
        worker.terminate()
        worker.wait(timeout=30)


@pytest.fixture
def browser_page(live_url):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(locale="ru-RU")
        yield page, live_url
        browser.close()


def totp_code(key: bytes, *, steps_ahead: int = 0) -> str:
    """What an authenticator app holding `key` shows (or `steps_ahead` periods later)."""
    from django_otp.oath import TOTP

    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def pass_second_factor(page, key: bytes) -> None:  # type: ignore[no-untyped-def]
    """Type the authenticator's code on the two-factor page. A code is accepted once: if this
    period's code was used by an earlier login, the next period's (within tolerance) is."""
    for steps_ahead in (0, 1, 2):
        page.fill("input[name=code]", totp_code(key, steps_ahead=steps_ahead))
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        if "/accounts/two-factor/" not in page.url:
            return
        time.sleep(1.1)  # django-otp's back-off after a refused code
    raise AssertionError("the two-factor code was refused")


def login(page, base: str, username: str, password: str = DEMO_PASSWORD) -> None:  # type: ignore[no-untyped-def]
    """Log in through the real pages; demo roles that require 2FA use the demo authenticator."""
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_selector("h1")
    if "/accounts/two-factor/" in page.url:
        pass_second_factor(page, b32decode(DEMO_TOTP_SECRET))
        page.wait_for_selector("h1")


WIDTHS = {"desktop": (1366, 768), "phone": (390, 844)}


def shots(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """The page at desktop and phone width; nothing may overflow sideways on the phone."""
    ARTIFACTS.mkdir(exist_ok=True)
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
        if label == "phone":
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name}: {overflow}px wider than the phone"
    page.set_viewport_size({"width": 1366, "height": 900})
