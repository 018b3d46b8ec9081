"""Rendering DOCX documents: the organisation's template if it uploaded one, else the built-in,
always in the sandbox of tenants.documents.sandbox."""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from docxtpl import DocxTemplate

from core import uploads
from tenants.documents.models import DocumentTemplate
from tenants.documents.sandbox import (
    Fields,
    TemplateEnvironment,
    TemplateRefused,
    date_long,
    date_short,
    plain_context,
    sample_context,
)

log = logging.getLogger(__name__)

__all__ = ["BUILTIN", "date_long", "date_short", "register", "render_document"]


@dataclass(frozen=True)
class BuiltinTemplate:
    title: str
    build: Callable[[], bytes]  # the built-in DOCX with its placeholders
    fields: Fields  # what its placeholders may be: the only data the document is given


BUILTIN: dict[str, BuiltinTemplate] = {}


def register(
    code: str, title: str, fields: Fields
) -> Callable[[Callable[[], bytes]], Callable[[], bytes]]:
    def decorator(builder: Callable[[], bytes]) -> Callable[[], bytes]:
        BUILTIN[code] = BuiltinTemplate(title, builder, fields)
        return builder

    return decorator


def own_template_bytes(code: str) -> bytes | None:
    own = DocumentTemplate.objects.filter(code=code).first()
    if own is None:
        return None
    with own.file.open("rb") as handle:
        return handle.read()


def template_bytes(code: str) -> bytes:
    """The organisation's template if it uploaded one, else the built-in (for download)."""
    return own_template_bytes(code) or BUILTIN[code].build()


class _Template(DocxTemplate):
    """docxtpl, with footnotes rendered once: its own loop renders the footnotes part once per
    section, the second time from the first one's output, so a field's value («{{ … }}» typed
    into a document field) would run as template code."""

    def render_footnotes(self, context: dict[str, Any], jinja_env: Any = None) -> None:
        seen: set[int] = set()
        for part in self.docx.part.package.parts:
            if part.content_type != FOOTNOTES or id(part) in seen:
                continue
            seen.add(id(part))
            blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
            xml = self.render_xml_part(self.patch_xml(blob), part, context, jinja_env)
            part._blob = xml.encode("utf-8")


FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def _render(content: bytes, fields: Fields, context: dict[str, Any]) -> bytes:
    template = _Template(io.BytesIO(content))
    template.render(context, jinja_env=TemplateEnvironment(fields), autoescape=True)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def render_document(code: str, context: dict[str, Any]) -> bytes:
    """The document `code` filled with `context` (its documented fields, plain data), by the
    organisation's template; one that the checks refuse (planted past the upload) is logged and
    the built-in template is used instead."""
    builtin = BUILTIN[code]
    plain = plain_context(builtin.fields, context)
    own = own_template_bytes(code)
    if own is not None:
        try:
            return _render(own, builtin.fields, plain)
        except TemplateRefused as refusal:
            log.warning("organisation template %s refused, built-in used: %s", code, refusal)
        except Exception:  # a broken file: the document must still come out
            log.exception("organisation template %s failed, built-in used", code)
    return _render(builtin.build(), builtin.fields, plain)


# Uploads ---------------------------------------------------------------------------------------

MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # a DOCX of 5 MB never unpacks to more; a zip bomb does


def validate_template(code: str, content: bytes, *, max_bytes: int) -> str:
    """A Russian message if an uploaded template cannot be used; empty when it renders.

    It must be a real DOCX, use only its document's fields, and render with sample data in the
    sandbox: what is accepted here renders for real.
    """
    if not content:
        return "Файл пустой."
    if len(content) > max_bytes:
        return f"Шаблон больше {max_bytes // (1024 * 1024)} МБ."
    if not content.startswith(b"PK"):
        return "Это не документ DOCX: сохраните шаблон в формате Word (DOCX)."
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            if "word/document.xml" not in {member.filename for member in members}:
                return "Это не документ Word (DOCX): в файле нет текста документа."
            if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
                return "Шаблон в распакованном виде слишком велик."
            if archive.getinfo("word/document.xml").file_size > uploads.MAX_DOCX_TEXT_BYTES:
                return (
                    "Текст шаблона в распакованном виде больше "
                    f"{uploads.size_text(uploads.MAX_DOCX_TEXT_BYTES)}: оставьте в нём только сам бланк."
                )
    except zipfile.BadZipFile:
        return "Файл DOCX повреждён: откройте его в Word и сохраните заново."
    fields = BUILTIN[code].fields
    try:
        _render(content, fields, sample_context(fields))
    except TemplateRefused as refusal:
        return str(refusal)
    except Exception as error:  # docxtpl/jinja raise many types for a broken template
        log.info("unreadable template: %s", error)
        return "Шаблон не читается: откройте его в Word, проверьте поля и сохраните заново."
    return ""


