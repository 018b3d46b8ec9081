"""Monitoring of a program as its people walk it, in school 19: the mentee answers the entry
profile from her page; the coordinator opens the intermediate wave and the reminder sweep
brings it to the mentee's inbox, she answers by the personal link; the coordinator sees who
has not answered and reminds them; the final wave closes the program; the pair's page shows
«вход» against «выход»; the curator downloads the analytic report; the municipal specialist
sees the school's response rate and satisfaction index (or «…» under five answers)."""

from __future__ import annotations

import io

import pytest

from tests.e2e.conftest import login, shots

pytestmark = pytest.mark.e2e

COORDINATOR = "coord.sosh19"
MENTEE = "mentee.sosh19"  # Миронова Анна Павловна, a young specialist; her mentor is Ершова В.П.
MUNICIPAL = "mun.severny"


def _sweep_and_publish(django_db_blocker, *, rollups: bool = False) -> None:  # type: ignore[no-untyped-def]
    """What beat would do next: the school's reminder run; the rollup and the publication (in
    a thread of its own: the browser's event loop runs in this one, and Django's ORM refuses
    to run inside an event loop)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        pool.submit(_sweep, django_db_blocker, rollups).result()


def _sweep(django_db_blocker, rollups: bool) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from organizations.models import Organization
    from tenants.notifications.services import reminders_run

    with django_db_blocker.unblock():
        school = Organization.objects.get(slug="sosh19")
        with tenant_context(school):
            reminders_run(organization=school, now=timezone.now())
            if rollups:
                from regional_dashboard.rollups import rollup_refresh

                rollup_refresh(organization=school)
        if rollups:
            from regional_dashboard.publication import publish_due

            publish_due()
        connection.close()


def _answer_all(page, level: str) -> None:  # type: ignore[no-untyped-def]
    for radio in page.query_selector_all(f"input[type=radio][value='{level}']"):
        radio.check()
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('Спасибо')")


def test_a_programs_monitoring_from_entry_to_the_regions_figures(
    live_url, django_db_blocker, tmp_path
):  # type: ignore[no-untyped-def]
    from docx import Document
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    school = live_url.format(host="sosh19.localhost")
    public = live_url.format(host="localhost")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        mentee = browser.new_context(locale="ru-RU").new_page()
        curator = browser.new_context(locale="ru-RU", accept_downloads=True).new_page()

        # 1. The entry profile: the mentee finds it waiting on her page and answers it.
        login(mentee, school, MENTEE)
        mentee.click("text=Характеристики наставляемого педагога")
        mentee.wait_for_selector("text=отметок здесь нет")
        shots(mentee, "monitoring-answer")
        _answer_all(mentee, "1")

        # 2. The coordinator opens the intermediate wave of the pair's program.
        login(curator, school, COORDINATOR)
        curator.click("nav >> text=Мониторинг")
        curator.wait_for_selector("h1:has-text('Мониторинг программ наставничества')")
        shots(curator, "monitoring-overview")
        curator.click("text=Запланированные волны")
        curator.locator("details li", has_text="Промежуточный мониторинг").filter(
            has_text="Ершова"
        ).first.locator("a").click()
        curator.wait_for_selector("h1:has-text('Мониторинг программы наставничества')")
        curator.click("a:has-text('Промежуточный мониторинг')")
        curator.click("text=Открыть сейчас")
        curator.wait_for_selector("text=Волна открыта")

        # 3. The reminder sweep brings it to the mentee's inbox; she answers by the link.
        _sweep_and_publish(django_db_blocker)
        mentee.goto(school + "/notifications/")
        mentee.click(
            "a:has-text('Анкета оценки удовлетворённости программой наставничества (наставляемый)')"
        )
        mentee.wait_for_selector("text=Промежуточный мониторинг", state="attached")
        assert "/m/" in mentee.url
        _answer_all(mentee, "4")

        # 4. The coordinator sees who has not answered and reminds them.
        curator.reload()
        assert "не ответили" in curator.content() and "Ершова В.П." in curator.content()
        shots(curator, "monitoring-wave")
        curator.click("text=Напомнить тем, кто не ответил")
        curator.wait_for_selector("text=Напоминание отправлено: 1.")

        # 5. The final wave: the mentee's exit profile, then the program is completed.
        curator.click("text=← Мониторинг пары")
        curator.click("a:has-text('Итоговый мониторинг')")
        curator.click("text=Открыть сейчас")
        curator.wait_for_selector("text=Волна открыта")
        mentee.goto(school + "/")
        mentee.click(
            "li:has-text('Итоговый мониторинг') >> a:has-text('Характеристики наставляемого педагога')"
        )
        _answer_all(mentee, "3")
        curator.click("text=← Мониторинг пары")
        curator.click("text=← Пара")
        curator.click("text=Программа и встречи")
        curator.click("text=Запланировать или отметить встречу")
        curator.select_option("select[name=kind]", "final")
        curator.fill("textarea[name=notes]", "Подвели итоги полугодия")
        curator.click("button:has-text('Сохранить встречу')")
        curator.wait_for_selector("text=Встреча отмечена")
        curator.click("text=Завершить программу")
        curator.fill(
            "textarea[name=final_report]",
            "Анна Павловна уверенно ведёт уроки и собрания с родителями.",
        )
        curator.click("text=Завершить и сформировать отчёт")
        curator.wait_for_selector("text=Программа завершена")

        # 6. The pair's page: «вход» against «выход».
        curator.click("text=Мониторинг: «вход» и «выход»")
        curator.wait_for_selector("text=самооценка наставляемого")
        assert "проявляется редко" in curator.content() and "проявляется часто" in curator.content()
        assert "закрыта" in curator.content()
        shots(curator, "monitoring-pair")

        # 7. The curator's analytic report: her conclusions, everything else from the system.
        curator.click("text=Мониторинг школы")
        curator.click("text=Аналитический отчёт куратора")
        curator.fill(
            "textarea[name=conclusions]", "Программы дают рост уверенности молодых педагогов."
        )
        curator.click("text=Сохранить выводы и предложения")
        curator.wait_for_selector("text=Выводы и предложения сохранены")
        shots(curator, "monitoring-report")
        with curator.expect_download() as download:
            curator.click("text=Скачать отчёт (DOCX)")
        content = open(download.value.path(), "rb").read()
        text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
        assert (
            "ИТОГОВЫЙ АНАЛИТИЧЕСКИЙ ОТЧЁТ" in text and "рост уверенности молодых педагогов" in text
        )

        # 8. The municipal specialist: the school's rate and index, or «…» under five answers.
        _sweep_and_publish(django_db_blocker, rollups=True)
        specialist = browser.new_context(locale="ru-RU").new_page()
        login(specialist, public, MUNICIPAL)
        specialist.click("nav >> text=Мониторинг")
        specialist.wait_for_selector("h2:has-text('Мониторинг программ наставничества')")
        row = specialist.locator("#monitoring-table tr", has_text="МБОУ СОШ № 19")
        cells = row.locator("td.num").all_inner_texts()
        assert cells[1] and cells[2], cells  # the rate and the index: a figure or «…»
        shots(specialist, "monitoring-municipality")
        browser.close()
