"""Reading and writing the spreadsheets people upload and download (XLSX, CSV): pure, pandas-based.

Used by every list import (organisations, participants): the same Russian messages for a file
that is empty, too large, not a spreadsheet, lacks the template's columns or has too many rows.
Every XLSX and CSV the platform writes goes through `workbook`, `workbook_sheets` or
`csv_bytes`, which keep text that looks like a formula as text (see FORMULA_PREFIXES).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, TypeGuard

import pandas as pd

from core import uploads
from core.russian import plural_ru

# A spreadsheet program runs a cell that starts with one of these as a formula (OWASP «CSV
# injection»): a participant typed in as =HYPERLINK("http://…";"…") would be a live link in the
# coordinator's Excel, @SUM(…) or -2+3 a computation. Only text is affected: numbers (a negative
# one too) stay numbers.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

log = logging.getLogger(__name__)


def looks_like_formula(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def csv_cell(value: object) -> object:
    """CSV has no cell types, so such text gets the apostrophe that tells Excel «this is text»."""
    return "'" + value if looks_like_formula(value) else value


def _csv_cell_read(value: str) -> str:
    """The inverse of csv_cell, so that an exported CSV imports back as it was."""
    return value[1:] if value.startswith("'") and looks_like_formula(value[1:]) else value


def _text_stays_text(sheet: Any) -> None:
    """XLSX cells have types: openpyxl takes any string starting with "=" for a formula, so such
    cells are forced back to strings (the exact text, so an export imports back unchanged), and
    marked quote-prefixed, so that Excel keeps them text when someone edits the cell."""
    for row in sheet.iter_rows():
        for cell in row:
            if looks_like_formula(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True


class TableFileError(Exception):
    """The file as a whole cannot be read; the message is for the user, in Russian."""


@dataclass
class RowError:
    row: int  # as the user sees it in the spreadsheet (the header is row 1)
    column: str
    message: str
    who: str = ""  # whom the row is about («Иванова Мария»), shown beside its number

    def __str__(self) -> str:
        about = f" ({self.who})" if self.who else ""
        return f"Строка {self.row}{about}, «{self.column}»: {self.message}"


def _dimension_before_sheet_data(self: Any) -> None:
    """openpyxl's ReadOnlyWorksheet._get_size, stopping where the schema says to look.

    Its own version listens to "end" events, so on a sheet without <dimension> (openpyxl's
    write-only mode and several exporters leave it out) it meets the end of <sheetData> only
    after parsing every row: 7.5 s for 100,000 rows, for every sheet, before the first row is
    read. <dimension> comes before <sheetData> (CT_Worksheet), so the start of either ends it.
    """
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.xml.functions import iterparse

    with self._get_source() as source:
        for _event, element in iterparse(source, events=("start",)):
            if element.tag == DIMENSION_TAG:
                boundaries = SheetDimension.from_tree(element).boundaries
                self._min_column, self._min_row, self._max_column, self._max_row = boundaries
                return
            if element.tag == DATA_TAG:
                return


def _patch_openpyxl() -> None:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    ReadOnlyWorksheet._get_size = _dimension_before_sheet_data


_patch_openpyxl()

# A run of this many empty rows ends the data: a sheet "formatted down to the bottom" has a
# million of them, and scanning them all is what a row limit is meant to spare.
BLANK_RUN_ENDS_DATA = 1000


def read_table(
    source: bytes | IO[bytes],
    filename: str,
    *,
    required: list[str],
    policy: uploads.UploadPolicy,
    max_rows: int,
    noun: tuple[str, str, str] = ("строка", "строки", "строк"),
    nothing_message: str = "В таблице нет ни одной строки с данными.",
) -> pd.DataFrame:
    """XLSX or CSV → a DataFrame of stripped strings, indexed so that label + 2 is the row
    number a person sees (the header is row 1, blank rows keep their place).

    The file is judged by its bytes first (core.uploads); rows are read one at a time (openpyxl
    in read-only mode, the csv module) and reading stops past `max_rows`, so a 100,000-row file
    is refused after reading max_rows + 1 of them, not after loading all of them.
    """
    file = io.BytesIO(source) if isinstance(source, bytes) else source
    name = uploads.display_name(filename)
    size = len(source) if isinstance(source, bytes) else _size(file)
    try:
        kind = uploads.inspect(file, name=name, size=size, policy=policy)
    except uploads.UploadRefused as refusal:
        raise TableFileError(" ".join(refusal.messages)) from None
    if kind == uploads.Kind.XLSX:
        header, rows, declared = _xlsx_rows(file, max_rows=max_rows)
    else:
        header, rows, declared = _csv_rows(file, max_rows=max_rows)
    columns = [re.sub(r"\s+", " ", column).strip() for column in header]
    missing = [column for column in required if column not in columns]
    if missing:
        raise TableFileError(
            "В первой строке нет столбцов: "
            + ", ".join(f"«{c}»" for c in missing)
            + ". Скачайте шаблон и заполните его."
        )
    if rows is None or len(rows) > max_rows:
        found = (
            count_text(declared, noun) if declared and declared > max_rows
            else "больше " + count_text(max_rows, noun)
        )  # fmt: skip
        raise TableFileError(
            f"В файле {found}, а за один раз можно загрузить не больше "
            f"{count_text(max_rows, noun)}: разделите файл на части."
        )
    frame = frame_from_rows(columns, rows)
    if frame.empty:
        raise TableFileError(nothing_message)
    return frame


# The library's own words («File is not a zip file», «Bad CRC-32») say nothing to a coordinator.
UNREADABLE_XLSX = (
    "Таблицу Excel не удалось прочитать: файл повреждён или сохранён не в формате .xlsx. "
    "Откройте его в Excel и сохраните как «Книга Excel (*.xlsx)» или как «CSV UTF-8»."
)


def count_text(number: int, noun: tuple[str, str, str]) -> str:
    """5 000 строк, 1 строка, 300 пунктов (thousands apart by a no-break space)."""
    return f"{number:,}".replace(",", "\u00a0") + " " + plural_ru(number, *noun)


def frame_from_rows(columns: list[str], rows: list[tuple[int, list[str]]]) -> pd.DataFrame:
    """Pure: (sheet row number, cells) rows → a DataFrame whose index is row number − 2."""
    width = len(columns)
    return pd.DataFrame(
        [(cells + [""] * width)[:width] for _, cells in rows],
        columns=columns,
        index=[number - 2 for number, _ in rows],
        dtype=object,
    )


Rows = list[tuple[int, list[str]]]


def _xlsx_rows(file: IO[bytes], *, max_rows: int) -> tuple[list[str], Rows | None, int | None]:
    """The first sheet's header and up to max_rows + 1 non-empty rows (None: the sheet declares
    more than max_rows, so none are read); and the row count the sheet declares (its
    <dimension>; None when the writer left it out)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for broken packages
        log.info("unreadable XLSX: %s", error)
        raise TableFileError(UNREADABLE_XLSX) from error
    try:
        sheet = book.worksheets[0]
        declared = (
            sheet.max_row - 1 if isinstance(sheet.max_row, int) and sheet.max_row > 1 else None
        )
        lines = sheet.iter_rows(values_only=True)
        header = [cell_text(v) for v in next(lines, ())]
        if declared is not None and declared > max_rows:
            return header, None, declared  # refused by what the sheet says, before reading it
        rows = _collect(((n, [cell_text(v) for v in values]) for n, values in enumerate(lines, 2)),
                        max_rows)  # fmt: skip
    except TableFileError:
        raise
    except Exception as error:
        log.info("unreadable XLSX sheet: %s", error)
        raise TableFileError(UNREADABLE_XLSX) from error
    finally:
        book.close()
    return header, rows, declared