# Building the built-in templates ------------------------------------------------------------


def new_document() -> DocxDocument:
    """A blank document in the usual style of Russian official papers: A4, margins after
    ГОСТ Р 7.0.97-2016 (left 25 mm, right 15, top and bottom 20), Times New Roman 12."""
    from docx.shared import Cm

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    for section in document.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin, section.right_margin = Cm(2.5), Cm(1.5)
        section.top_margin = section.bottom_margin = Cm(2)
    return document


def table_font(table: Any, size: float = 10) -> None:
    """Tables in a smaller size, as in official papers: long words fit their columns."""
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(size)


def add_centered(document: DocxDocument, text: str, *, bold: bool = True) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(text).bold = bold


def document_bytes(document: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_response(content: bytes, filename: str) -> HttpResponse:
    """The download keeps its Cyrillic name («Приказ № 1-н ….docx»): RFC 6266 filename*
    with UTF-8, and a transliterated filename for old clients."""
    import iuliia
    from django.utils.http import content_disposition_header

    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    header = content_disposition_header(True, filename) or "attachment"
    if not filename.isascii():
        fallback = re.sub(r"[^A-Za-z0-9._-]+", "-", iuliia.MOSMETRO.translate(filename)).strip("-")
        header = header.replace("attachment;", f'attachment; filename="{fallback}";', 1)
    response["Content-Disposition"] = header
    return response


def set_column_widths(table: Any, widths_cm: list[float]) -> None:
    """Fixed column widths (Word and LibreOffice alike), so no word breaks mid-word."""
    from docx.oxml.ns import qn
    from docx.shared import Cm

    table.autofit = False
    properties = table._tbl.tblPr
    layout = properties.find(qn("w:tblLayout"))
    if layout is None:
        from docx.oxml import OxmlElement

        layout = OxmlElement("w:tblLayout")
        properties.append(layout)
    layout.set(qn("w:type"), "fixed")
    grid = table._tbl.tblGrid
    for column, width in zip(grid.findall(qn("w:gridCol")), widths_cm, strict=False):
        column.set(qn("w:w"), str(int(Cm(width).twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=False):
            cell.width = Cm(width)


def plain_table(document: DocxDocument, rows: list[list[str]], widths_cm: list[float]) -> Any:
    """A borderless layout table (date and number on one line, signatures)."""
    table = document.add_table(rows=len(rows), cols=len(widths_cm))
    for row, texts in zip(table.rows, rows, strict=True):
        for cell, text in zip(row.cells, texts, strict=True):
            cell.text = text
    set_column_widths(table, widths_cm)
    return table


def right_aligned(table: Any, column: int) -> None:
    for row in table.rows:
        for paragraph in row.cells[column].paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def loop_table(
    document: DocxDocument, headers: list[str], cells: list[str], loop: str, *,
    widths: list[float] | None = None, font: float | None = None,
) -> Any:  # fmt: skip
    """A table whose middle row repeats (docxtpl's {%tr %} rows); columns of `widths` cm and
    text of `font` pt where given."""
    table = document.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, headers, strict=True):
        cell.text = heading
        cell.paragraphs[0].runs[0].bold = True
    table.rows[1].cells[0].text = "{%tr " + loop + " %}"
    for cell, placeholder in zip(table.rows[2].cells, cells, strict=True):
        cell.text = placeholder
    table.rows[3].cells[0].text = "{%tr endfor %}"
    if widths is not None:
        set_column_widths(table, widths)
    if font is not None:
        table_font(table, font)
    return table
