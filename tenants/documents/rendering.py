"""Rendering DOCX documents: the organisation's template if it uploaded one, else the built-in."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from docxtpl import DocxTemplate

from tenants.documents.models import DocumentTemplate

MONTHS_GENITIVE = [
    "", "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
    "октября", "ноября", "декабря",
]  # fmt: skip

# code -> (title, builder of the built-in template with Jinja placeholders)
BUILTIN: dict[str, tuple[str, Callable[[], bytes]]] = {}


def register(code: str, title: str) -> Callable[[Callable[[], bytes]], Callable[[], bytes]]:
    def decorator(builder: Callable[[], bytes]) -> Callable[[], bytes]:
        BUILTIN[code] = (title, builder)
        return builder

    return decorator


def date_long(day: dt.date | None) -> str:
    """«1 сентября 2025 г.», as documents write dates."""
    return (
        f"{day.day} {MONTHS_GENITIVE[day.month]} {day.year} г." if day else "«___» ________ 20__ г."
    )


def date_short(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else "__.__.____"


def template_bytes(code: str) -> bytes:
    own = DocumentTemplate.objects.filter(code=code).first()
    if own is not None:
        with own.file.open("rb") as handle:
            return handle.read()
    return BUILTIN[code][1]()


def render_document(code: str, context: dict[str, Any]) -> bytes:
    template = DocxTemplate(io.BytesIO(template_bytes(code)))
    template.render({"date_long": date_long, "date_short": date_short, **context}, autoescape=True)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


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


def validate_template(code: str, content: bytes, *, max_bytes: int) -> str:
    """A Russian message if an uploaded template cannot be used; empty when it renders."""
    if not content:
        return "Файл пустой."
    if len(content) > max_bytes:
        return "Шаблон больше 5 МБ."
    if not content.startswith(b"PK"):
        return "Это не документ DOCX: сохраните шаблон в формате Word (DOCX)."
    try:
        template = DocxTemplate(io.BytesIO(content))
        template.get_undeclared_template_variables()
    except Exception as error:  # docxtpl/jinja raise many types for a broken template
        return f"Шаблон не читается: {error}"
    return ""