def _csv_rows(file: IO[bytes], *, max_rows: int) -> tuple[list[str], Rows, int | None]:
    text = _decode_csv(file.read())  # at most the policy's few megabytes
    sample = text[: 64 * 1024]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=";,\t")
        # Spreadsheet programs quote with "; a leading apostrophe marks text that must not run as
        # a formula (csv_cell), and the sniffer would take it for the quote character.
        dialect.quotechar, dialect.doublequote = '"', True
    except csv.Error:
        # A dialect of its own: setting csv.excel's delimiter changed it for the whole process.
        delimiter = ";" if sample.count(";") >= sample.count(",") else ","
        dialect = type("Guessed", (csv.excel,), {"delimiter": delimiter})
    lines = csv.reader(io.StringIO(text), dialect)
    header = [cell.strip() for cell in next(lines, [])]
    rows = _collect(
        ((n, [_csv_cell_read(c).strip() for c in cells]) for n, cells in enumerate(lines, 2)),
        max_rows,
    )
    return header, rows, None


def _collect(numbered: Iterator[tuple[int, list[str]]], max_rows: int) -> Rows:
    """Non-empty rows until one past max_rows (enough to refuse) or a long run of blank ones."""
    rows: Rows = []
    blank_run = 0
    for number, cells in numbered:
        if not any(cells):
            blank_run += 1
            if blank_run >= BLANK_RUN_ENDS_DATA:
                break
            continue
        blank_run = 0
        rows.append((number, cells))
        if len(rows) > max_rows:
            break
    return rows


