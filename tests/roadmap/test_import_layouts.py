"""Roadmap tables as schools lay them out: headings merged across the table, numbered stages
(«1.», «I.», «Этап 2»), items numbered under them, lists inside cells; and what the preview
says about dates of another year and numbers that do not fit."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context
from docx import Document

from tenants.roadmap.importing import parse_file, parse_text, split_numbering
from tenants.roadmap.models import Roadmap
from tenants.roadmap.selectors import current_academic_year
from tests.conftest import host_client

HEADER = ["№ п/п", "Наименование мероприятия", "Сроки", "Ответственные", "Ожидаемый результат"]


def _docx(rows: list[list[str] | str]) -> bytes:
    """A table with the header above; a str row is merged across every column."""
    document = Document()
    table = document.add_table(rows=1, cols=len(HEADER))
    for cell, text in zip(table.rows[0].cells, HEADER, strict=True):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        if isinstance(row, str):
            merged = cells[0].merge(cells[-1])
            merged.text = row
        else:
            for cell, text in zip(cells, row, strict=True):
                cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


MERGED = [
    "1. Подготовка условий для запуска программы наставничества",
    ["1.1", "Издание приказа о внедрении целевой модели наставничества", "До 01.09.", "Директор", "Приказ"],
    ["1.2", "Разработка положения о наставничестве", "До 15.09.", "Куратор", "Положение"],
    "II. Формирование баз наставляемых и наставников",
    ["2.1", "Анкетирование обучающихся", "Сентябрь", "Классные руководители", "Анкеты"],
    ["2.2", "Формирование базы наставников", "До 10.09. ежегодно", "Куратор", "База наставников"],
]  # fmt: skip


def test_headings_merged_across_the_table_are_stages_not_untitled_items():
    parsed = parse_file(_docx(MERGED), "karta.docx")
    assert parsed.stages == [
        "1. Подготовка условий для запуска программы наставничества",
        "II. Формирование баз наставляемых и наставников",
    ]
    assert [(i.number, i.stage[:2], i.deadline_text) for i in parsed.items] == [
        ("1.1", "1.", "До 01.09."), ("1.2", "1.", "До 15.09."),
        ("2.1", "II", "Сентябрь"), ("2.2", "II", "До 10.09. ежегодно"),
    ]  # fmt: skip
    assert not any(p.level == "error" for i in parsed.items for p in i.problems)
    assert not any("взят из строки выше" in p.message for i in parsed.items for p in i.problems)


def test_a_number_with_a_heading_and_items_under_it_is_a_stage():
    text = "\n".join(
        "\t".join(cells)
        for cells in [
            HEADER,
            ["1", "Организационный этап", "", "", ""],
            ["1.1", "Приказ о назначении куратора", "август", "Директор", "Приказ"],
            ["I", "Этап внедрения", "", "", ""],
            ["2", "Мониторинг", "май", "Куратор", "Отчёт"],
            ["", "Этап 3. Подведение итогов", "", "", ""],
            ["3", "Итоговое мероприятие", "По завершению программы", "Куратор", "Протокол"],
        ]
    )
    parsed = parse_text(text)
    assert parsed.stages == [
        "1. Организационный этап",
        "I. Этап внедрения",
        "Этап 3. Подведение итогов",
    ]
    assert [i.number for i in parsed.items] == ["1.1", "2", "3"]  # «2» has a deadline: an item


def test_numbering_as_roadmaps_write_it():
    assert split_numbering("1.2. Разработка положения") == ("1.2", "Разработка положения")
    assert split_numbering("IV. Мониторинг") == ("IV", "Мониторинг")
    assert split_numbering("а) анкетирование") == ("а", "анкетирование")
    assert split_numbering("Этап 2. Отбор наставников") == ("2", "Отбор наставников")
    assert split_numbering("Издание приказа") == ("", "Издание приказа")


def test_a_list_inside_a_cell_is_kept():
    rows = [["1", "Приказ о внедрении ЦМН, включающий: – сроки внедрения; – назначение куратора; "
                  "– сроки мониторинга", "До 01.09.", "Директор", "Приказ"]]  # fmt: skip
    [item] = parse_file(_docx(rows), "karta.docx").items
    assert item.title == "Приказ о внедрении ЦМН, включающий:"
    assert item.content.splitlines() == [
        "сроки внедрения;",
        "назначение куратора;",
        "сроки мониторинга",
    ]


def test_the_preview_warns_of_another_years_dates_and_refuses_a_long_number_without_a_500(world):
    client = host_client("alpha.localhost", world.alice)
    year = current_academic_year(world.alpha) + 1
    rows = [
        ["1", "Приказ о внедрении", "До 01.12.2020", "Директор", "Приказ"],
        ["1.1.1.1.1.1.1.1.1.1.1.1", "Слишком длинный номер", "До 10.09.", "Куратор", "—"],
        ["2", "Формирование базы", "До 10.09. ежегодно", "Куратор", "База"],
    ]
    upload = SimpleUploadedFile("karta.docx", _docx(rows))
    page = client.post(f"/roadmap/import/?year={year}", {"file": upload, "year": year}, follow=True)
    text = page.content.decode()
    assert page.status_code == 200
    assert f"Дата 01.12.2020 вне {year}/{year + 1} учебного года" in text
    assert "не больше 20 символов" in text or "длиннее 20" in text
    confirm = client.post(f"/roadmap/import/{page.context['job'].pk}/confirm/", follow=True)
    assert confirm.status_code == 200
    with tenant_context(world.alpha):
        roadmap = Roadmap.objects.get(academic_year=year)
        assert sorted(roadmap.items.values_list("number", flat=True)) == ["1", "2"]
