"""Browser smoke test (`make e2e`): headless Debian chromium logs in and sees the organisation home."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from demo.catalogue import DEMO_PASSWORD
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import login as _login

# django_db: so that pytest-django creates the test database the served process uses.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


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


def test_kindergarten_coordinator_works_with_the_roadmap(browser_page, tmp_path):
    """dou8's coordinator: nearest deadlines, marks an item done with a file, imports a DOCX,
    and subscribes to the ICS feed."""
    from tests.roadmap.seeds import DOU8, docx_from_rows, seed_table_rows

    page, url = browser_page
    base = url.format(host="dou8.localhost")
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", "coord.dou8")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Ближайшие сроки")

    page.click("nav.sections >> text=Дорожная карта")
    page.wait_for_selector("table.roadmap-table")
    assert "Подготовка нормативной базы" in page.content()
    page.click("text=Мотивация и поощрения наставников")
    scan = tmp_path / "Приказ о поощрении.pdf"
    scan.write_bytes(b"%PDF-1.4 demo scan")
    page.select_option("select[name=status]", "done")
    page.set_input_files("input[name=files]", str(scan))
    page.click("text=Сохранить")
    page.wait_for_selector(".message")
    content = page.content()
    assert "выполнено" in content and "Приказ о поощрении.pdf" in content
    page.screenshot(path=str(ARTIFACTS / "dou8-item-done.png"), full_page=True)

    docx = tmp_path / "dorozhnaya-karta.docx"
    docx.write_bytes(docx_from_rows(seed_table_rows(DOU8)))
    page.goto(base + "/roadmap/")
    year = int(page.inner_text("h1").split()[-1].split("/")[0]) + 1
    page.goto(base + f"/roadmap/import/?year={year}")
    page.set_input_files("input[name=file]", str(docx))
    page.click("text=Проверить")
    page.wait_for_selector("text=Проверка: пунктов 12")
    page.screenshot(path=str(ARTIFACTS / "dou8-import-preview.png"), full_page=True)
    page.click("text=Добавить пункты в дорожную карту")
    page.wait_for_selector(f"text=Дорожная карта {year}/{year + 1}")
    assert "Загружено пунктов: 12" in page.content()

    page.goto(base + "/roadmap/calendar/")
    feed_url = page.input_value("input[readonly]")
    # Fetched from the page (a calendar program would do the same GET, without cookies).
    feed = page.evaluate("url => fetch(url, {credentials: 'omit'}).then(r => r.text())", feed_url)
    assert feed.startswith("BEGIN:VCALENDAR")
    assert "Срок:" in feed


def test_school_coordinator_imports_the_bank_from_the_template_and_exports_it(
    browser_page, tmp_path
):
    """sosh19's coordinator: template → filled in a spreadsheet program with two bad rows →
    errors shown → fixed → imported → the bank exported."""
    import openpyxl

    page, url = browser_page
    base = url.format(host="sosh19.localhost")
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", "coord.sosh19")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1")
    page.click("nav.sections >> text=Базы наставников и наставляемых")
    page.wait_for_selector("text=База наставляемых")

    with page.expect_download() as download_info:
        page.click("text=Шаблон (XLSX)")
    template = tmp_path / "template.xlsx"
    download_info.value.save_as(template)

    # What a coordinator does in a spreadsheet program: rows typed under the header.
    workbook = openpyxl.load_workbook(template)
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]

    def row(**values: str) -> list[str]:
        return [values.get(column, "") for column in header]

    people = [
        {"Фамилия": "Тестова", "Имя": "Ольга", "Отчество": "Ивановна", "Дата рождения": "12.04.1990",
         "Категория": "педагог", "Должность": "учитель", "Роль в базе": "наставник",
         "Компетенции": "ИКТ", "Согласие на обработку ПДн: дата": "01.09.2025"},
        {"Фамилия": "Пробный", "Имя": "Игорь", "Отчество": "Олегович", "Дата рождения": "31.13.2011",
         "Категория": "обучающийся", "Класс / группа": "8 А", "Роль в базе": "наставляемый",
         "Согласие на обработку ПДн: дата": "02.09.2025",
         "Согласие подписал законный представитель: ФИО": "Пробная Анна Ивановна", "Кем приходится": "мать"},
        {"Фамилия": "Опытная", "Имя": "Нина", "Отчество": "Петровна", "Дата рождения": "03.03.1975",
         "Категория": "учитель года", "Роль в базе": "наставник"},
    ]  # fmt: skip
    sheet.delete_rows(2, sheet.max_row)
    for person in people:
        sheet.append(row(**person))
    bad_file = tmp_path / "bank-with-errors.xlsx"
    workbook.save(bad_file)

    page.click("text=Загрузить из Excel")
    page.set_input_files("input[name=file]", str(bad_file))
    page.click("text=Проверить файл")
    page.wait_for_selector("text=С ошибками: 2")
    content = page.content()
    assert (
        "«31.13.2011» — не дата" in content and "«учитель года» — неизвестная категория" in content
    )
    page.screenshot(path=str(ARTIFACTS / "sosh19-import-errors.png"), full_page=True)

    people[1]["Дата рождения"] = "13.11.2011"
    people[2]["Категория"] = "педагог"
    sheet.delete_rows(2, sheet.max_row)
    for person in people:
        sheet.append(row(**person))
    fixed_file = tmp_path / "bank-fixed.xlsx"
    workbook.save(fixed_file)
    page.goto(base + "/participants/import/")
    page.set_input_files("input[name=file]", str(fixed_file))
    page.click("text=Проверить файл")
    page.wait_for_selector("text=Новых участников: 3")
    page.click("text=Импортировать 3 строки")
    page.wait_for_selector("text=Загружено: новых 3")

    with page.expect_download() as export_info:
        page.click("text=Выгрузить базы (XLSX)")
    exported = tmp_path / "export.xlsx"
    export_info.value.save_as(exported)
    surnames = {c.value for c in openpyxl.load_workbook(exported).active["A"]}
    assert {"Тестова", "Пробный", "Опытная"} <= surnames


@pytest.fixture
def sosh19_mentees(live_url, django_db_blocker):  # type: ignore[no-untyped-def]
    """Three unmatched pupils asking for maths help, read before the browser's event loop starts."""
    from django_tenants.utils import schema_context

    with django_db_blocker.unblock(), schema_context("sosh19"):
        from tenants.participants.models import Participant

        return list(
            Participant.objects.mentees()
            .filter(category="pupil", requests__overlap=["математика", "подготовка к ОГЭ"],
                    mentee_pairs__isnull=True, consents__representative_name__gt="")
            .exclude(reasons__contains=["disability"]).distinct().order_by("pk")[:3]
        )  # fmt: skip


