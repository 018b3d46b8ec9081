"""Spreadsheets are read row by row and refused past their row limit, naming both counts."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import Workbook

from core import tabular, uploads
from core.tabular import TableFileError
from tenants.participants.importing import MAX_ROWS, read_rows, read_table
from tests.core.xlsx import fast_xlsx
from tests.participants.conftest import TODAY

POLICY = uploads.UploadPolicy(
    "список", frozenset({uploads.Kind.XLSX, uploads.Kind.CSV}), 5 * uploads.MB
)
HEADER = ["Фамилия", "Имя", "Категория", "Роль в базе"]


def _people(rows: int) -> list[list[str]]:
    return [[f"Фамилия{n}", "Иван", "обучающийся", "наставляемый"] for n in range(rows)]


@pytest.fixture(scope="module")
def hundred_thousand_rows() -> bytes:
    """The attacker's file: 100,000 rows in an XLSX of about 1.5 MB."""
    return fast_xlsx(HEADER, _people(100_000))


def test_a_100k_row_xlsx_is_refused_naming_the_limit_and_the_count(hundred_thousand_rows):
    assert len(hundred_thousand_rows) < 2 * uploads.MB
    with pytest.raises(TableFileError) as refused:
        read_table(hundred_thousand_rows, "list.xlsx")
    assert str(refused.value) == (
        "В файле 100\u00a0000 строк, а за один раз можно загрузить не больше 50\u00a0000 строк: "
        "разделите файл на части."
    )


def test_without_a_declared_size_the_reader_stops_one_row_past_the_limit():
    content = fast_xlsx(HEADER, _people(100_000), dimension=False)
    with pytest.raises(TableFileError, match="В файле больше 50\u00a0000 строк"):
        read_table(content, "list.xlsx")


def test_the_limit_itself_is_accepted():
    frame = read_table(fast_xlsx(HEADER, _people(MAX_ROWS)), "list.xlsx")
    assert len(frame) == MAX_ROWS


def test_a_csv_over_the_limit_says_more_than_the_limit():
    text = ";".join(HEADER) + "\n" + "Иванов;Иван;педагог;наставник\n" * 12
    with pytest.raises(TableFileError, match="В файле больше 10 строк, а за один раз можно"):
        tabular.read_table(text.encode(), "a.csv", required=HEADER, policy=POLICY, max_rows=10)


def test_blank_rows_keep_the_row_numbers_people_see():
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["Иванова", "Мария", "педагог", "наставник"])
    sheet.append([None, None, None, None])
    sheet.append(["Петров", "Пётр", "космонавт", "наставник"])
    buffer = io.BytesIO()
    book.save(buffer)
    plan = read_rows(read_table(buffer.getvalue(), "list.xlsx"), today=TODAY)
    assert [e.row for e in plan.errors] == [4]


def test_cells_read_as_pandas_showed_them():
    assert tabular.cell_text(3.0) == "3"
    assert tabular.cell_text(2.5) == "2.5"
    assert tabular.cell_text(dt.datetime(2010, 5, 4)) == "2010-05-04 00:00:00"
    assert tabular.cell_text(None) == ""
    assert tabular.parse_date(tabular.cell_text(dt.datetime(2010, 5, 4))) == dt.date(2010, 5, 4)


def test_counts_read_in_russian():
    assert tabular.count_text(1, ("строка", "строки", "строк")) == "1 строка"
    assert tabular.count_text(300, ("пункт", "пункта", "пунктов")) == "300 пунктов"


def test_a_csv_the_sniffer_cannot_read_leaves_the_process_wide_excel_dialect_alone():
    """The fallback used to set csv.excel.delimiter = ';' for every later CSV in the process."""
    frame = tabular.read_table(
        "Фамилия\r\nИванов\r\n".encode(),
        "list.csv",
        required=["Фамилия"],
        policy=POLICY,
        max_rows=10,
    )
    assert list(frame["Фамилия"]) == ["Иванов"]
    assert csv.excel.delimiter == ","


def test_a_broken_xlsx_is_explained_in_russian_not_in_the_librarys_words():
    import zipfile

    good = zipfile.ZipFile(io.BytesIO(fast_xlsx(HEADER, _people(3))))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as broken:  # a sheet whose XML breaks off
        for member in good.infolist():
            data = good.read(member)
            cut = "worksheets/" in member.filename
            broken.writestr(member, data[: len(data) // 2] if cut else data)
    with pytest.raises(TableFileError) as refused:
        tabular.read_table(
            buffer.getvalue(), "list.xlsx", required=HEADER, policy=POLICY, max_rows=10
        )
    assert str(refused.value) == tabular.UNREADABLE_XLSX


def test_excels_unicode_text_utf16_with_tabs_is_read():
    text = "Фамилия\tИмя\tКатегория\tРоль в базе\r\nКоролёв\tПётр\tпедагог\tнаставник\r\n"
    content = "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")
    frame = tabular.read_table(content, "list.csv", required=HEADER, policy=POLICY, max_rows=10)
    assert frame.iloc[0].to_dict() == dict(
        zip(HEADER, ["Королёв", "Пётр", "педагог", "наставник"], strict=True)
    )
