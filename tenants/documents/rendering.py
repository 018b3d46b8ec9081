"""Rendering DOCX documents: the organisation's template if it uploaded one, else the built-in,
always in the sandbox of tenants.documents.sandbox."""

from __future__ import annotations

import io
import logging
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
    """A blank document in the usual style of Russian official papers."""
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    return document


def add_centered(document: DocxDocument, text: str, *, bold: bool = True) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(text).bold = bold


def document_bytes(document: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
