"""Reading and writing the spreadsheets people upload (XLSX, CSV): pure, pandas-based.

Used by every list import (organisations, participants): the same Russian messages for a file
that is empty, too large, not a spreadsheet, or lacks the template's columns.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd


class TableFileError(Exception):
    """The file as a whole cannot be read; the message is for the user, in Russian."""


@dataclass
class RowError:
    row: int  # as the user sees it in the spreadsheet (the header is row 1)
    column: str
    message: str

    def __str__(self) -> str:
        return f"Строка {self.row}, «{self.column}»: {self.message}"


def read_table(
    content: bytes,
    filename: str,
    *,
    required: list[str],
    max_bytes: int,
    nothing_message: str = "В таблице нет ни одной строки с данными.",
) -> pd.DataFrame:
    """XLSX or CSV bytes → a DataFrame of stripped strings (row 2 of the file is index 0)."""
    if not content:
        raise TableFileError("Файл пустой.")
    if len(content) > max_bytes:
        raise TableFileError(
            f"Файл больше {max_bytes // (1024 * 1024)} МБ; разделите список на части."
        )
    suffix = Path(filename).suffix.lower()
    try:
        if suffix == ".xlsx":
            if not content.startswith(b"PK"):
                raise TableFileError("Файл назван .xlsx, но это не таблица Excel.")
            frame = pd.read_excel(io.BytesIO(content), dtype=str, engine="openpyxl")
        elif suffix == ".csv":
            frame = pd.read_csv(
                io.StringIO(_decode_csv(content)), dtype=str, sep=None, engine="python"
            )
        elif suffix == ".xls":
            raise TableFileError(
                "Формат XLS (Excel 97–2003) не поддерживается: сохраните как XLSX."
            )
        else:
            raise TableFileError("Загрузите таблицу в формате XLSX или CSV.")
    except TableFileError:
        raise
    except Exception as error:  # pandas and openpyxl raise many types for broken files
        raise TableFileError(f"Не удалось прочитать таблицу: {error}") from error
    frame.columns = [re.sub(r"\s+", " ", str(column)).strip() for column in frame.columns]
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise TableFileError(
            "В первой строке нет столбцов: "
            + ", ".join(f"«{c}»" for c in missing)
            + ". Скачайте шаблон и заполните его."
        )
    frame = frame.dropna(how="all")
    if frame.empty:
        raise TableFileError(nothing_message)
    return frame.fillna("").map(lambda value: str(value).strip())


def _decode_csv(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):  # Excel in Russian saves CSV in cp1251
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableFileError("Не удалось определить кодировку CSV: сохраните файл в UTF-8.")


def parse_count(value: str, row: int, column: str, errors: list[RowError]) -> int:
    value = value.strip().replace(" ", "").replace("\u00a0", "")
    if not value:
        return 0
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        errors.append(RowError(row, column, f"«{value}» — не число."))
        return 0
    if number < 0 or number != int(number):
        errors.append(RowError(row, column, f"«{value}» — нужно целое неотрицательное число."))
        return 0
    return int(number)


_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00:00)?$")
_RUSSIAN = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})(?:\s*г\.?)?$")


def parse_date(value: str) -> dt.date | None:
    """«04.05.2010», «4.5.2010», «04/05/10», Excel's «2010-05-04 00:00:00»; None if unreadable."""
    value = value.strip()
    match = _ISO.match(value)
    try:
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        match = _RUSSIAN.match(value)
        if match:
            year = int(match[3])
            year += (
                2000
                if year < 100 and year <= dt.date.today().year % 100
                else 1900
                if year < 100
                else 0
            )
            return dt.date(year, int(match[2]), int(match[1]))
    except ValueError:
        return None
    return None


def workbook(frame: pd.DataFrame, sheet_name: str, *, width: int = 24) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet_name)
        sheet = writer.sheets[sheet_name]
        for column_cells in sheet.columns:
            sheet.column_dimensions[column_cells[0].column_letter].width = width
        sheet.freeze_panes = "A2"
    return buffer.getvalue()


def _tidy_sheet(sheet: Any) -> None:
    """Bold wrapped header, frozen first row, filters on it, widths by content."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions
    for index, column in enumerate(sheet.iter_cols(min_row=1, max_row=min(sheet.max_row, 200)), 1):
        width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(10, width + 2), 60)


def workbook_sheets(sheets: dict[str, pd.DataFrame]) -> bytes:
    """A report of several sheets, each tidy (see _tidy_sheet)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
            _tidy_sheet(writer.sheets[name])
    return buffer.getvalue()
