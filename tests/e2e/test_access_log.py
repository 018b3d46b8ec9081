"""Browser test (`make e2e`): a coordinator opens a pupil's card; the director then finds that
read in «Журнал доступа к данным несовершеннолетних» (screenshots at 1366 and 390 px)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def test_the_director_sees_in_the_access_log_that_the_coordinator_read_a_pupils_card(
    browser_page,
):
    page, url = browser_page
    base = url.format(host="sosh19.localhost")
    ARTIFACTS.mkdir(exist_ok=True)

    login(page, base, "coord.sosh19")
    coordinator = page.inner_text(".whoami a").split()[0]  # «Фамилия И. О.»
    page.goto(base + "/participants/?bank=mentees&category=pupil")
    first = page.locator("#bank-rows table tbody tr td a").first
    pupil = first.inner_text()
    first.click()
    page.wait_for_selector("text=несовершеннолетний")
    assert page.inner_text("h1") == pupil
    page.click("text=Выйти")

    login(page, base, "mentor.sosh19")
    page.goto(base + "/participants/audit/")
    assert page.inner_text("h1") == "Нет доступа"  # mentors do not read the log
    page.click("text=Выйти")

    login(page, base, "director.sosh19")
    page.click("nav.sections >> text=Базы наставников и наставляемых")
    page.click("text=Журнал доступа")
    page.wait_for_selector("h1:has-text('Журнал доступа к данным несовершеннолетних')")
    last_name, first_name = pupil.split()[:2]
    # Newest first: the coordinator's read of the pupil («Фамилия И. О.») is the top card row.
    row = page.locator("table.access-log tbody tr", has_text="карточка участника").first
    text = row.inner_text()
    assert coordinator in text and f"{last_name} {first_name[0]}." in text
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "sosh19-access-log-1366.png"), full_page=True)

    page.select_option("select[name=user]", label=row.locator("td").nth(1).inner_text())
    page.click("button:has-text('Показать')")
    page.wait_for_selector("text=Сбросить")
    assert "карточка участника" in page.inner_text("table.access-log")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "sosh19-access-log-390.png"), full_page=True)
