"""Import and export of the banks: row errors in Russian, partial files, idempotent re-import."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest

from core.tabular import TableFileError
from tenants.participants.importing import (
    COLUMNS,
    export_workbook,
    import_apply,
    import_plan,
    read_rows,
    read_table,
    template_workbook,
)
from tenants.participants.models import Consent, Participant
from tests.participants.conftest import TODAY, YEAR

GOOD_PUPIL = {
    "Фамилия": "Иванова", "Имя": "Мария", "Отчество": "Петровна", "Дата рождения": "14.03.2011",
    "Категория": "обучающийся", "Класс / группа": "8 «Б»", "Роль в базе": "наставляемый",
    "Основания": "неудовлетворительные результаты", "Запросы": "математика; ОГЭ",
    "Согласие на обработку ПДн: дата": "02.09.2025",
    "Согласие подписал законный представитель: ФИО": "Иванова Ольга Сергеевна", "Кем приходится": "мать",
}  # fmt: skip
GOOD_TEACHER = {
    "Фамилия": "Петров", "Имя": "Андрей", "Отчество": "Николаевич", "Дата рождения": "05.11.1979",
    "Категория": "педагог", "Должность": "учитель", "Предмет": "математика", "Роль в базе": "наставник",
    "Компетенции": "ОГЭ, олимпиады", "Наставляемых не более": "3",
    "Формы наставничества": "учитель – ученик", "Согласие на обработку ПДн: дата": "01.09.2025",
}  # fmt: skip


def _xlsx(rows: list[dict[str, str]], columns: list[str] = COLUMNS) -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame(rows, columns=columns, dtype=object).fillna("").to_excel(buffer, index=False)
    return buffer.getvalue()


def _plan(rows, **kwargs):  # type: ignore[no-untyped-def]
    return read_rows(read_table(_xlsx(rows, **kwargs), "list.xlsx"), today=TODAY)


def test_the_template_reads_back_without_errors():
    plan = read_rows(read_table(template_workbook(), "template.xlsx"), today=TODAY)
    assert plan.errors == [] and len(plan.rows) == 2


def test_rows_are_read_into_people_with_tags_forms_and_consents():
    plan = _plan([GOOD_PUPIL, GOOD_TEACHER])
    pupil, teacher = plan.rows
    assert pupil.data.requests == ["математика", "ОГЭ"]
    assert pupil.data.reasons == ["low_results"]
    assert (pupil.pd_consent_on, pupil.representative_relation) == (dt.date(2025, 9, 2), "mother")
    assert teacher.data.competencies == ["ОГЭ", "олимпиады"]
    assert (teacher.data.capacity, teacher.data.forms) == (3, ["teacher_pupil"])


@pytest.mark.parametrize(
    ("change", "column", "message"),
    [
        ({"Дата рождения": "31.02.2011"}, "Дата рождения", "не дата"),
        ({"Дата рождения": "вчера"}, "Дата рождения", "не дата"),
        ({"Категория": "космонавт"}, "Категория", "неизвестная категория"),
        ({"Роль в базе": "ученик"}, "Роль в базе", "наставник, наставляемый или оба"),
        ({"Основания": "лень"}, "Основания", "неизвестное основание"),
        ({"Основания": "ОВЗ"}, "Основания", "только с датой письменного согласия"),
        ({"Согласие подписал законный представитель: ФИО": ""}, "Согласие подписал законный представитель: ФИО",
         "несовершеннолетний: нужны данные согласия родителя"),
        ({"Согласие на обработку ПДн: дата": ""}, "Согласие подписал законный представитель: ФИО", "дата согласия"),
        ({"Кем приходится": "сосед"}, "Кем приходится", "мать, отец, опекун"),
        ({"Фамилия": ""}, "Фамилия", "Укажите фамилию"),
        ({"Внешний участник": "может быть"}, "Внешний участник", "да или нет"),
        # What the database would refuse is refused here, so that confirmation never fails.
        ({"Фамилия": "Ж" * 101}, "Фамилия", "не длиннее 100 символов (сейчас 101)"),
        ({"Телефон": "8" * 41}, "Телефон", "не длиннее 40 символов"),
        ({"Класс / группа": "7 «А» " * 10}, "Класс / группа", "не длиннее 30 символов"),
        ({"Согласие подписал законный представитель: ФИО": "Я" * 301},
         "Согласие подписал законный представитель: ФИО", "не длиннее 300 символов"),
    ],
)  # fmt: skip
def test_bad_cells_are_reported_by_row_and_column_in_russian(change, column, message):
    plan = _plan([GOOD_TEACHER, {**GOOD_PUPIL, **change}])
    assert len(plan.rows) == 1  # the good row stays importable
    assert any(e.row == 3 and e.column == column and message in e.message for e in plan.errors), (
        plan.errors
    )


def test_the_same_person_twice_in_a_file_is_a_duplicate():
    plan = _plan([GOOD_PUPIL, GOOD_TEACHER, {**GOOD_PUPIL, "Запросы": "физика"}])
    assert [str(e) for e in plan.errors] == [
        "Строка 4 (Иванова Мария), «Фамилия»: этот человек уже указан в строке 2."
    ]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "list.xlsx", "Файл «list.xlsx» пустой"),
        (b"%PDF-1.4", "list.pdf", "XLSX или CSV"),
        (b"just text", "list.xlsx", "не таблица Excel"),
        (b"\xd0\xcf\x11\xe0", "list.xls", "Office 97–2003: откройте его и сохраните как XLSX"),
        (b"x" * (5 * 1024 * 1024 + 1), "list.csv", "можно загрузить не больше 5 МБ"),
    ],
)
def test_files_that_are_not_usable_spreadsheets_get_a_clear_message(content, name, message):
    with pytest.raises(TableFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_table(content, name)


def test_wrong_columns_and_a_header_only_file_are_explained():
    with pytest.raises(
        TableFileError, match="нет столбцов: «Фамилия», «Имя», «Категория», «Роль в базе»"
    ):
        read_table(_xlsx([{"Имя ученика": "Мария"}], columns=["Имя ученика", "Класс"]), "list.xlsx")
    # One «ФИО» column stands for three; the other required ones are still named.
    with pytest.raises(TableFileError, match="нет столбцов: «Категория», «Роль в базе»"):
        read_table(_xlsx([{"ФИО": "Иванова Мария"}], columns=["ФИО", "Класс"]), "list.xlsx")
    with pytest.raises(TableFileError, match="нет ни одного участника"):
        read_table(_xlsx([]), "list.xlsx")


def test_csv_from_russian_excel_is_read():
    text = ";".join(COLUMNS) + "\n" + ";".join(GOOD_TEACHER.get(c, "") for c in COLUMNS) + "\n"
    plan = read_rows(read_table(text.encode("cp1251"), "list.csv"), today=TODAY)
    assert plan.errors == [] and plan.rows[0].data.last_name == "Петров"


def test_partly_valid_file_imports_valid_rows_only_after_confirmation(in_alpha):
    content = _xlsx(
        [
            GOOD_PUPIL,
            {**GOOD_TEACHER, "Дата рождения": "1979-13-05"},
            GOOD_TEACHER | {"Фамилия": "Сидоров"},
        ]
    )
    plan = import_plan(content=content, filename="list.xlsx", academic_year=YEAR, today=TODAY)
    assert plan.error_rows == [3] and len(plan.rows) == 2
    assert Participant.objects.count() == 0  # nothing written by the preview
    result = import_apply(plan=plan, academic_year=YEAR, user=in_alpha.alice)
    assert result == {"created": 2, "updated": 0, "consents": 2}
    pupil = Participant.objects.get(last_name="Иванова")
    assert pupil.consents.get().representative_name == "Иванова Ольга Сергеевна"
    assert pupil.events.get().action == "Добавлен при загрузке списка (строка 2)"


def test_re_import_updates_by_natural_key_and_never_duplicates(in_alpha):
    first = import_plan(
        content=_xlsx([GOOD_PUPIL, GOOD_TEACHER]),
        filename="a.xlsx",
        academic_year=YEAR,
        today=TODAY,
    )
    import_apply(plan=first, academic_year=YEAR, user=None)
    changed = {**GOOD_PUPIL, "Запросы": "физика", "Фамилия": "ИВАНОВА"}
    second = import_plan(
        content=_xlsx([changed, GOOD_TEACHER]), filename="b.xlsx", academic_year=YEAR, today=TODAY
    )
    assert (second.new_count, second.update_count) == (0, 2)
    assert import_apply(plan=second, academic_year=YEAR, user=None)["created"] == 0
    assert Participant.objects.count() == 2
    assert Participant.objects.get(first_name="Мария").requests == ["физика"]
    assert Consent.objects.count() == 2  # the same consents are not recorded twice


def test_export_has_the_template_columns_and_reads_back(in_alpha):
    import_apply(plan=import_plan(content=_xlsx([GOOD_PUPIL, GOOD_TEACHER]), filename="a.xlsx",
                                  academic_year=YEAR, today=TODAY), academic_year=YEAR, user=None)  # fmt: skip
    people = list(Participant.objects.prefetch_related("consents"))
    content = export_workbook(people)
    frame = pd.read_excel(io.BytesIO(content), dtype=str).fillna("")
    assert list(frame.columns) == COLUMNS
    assert set(frame["Фамилия"]) == {"Иванова", "Петров"}
    again = import_plan(content=content, filename="export.xlsx", academic_year=YEAR, today=TODAY)
    assert again.errors == [] and again.update_count == 2


@pytest.mark.parametrize("count", ["inf", "1e400", "nan", "1e12", "-1", "2,5"])
def test_an_absurd_capacity_is_refused_in_the_preview(count):
    plan = _plan([GOOD_PUPIL, {**GOOD_TEACHER, "Наставляемых не более": count}])
    assert [(e.row, e.column) for e in plan.errors] == [(3, "Наставляемых не более")], plan.errors


def test_every_row_the_preview_accepts_is_written(in_alpha):
    """Long values at the limits, not past them: confirmation writes every accepted row."""
    longest = {**GOOD_TEACHER, "Фамилия": "Ж" * 100, "Имя": "И" * 100, "Отчество": "О" * 100,
               "Дата рождения": "", "Телефон": "8" * 40, "Должность": "Д" * 150,
               "Место работы / учёбы": "М" * 300}  # fmt: skip
    plan = import_plan(content=_xlsx([GOOD_PUPIL, longest]), filename="list.xlsx",
                       academic_year=YEAR, today=TODAY)  # fmt: skip
    assert plan.errors == [] and len(plan.rows) == 2
    assert import_apply(plan=plan, academic_year=YEAR, user=in_alpha.alice)["created"] == 2


def test_re_importing_a_name_without_yo_keeps_the_stored_yo(in_alpha):
    korolyov = {**GOOD_TEACHER, "Фамилия": "Королёв", "Имя": "Пётр"}
    first = import_plan(
        content=_xlsx([korolyov]), filename="a.xlsx", academic_year=YEAR, today=TODAY
    )
    import_apply(plan=first, academic_year=YEAR, user=None)
    plain = {**korolyov, "Фамилия": "Королев", "Имя": "Петр", "Предмет": "физика"}
    second = import_plan(content=_xlsx([plain]), filename="b.xlsx", academic_year=YEAR, today=TODAY)
    assert (second.new_count, second.update_count) == (0, 1)
    import_apply(plan=second, academic_year=YEAR, user=None)
    person = Participant.objects.get()
    assert (person.last_name, person.first_name, person.subject) == ("Королёв", "Пётр", "физика")


def _job_of(rows, alice):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.imports import import_job_start
    from tenants.participants.importing import ParticipantsImporter

    return import_job_start(importer=ParticipantsImporter(), upload=SimpleUploadedFile("bank.xlsx", _xlsx(rows)),
                            params={"academic_year": YEAR}, user=alice)  # fmt: skip


def test_a_confirmation_is_written_in_chunks_and_all_of_it_or_nothing(in_alpha, monkeypatch):
    from core.imports import import_job_confirm
    from core.models import ImportRow as StoredRow
    from tenants.participants import importing

    monkeypatch.setattr(importing, "APPLY_CHUNK", 1)  # each row its own chunk
    people = [
        GOOD_TEACHER,
        {**GOOD_TEACHER, "Фамилия": "Сидоров"},
        {**GOOD_TEACHER, "Фамилия": "Орлов"},
    ]
    job = _job_of(people, in_alpha.alice)
    last = StoredRow.objects.filter(job=job).order_by("-position").first()
    last.data["values"]["Категория"] = "космонавт"  # as if the rules changed since the preview
    last.save()
    refused = import_job_confirm(job=job, user=in_alpha.alice)
    assert (
        not refused.ok
        and "данные изменились с момента проверки. Ничего не записано" in refused.message
    )
    assert Participant.objects.count() == 0  # the first two chunks were rolled back too
    done = import_job_confirm(job=_job_of(people, in_alpha.alice), user=in_alpha.alice)
    assert done.ok and done.job.result == {"created": 3, "updated": 0, "consents": 3}
