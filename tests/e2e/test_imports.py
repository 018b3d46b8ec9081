"""Browser: a coordinator uploads a participants list with bad rows, watches it being checked by
the worker, pages the preview, looks at the errors only, and confirms (`make e2e`)."""

from __future__ import annotations

import pytest

from tests.core.test_imports import bank_file
from tests.e2e.conftest import ARTIFACTS, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def test_coordinator_imports_a_big_list_through_the_progress_and_the_paged_preview(
    browser_page,
    worker,
    tmp_path,
):
    page, url = browser_page
    base = url.format(host="sosh19.localhost")
    ARTIFACTS.mkdir(exist_ok=True)
    upload = tmp_path / "baza-2000.xlsx"
    upload.write_bytes(bank_file(2000, bad_every=100))  # 20 bad rows

    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, base, "coord.sosh19")
    page.goto(base + "/participants/import/")
    page.set_input_files("input[name=file]", str(upload))
    page.click("text=Проверить файл")

    page.wait_for_selector("h1:has-text('Загрузка базы участников')")
    if page.locator(".import-progress").count():
        page.screenshot(path=str(ARTIFACTS / "import-progress.png"), full_page=True)
    # The progress bar is polled with htmx until the worker is done; then the page reloads.
    page.wait_for_selector("text=Импортировать 1980 строк", timeout=90_000)
    content = page.content()
    assert 'С ошибками: <strong class="error-text">20</strong>' in content
    assert "Страница 1 из 40" in content
    page.screenshot(path=str(ARTIFACTS / "import-preview-1366.png"), full_page=False)

    page.click("text=Дальше →")
    page.wait_for_selector("text=Страница 2 из 40")
    assert page.locator("table.import-preview tbody tr").count() == 50

    page.click("text=Только строки с ошибками (20)")
    page.wait_for_selector("text=«учитель года» — неизвестная категория")
    assert page.locator("table.import-preview tbody tr").count() == 20
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "import-errors-390.png"), full_page=False)
    page.set_viewport_size({"width": 1366, "height": 900})

    page.click("text=Импортировать 1980 строк")
    # 1,980 rows are written by the worker: the page shows that progress too, then the result.
    page.wait_for_selector("text=Загружено: новых 1980, обновлено 0; строк с ошибками пропущено: 20.",
                           timeout=90_000)  # fmt: skip
    page.screenshot(path=str(ARTIFACTS / "import-done-1366.png"), full_page=False)
    assert page.locator("button", has_text="Импортировать").count() == 0


def test_coordinator_maps_a_renamed_column_and_the_values_are_kept(browser_page, tmp_path):
    import io

    import pandas as pd

    from tenants.participants.importing import COLUMNS
    from tests.e2e.conftest import shots
    from tests.participants.test_importing import GOOD_TEACHER

    page, url = browser_page
    base = url.format(host="sosh19.localhost")
    renamed = {"Дата рождения": "Дата рожд."}
    buffer = io.BytesIO()
    row = {renamed.get(k, k): v for k, v in {**GOOD_TEACHER, "Фамилия": "Переименованная"}.items()}
    pd.DataFrame([row], columns=[renamed.get(c, c) for c in COLUMNS], dtype=object).fillna(
        ""
    ).to_excel(buffer, index=False)
    upload = tmp_path / "baza-pereimenovana.xlsx"
    upload.write_bytes(buffer.getvalue())

    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, base, "coord.sosh19")
    page.goto(base + "/participants/import/")
    page.set_input_files("input[name=file]", str(upload))
    page.click("text=Проверить файл")
    page.wait_for_selector("text=Столбцы, которых нет в шаблоне, не загружаются:")
    assert page.locator("select[name=column-0]").input_value() == "Дата рождения"  # suggested
    shots(page, "import-unknown-columns")
    page.click("text=Сопоставить и проверить заново")
    page.wait_for_selector("text=«Дата рожд.» → «Дата рождения»")
    assert page.locator(".unknown-columns").count() == 0
    page.click("text=Импортировать 1 строку")
    page.wait_for_selector("text=Загружено: новых 1, обновлено 0.")
    page.goto(base + "/participants/?bank=mentors&q=Переименованная")
    page.click("text=Переименованная")
    assert "05.11.1979" in page.content()
