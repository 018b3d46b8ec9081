"""Bank lists as schools keep them: one «ФИО» column, headers of their own (mapped on the
preview), a minor re-imported without repeating the consent already on file; the template's
drop-down lists."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
from django.core.files.uploadedfile import SimpleUploadedFile

from tenants.participants.importing import (
    COLUMNS,
    import_apply,
    import_plan,
    read_rows,
    read_table,
    template_workbook,
)
from tenants.participants.models import Participant
from tests.conftest import host_client
from tests.participants.conftest import TODAY, YEAR
from tests.participants.test_importing import GOOD_PUPIL, GOOD_TEACHER


def _xlsx(rows: list[dict[str, str]]) -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame(rows, dtype=object).fillna("").to_excel(buffer, index=False)
    return buffer.getvalue()


def _one_name_column(row: dict[str, str]) -> dict[str, str]:
    name = " ".join(row[c] for c in ("Фамилия", "Имя", "Отчество") if row.get(c))
    rest = {k: v for k, v in row.items() if k not in ("Фамилия", "Имя", "Отчество")}
    return {"ФИО": name, **rest}


def test_a_single_fio_column_is_read_as_surname_name_and_patronymic():
    plan = read_rows(read_table(_xlsx([_one_name_column(GOOD_PUPIL), _one_name_column(GOOD_TEACHER)]),
                                "list.xlsx"), today=TODAY)  # fmt: skip
    assert plan.errors == []
    assert [(r.data.last_name, r.data.first_name, r.data.patronymic) for r in plan.rows] == [
        ("Иванова", "Мария", "Петровна"), ("Петров", "Андрей", "Николаевич"),
    ]  # fmt: skip


def test_errors_name_the_person_beside_the_row_number():
    plan = read_rows(read_table(_xlsx([{**GOOD_PUPIL, "Категория": "космонавт"}]), "list.xlsx"),
                     today=TODAY)  # fmt: skip
    assert str(plan.errors[0]).startswith("Строка 2 (Иванова Мария), «Категория»: «космонавт»")


def test_a_minor_already_in_the_bank_with_a_parents_consent_is_updated_without_repeating_it(
    in_alpha,
):
    first = import_plan(
        content=_xlsx([GOOD_PUPIL]), filename="a.xlsx", academic_year=YEAR, today=TODAY
    )
    import_apply(plan=first, academic_year=YEAR, user=None)
    without_consent = {
        k: v
        for k, v in GOOD_PUPIL.items()
        if not k.startswith("Согласие") and k != "Кем приходится"
    }
    again = import_plan(content=_xlsx([{**without_consent, "Запросы": "физика"}]), filename="b.xlsx",
                        academic_year=YEAR, today=TODAY)  # fmt: skip
    assert again.errors == [] and again.update_count == 1
    import_apply(plan=again, academic_year=YEAR, user=None)
    assert Participant.objects.get(last_name="Иванова").requests == ["физика"]
    # A minor not yet in the bank still needs the parent's consent in the file.
    newcomer = import_plan(content=_xlsx([{**without_consent, "Фамилия": "Новикова"}]), filename="c.xlsx",
                           academic_year=YEAR, today=TODAY)  # fmt: skip
    assert "несовершеннолетний: нужны данные согласия родителя" in str(newcomer.errors[0])


def test_headers_of_the_schools_own_are_mapped_on_the_preview(world):
    client = host_client("alpha.localhost", world.alice)
    own = [{"Фамилия ученика": "Иванова", "Имя ученика": "Мария", **{k: v for k, v in GOOD_PUPIL.items()
            if k not in ("Фамилия", "Имя")}}]  # fmt: skip
    upload = SimpleUploadedFile("own.xlsx", _xlsx(own))
    page = client.post("/participants/import/", {"file": upload}, follow=True)
    text = page.content.decode()
    assert "Не найдены обязательные столбцы «Фамилия», «Имя»" in text
    job = page.context["job"]
    mapped = client.post(f"/participants/import/{job.pk}/columns/",
                         {"column-0": "Фамилия", "column-1": "Имя"}, follow=True)  # fmt: skip
    assert "Подтвердить" in mapped.content.decode() or "Импортировать 1" in mapped.content.decode()


def test_the_template_has_drop_down_lists_for_the_coded_columns():
    book = openpyxl.load_workbook(io.BytesIO(template_workbook()))
    sheet = book["База участников"]
    lists = {
        COLUMNS[openpyxl.utils.column_index_from_string(str(v.sqref).split(":")[0].rstrip("0123456789")) - 1]:
        v.formula1 for v in sheet.data_validations.dataValidation
    }  # fmt: skip
    assert set(lists) == {"Категория", "Роль в базе", "Внешний участник", "Кем приходится"}
    hidden = book["Списки"]
    assert hidden.sheet_state == "hidden"
    assert [c.value for c in hidden["B"][1:4]] == ["наставник", "наставляемый", "оба"]
