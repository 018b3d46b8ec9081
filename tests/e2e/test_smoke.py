"""Browser smoke test (`make e2e`): headless Debian chromium logs in and sees the organisation home."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from demo.catalogue import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
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


@pytest.fixture
def browser_page(transactional_db, live_server):  # type: ignore[no-untyped-def]
    call_command("load_demo")
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the live
    # server happen in its own thread, so Django's async guard is only a false alarm here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(locale="ru-RU")
        yield (
            page,
            live_server.url.replace("://localhost", "://{host}").replace(
                "://127.0.0.1", "://{host}"
            ),
        )
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def test_coordinator_logs_in_and_sees_the_organisation_home(browser_page):
    page, url = browser_page
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(url.format(host="localhost") + "/")
    assert "МБОУ СОШ № 19" in page.content()

    page.goto(url.format(host="sosh19.localhost") + "/")
    assert "/accounts/login/" in page.url
    page.fill("input[name=username]", "coord.sosh19")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1")
    assert page.inner_text("h1") == "МБОУ СОШ № 19"
    assert "Куратор (координатор) наставничества" in page.content()
    page.screenshot(path=str(ARTIFACTS / "sosh19-home.png"), full_page=True)

    response = page.goto(url.format(host="dou8.localhost") + "/accounts/login/")
    assert response is not None and response.ok
    page.fill("input[name=username]", "coord.sosh19")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1")
    assert page.inner_text("h1") == "Нет доступа"