def test_coordinator_forms_a_group_by_prikaz_and_the_mentor_logs_a_meeting(
    sosh19_mentees, browser_page, tmp_path
):
    """sosh19: three mentees matched to the demo mentor as a group, the приказ downloaded and
    opened, its number recorded; the mentor then writes the program and logs a meeting."""
    import datetime as dt
    import io

    from docx import Document

    page, url = browser_page
    base = url.format(host="sosh19.localhost")
    mentees = sosh19_mentees
    assert len(mentees) == 3

    _login(page, base, "coord.sosh19")
    for mentee in mentees:
        page.goto(base + f"/pairs/match/?mentee={mentee.pk}")
        card = page.locator("article.suggestion", has_text="Соколов Андрей Викторович")
        card.locator("select[name=kind]").select_option("group")
        card.locator("button", has_text="Принять").click()
        page.wait_for_selector(".message")
        assert "к наставнику Соколову А. В." in page.content()

    page.goto(base + "/pairs/")
    group = page.locator("article.pair-card", has_text="Соколов А.В.").filter(has_text="в группе")
    group.locator("input[name=pairs]").check()
    page.click("text=Сформировать проект приказа")
    page.wait_for_selector("text=Проект приказа готов")
    with page.expect_download() as download_info:
        page.locator("article.order", has_text="Проект приказа").locator(
            "text=Скачать DOCX"
        ).click()
    path = tmp_path / "prikaz.docx"
    download_info.value.save_as(path)
    document = Document(io.BytesIO(path.read_bytes()))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "№")
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert len(rows) == 1 and rows[0][1].startswith("Соколов Андрей Викторович")
    assert sorted(m.split(", ")[0] for m in rows[0][2].split("; ")) == sorted(
        m.full_name for m in mentees
    )
    # The coordinator prepares the приказ; the director signs it and records its number.
    assert "Номер и дату внесёт руководитель после подписи." in page.content()
    page.click("text=Выйти")
    _login(page, base, "director.sosh19")
    page.click("nav.sections >> text=На подпись")
    row = page.locator("article.order", has_text="Проект приказа").filter(has_text="Соколов")
    row.locator("input[name=number]").fill("31-о")
    row.locator("input[name=signed_on]").fill(dt.date.today().isoformat())
    row.locator("text=Подписан: внести номер и утвердить пары").click()
    page.wait_for_selector("text=пары утверждены")
    page.click("text=Выйти")

    _login(page, base, "mentor.sosh19")
    page.click("nav.sections >> text=Моя программа наставничества")
    page.locator("article.own-pair", has_text="в группе").locator(
        "text=Программа и встречи"
    ).click()
    page.fill("textarea[name=goals]", "Подготовка к ОГЭ по математике")
    page.click("text=Сохранить программу")
    page.wait_for_selector("text=Программа сохранена")
    page.select_option("select[name=kind]", "organizational")
    page.fill("textarea[name=notes]", "Познакомились, составили график")
    page.click("button:has-text('Сохранить встречу')")
    page.wait_for_selector("text=Встреча отмечена")
    assert "Познакомились, составили график" in page.content()
    page.screenshot(path=str(ARTIFACTS / "sosh19-mentor-program.png"), full_page=True)


