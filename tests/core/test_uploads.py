"""Uploads are judged by their bytes and their size, never by the name alone."""

from __future__ import annotations

import io
import re
import zipfile

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from core import uploads
from core.uploads import Kind, UploadPolicy, UploadRefused

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"

SCAN = UploadPolicy("скан", frozenset({Kind.PDF, Kind.JPEG, Kind.PNG}), 10 * uploads.MB)
PDF_ONLY = UploadPolicy("приказ", frozenset({Kind.PDF}), 10 * uploads.MB)
TABLE = UploadPolicy("список", frozenset({Kind.XLSX, Kind.CSV}), 5 * uploads.MB)
DOCUMENT = UploadPolicy("шаблон", frozenset({Kind.DOCX}), 5 * uploads.MB)


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame({"Фамилия": ["Иванова"]}).to_excel(buffer, index=False)
    return buffer.getvalue()


def _docx() -> bytes:
    buffer = io.BytesIO()
    Document().save(buffer)
    return buffer.getvalue()


def _check(name: str, content: bytes, policy: UploadPolicy) -> tuple[Kind, str]:
    upload = SimpleUploadedFile(name, content)
    kind = uploads.validate(upload, policy)
    assert upload.tell() == 0  # left where a later reader starts
    return kind, str(upload.name)


def test_an_html_page_named_pdf_is_not_a_scan():
    with pytest.raises(UploadRefused) as refused:
        _check("x.html.pdf", HTML, SCAN)
    assert refused.value.messages == [
        "Файл «x.html.pdf» — не PDF: загрузите скан в формате PDF, JPG или PNG."
    ]


def test_a_png_named_pdf_is_refused_where_only_pdf_is_allowed():
    with pytest.raises(
        UploadRefused, match=re.escape("«scan.pdf» — не PDF: загрузите приказ в формате PDF")
    ):
        _check("scan.pdf", PNG, PDF_ONLY)


def test_a_png_named_pdf_is_accepted_as_a_scan_and_stored_under_its_true_extension():
    assert _check("scan.pdf", PNG, SCAN) == (Kind.PNG, "scan.png")
    assert _check("Скан согласия.JPG", JPEG, SCAN) == (Kind.JPEG, "Скан согласия.JPG")
    assert _check("скан.pdf", PDF, SCAN) == (Kind.PDF, "скан.pdf")


def test_a_docx_renamed_xlsx_is_not_a_table_and_an_xlsx_is():
    with pytest.raises(UploadRefused, match=re.escape("«list.xlsx» — не таблица Excel (XLSX)")):
        _check("list.xlsx", _docx(), TABLE)
    assert _check("list.xlsx", _xlsx(), TABLE)[0] == Kind.XLSX
    assert _check("shablon.docx", _docx(), DOCUMENT)[0] == Kind.DOCX
    with pytest.raises(UploadRefused, match="не документ Word"):
        _check("shablon.docx", _xlsx(), DOCUMENT)


def test_a_zip_bomb_is_refused_by_the_sum_of_its_unpacked_sizes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (60 * uploads.MB))
    assert len(buffer.getvalue()) < 100 * 1024
    with pytest.raises(UploadRefused, match="в распакованном виде больше 50 МБ"):
        _check("bomb.xlsx", buffer.getvalue(), TABLE)


def test_csv_must_be_text_and_not_a_web_page():
    good = "Фамилия;Имя\nИванова;Мария\n"
    assert _check("list.csv", good.encode("cp1251"), TABLE)[0] == Kind.CSV
    assert _check("list.csv", good.encode("utf-8-sig"), TABLE)[0] == Kind.CSV
    for content in (
        HTML,
        b"\x00\x01binary\x00",
        b"<svg onload=alert(1)>",
        b"a;b\n<script>x</script>",
    ):
        with pytest.raises(UploadRefused, match="не таблица CSV"):
            _check("list.csv", content, TABLE)


def test_the_extension_must_be_one_the_field_allows():
    with pytest.raises(UploadRefused, match=re.escape("формат .exe здесь не принимается")):
        _check("scan.exe", PDF, SCAN)
    with pytest.raises(UploadRefused, match="файлы без расширения"):
        _check("scan", PDF, SCAN)


def test_size_is_judged_before_reading_and_named_in_the_message():
    class Unreadable(SimpleUploadedFile):
        def read(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            raise AssertionError("an oversize file must not be read")

    upload = Unreadable("огромный.pdf", b"")
    upload.size = 12 * uploads.MB
    with pytest.raises(UploadRefused) as refused:
        uploads.validate(upload, SCAN)
    assert refused.value.messages == [
        "Файл «огромный.pdf» — 12 МБ, а можно загрузить не больше 10 МБ."
    ]
    with pytest.raises(UploadRefused, match="пустой"):
        _check("empty.pdf", b"", SCAN)


def test_old_office_files_are_asked_to_be_saved_in_the_new_format():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    old_excel = UploadPolicy("список", frozenset({Kind.XLSX, Kind.CSV, Kind.XLS}), uploads.MB)
    assert _check("list.xls", ole, old_excel)[0] == Kind.XLS
    with pytest.raises(UploadRefused, match="Office 97–2003: откройте его и сохраните как XLSX"):
        _check("list.xlsx", ole, TABLE)


def test_sizes_read_in_russian():
    assert uploads.size_text(10 * uploads.MB) == "10 МБ"
    assert uploads.size_text(int(1.5 * uploads.MB)) == "1,5 МБ"
    assert uploads.size_text(300 * 1024) == "300 КБ"
