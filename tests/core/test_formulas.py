"""Spreadsheets the platform writes keep formula-like text as text (OWASP CSV injection)."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from core.tabular import csv_bytes, workbook, workbook_sheets

HOSTILE = ['=HYPERLINK("http://evil","x")', "@SUM(1)", "-2+3", "+7", "\tTAB", "\rCR"]


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {"Текст": [*HOSTILE, "Иванова"], "Число": [-5, 3, 0, 1, 2, 4, 7]}, dtype=object
    )


def test_an_xlsx_cell_that_starts_like_a_formula_is_a_string_cell_with_the_exact_text():
    for content in (workbook(_frame(), "Лист"), workbook_sheets({"Лист": _frame()})):
        sheet = openpyxl.load_workbook(io.BytesIO(content))["Лист"]
        cells = [row[0] for row in sheet.iter_rows(min_row=2, max_row=len(HOSTILE) + 1)]
        assert [c.value for c in cells] == HOSTILE
        assert {c.data_type for c in cells} == {"s"}
        assert all(c.quotePrefix for c in cells)


def test_numbers_stay_numbers_in_xlsx_a_negative_one_too():
    sheet = openpyxl.load_workbook(io.BytesIO(workbook(_frame(), "Лист")))["Лист"]
    assert sheet["B2"].value == -5 and sheet["B2"].data_type == "n"
    assert sheet["A8"].value == "Иванова" and not sheet["A8"].quotePrefix


def test_a_csv_cell_that_starts_like_a_formula_gets_an_apostrophe_and_numbers_do_not():
    text = csv_bytes(_frame()).decode("utf-8-sig")
    frame = pd.read_csv(io.StringIO(text), sep=";", dtype=str, keep_default_na=False)
    assert list(frame["Текст"][:3]) == ["'" + value for value in HOSTILE[:3]]
    assert list(frame["Текст"])[-1] == "Иванова"
    assert frame["Число"][0] == "-5"