def test_coordinator_reads_reminders_the_digest_email_and_unsubscribes(browser_page):
    page, url = browser_page
    _login(page, url.format(host="sosh19.localhost"), "coord.sosh19")
    assert page.locator(".bell-count").count() == 1
    page.click("a.bell")
    page.wait_for_selector("text=Через 3 дня срок: Заседание рабочей группы по наставничеству")
    assert (
        "Просрочено на 1 день: Мониторинг удовлетворённости участников программы" in page.content()
    )
    page.screenshot(path=str(ARTIFACTS / "sosh19-inbox.png"), full_page=True)

    public = url.format(host="localhost")
    _login(page, public, "admin")  # the local mail page holds every school's mail: superusers only
    page.goto(public + "/mail/")
    digest = (
        page.locator("article", has_text="coord.sosh19@demo.cmn.local")
        .filter(has_text="Через 3 дня срок: Заседание рабочей группы")
        .first
    )
    text = digest.inner_text()
    assert "Через 3 дня срок: Заседание рабочей группы по наставничеству" in text
    unsubscribe = (
        next(line for line in text.splitlines() if "/unsubscribe/" in line)
        .split(": ", 1)[1]
        .strip()
    )
    page.click("text=Выйти")
    page.goto(unsubscribe.replace("http://localhost:8000", public))
    page.wait_for_selector("text=Отписаться от рассылки?")  # opening the link only asks
    page.click("button:has-text('Отписаться')")
    page.wait_for_selector("text=Вы отписались")


def test_municipal_specialist_drills_into_the_dashboard_and_downloads_the_report(browser_page):
    import openpyxl

    page, url = browser_page
    public = url.format(host="localhost")
    _login(page, public, "mun.severny")
    page.click("nav.sections >> text=Мониторинг")
    page.wait_for_selector("text=Тепловая карта")
    assert "/dashboard/municipalities/" in page.url  # a municipal specialist lands on their own
    assert "Городской округ Северный" in page.inner_text("hgroup")
    assert page.locator("td.heat-overdue").count() > 0  # the demo has overdue items
    page.wait_for_function(
        "document.querySelector('canvas[data-chart=chart-stages]').dataset.drawn === '1'"
    )
    page.screenshot(path=str(ARTIFACTS / "dashboard-municipality.png"), full_page=True)

    page.locator(".heatmap a", has_text="МБОУ СОШ № 19").click()
    page.wait_for_selector("text=Дорожная карта по этапам")
    assert "Динамика" in page.content()
    page.go_back()
    page.wait_for_selector("text=Тепловая карта")

    with page.expect_download() as download_info:
        page.click("text=Отчёт XLSX")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    names = {row[1] for row in book["Организации"].iter_rows(min_row=2, values_only=True)}
    assert "МБОУ СОШ № 19" in names
    assert "МБДОУ детский сад № 8 п. Доброполье" not in names  # another municipality

    other = page.goto(public + "/dashboard/")
    assert other is not None and "/dashboard/municipalities/" in page.url