def cell_text(value: Any) -> str:
    """A cell as pandas' read_excel(dtype=str) showed it: 3.0 → "3", a date → "2010-05-04 00:00:00"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _size(file: IO[bytes]) -> int:
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    return size


def _decode_csv(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's «Текст Юникод» (tabs)
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise TableFileError(
                "Файл в кодировке UTF-16 повреждён: сохраните его заново как «CSV UTF-8»."
            ) from None
    for encoding in ("utf-8-sig", "cp1251"):  # Excel in Russian saves CSV in cp1251
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableFileError("Не удалось определить кодировку CSV: сохраните файл в UTF-8.")


# A count a person types (pupils, a mentor's capacity) is well under this; the database column
# holds up to 2,147,483,647, and «1e12» must be refused in the preview, not at confirmation.
MAX_COUNT = 1_000_000


def parse_count(
    value: str, row: int, column: str, errors: list[RowError], *, maximum: int = MAX_COUNT
) -> int:
    value = value.strip().replace(" ", "").replace("\u00a0", "")
    if not value:
        return 0
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        errors.append(RowError(row, column, f"«{value}» — не число."))
        return 0
    if not math.isfinite(number):
        errors.append(RowError(row, column, f"«{value}» — не число."))
        return 0
    if number > maximum:
        limit = f"{maximum:,}".replace(",", "\u00a0")
        errors.append(
            RowError(row, column, f"«{value}» — слишком большое число (не больше {limit}).")
        )
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


# Rows of a template that get the drop-down lists (a list of a few thousand people fits).
CHOICE_ROWS = 5000


def workbook(
    frame: pd.DataFrame, sheet_name: str, *, width: int = 24,
    choices: dict[str, list[str]] | None = None,
) -> bytes:  # fmt: skip
    """One sheet; `choices` (column → allowed values) become drop-down lists on that column,
    kept on a hidden sheet «Списки» (an inline list is capped at 255 characters)."""
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet_name)
        sheet = writer.sheets[sheet_name]
        _text_stays_text(sheet)
        for column_cells in sheet.columns:
            sheet.column_dimensions[column_cells[0].column_letter].width = width
        sheet.freeze_panes = "A2"
        if choices:
            lists = writer.book.create_sheet("Списки")
            lists.sheet_state = "hidden"
            for n, (column, values) in enumerate(choices.items(), start=1):
                letter = get_column_letter(n)
                lists.cell(row=1, column=n, value=column)
                for row, value in enumerate(values, start=2):
                    lists.cell(row=row, column=n, value=value)
                target = get_column_letter(list(frame.columns).index(column) + 1)
                validation = DataValidation(
                    type="list", allow_blank=True, showErrorMessage=True,
                    formula1=f"={quote_sheetname('Списки')}!${letter}$2:${letter}${len(values) + 1}",
                    errorTitle=column, error=f"Выберите значение из списка «{column}».",
                )  # fmt: skip
                validation.add(f"{target}2:{target}{CHOICE_ROWS}")
                sheet.add_data_validation(validation)
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


def workbook_sheets(
    sheets: dict[str, pd.DataFrame], *, hidden: str = "", hidden_note: str = ""
) -> bytes:
    """A report of several sheets, each tidy (see _tidy_sheet) and ready to print (landscape,
    fitted to the page width, the header row repeated on every page). A cell holding `hidden`
    (a suppressed figure) is left empty with `hidden_note` as its comment, so that the column
    stays numeric and SUM works."""
    from openpyxl.comments import Comment

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            _text_stays_text(sheet)
            _tidy_sheet(sheet)
            _print_setup(sheet)
            if hidden:
                for row in sheet.iter_rows(min_row=2):
                    for cell in row:
                        if cell.value == hidden:
                            cell.value = None
                            cell.comment = Comment(
                                hidden_note or "Значение скрыто.", "Платформа ЦМН"
                            )
    return buffer.getvalue()


def _print_setup(sheet: Any) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"


def csv_bytes(frame: pd.DataFrame, *, decimal_comma: bool = False) -> bytes:
    """`;` and a BOM, so that Excel in a Russian locale opens it as is (with `decimal_comma`,
    fractions as «49,3» too); text that would run as a formula is prefixed (csv_cell)."""
    return (
        frame.map(csv_cell)
        .to_csv(index=False, sep=";", decimal="," if decimal_comma else ".")
        .encode("utf-8-sig")
    )
