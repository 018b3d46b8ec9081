"""What an uploaded file may be: size limits before reading, content by its bytes, Russian refusals.

Every upload goes through `validate` with the policy of its field (a consent scan, an import,
a document template, roadmap evidence). The name of a file is only a label a person (or an
attacker) typed: `x.html.pdf` is a web page. The bytes decide: a signature at offset 0 (puremagic),
the members of a ZIP (a DOCX and an XLSX are both ZIPs), or a text that decodes and is not HTML.
Only the first HEAD_BYTES and, for a ZIP, its central directory are read here.

The request as a whole is bounded by `RequestSizeLimitHandler` (the first upload handler):
an oversize body is refused at the first file's part header, before any of the file is read,
and `UploadLimitMiddleware` turns that into a Russian 413 page.
"""

from __future__ import annotations

import enum
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

import puremagic
from django import forms
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

MB = 1024 * 1024
HEAD_BYTES = 8 * 1024  # every signature we know and enough text to judge it
MAX_ZIP_MEMBERS = 10_000


class Kind(enum.StrEnum):
    PDF = "pdf"
    JPEG = "jpeg"
    PNG = "png"
    DOCX = "docx"
    XLSX = "xlsx"
    ODT = "odt"
    ODS = "ods"
    DOC = "doc"
    XLS = "xls"
    RTF = "rtf"
    ZIP = "zip"
    CSV = "csv"
    TEXT = "text"


@dataclass(frozen=True)
class KindInfo:
    label: str  # «Файл «x.pdf» — не {label}»
    short: str  # «в формате PDF, JPG или PNG»
    extensions: tuple[str, ...]


KINDS: dict[Kind, KindInfo] = {
    Kind.PDF: KindInfo("PDF", "PDF", (".pdf",)),
    Kind.JPEG: KindInfo("изображение JPG", "JPG", (".jpg", ".jpeg")),
    Kind.PNG: KindInfo("изображение PNG", "PNG", (".png",)),
    Kind.DOCX: KindInfo("документ Word (DOCX)", "DOCX", (".docx",)),
    Kind.XLSX: KindInfo("таблица Excel (XLSX)", "XLSX", (".xlsx",)),
    Kind.ODT: KindInfo("документ ODT", "ODT", (".odt",)),
    Kind.ODS: KindInfo("таблица ODS", "ODS", (".ods",)),
    Kind.DOC: KindInfo("документ Word 97–2003 (DOC)", "DOC", (".doc",)),
    Kind.XLS: KindInfo("таблица Excel 97–2003 (XLS)", "XLS", (".xls",)),
    Kind.RTF: KindInfo("документ RTF", "RTF", (".rtf",)),
    Kind.ZIP: KindInfo("архив ZIP", "ZIP", (".zip",)),
    Kind.CSV: KindInfo("таблица CSV", "CSV", (".csv",)),
    Kind.TEXT: KindInfo("текстовый файл", "TXT", (".txt", ".tsv")),
}
TEXT_KINDS = frozenset({Kind.CSV, Kind.TEXT})
OLE_KINDS = frozenset({Kind.DOC, Kind.XLS})  # one container format (Word and Excel 97–2003)
# What a ZIP's members prove it to be (the OOXML parts; ODF's `mimetype` member below).
_OOXML_PARTS = {"word/document.xml": Kind.DOCX, "xl/workbook.xml": Kind.XLSX}
_ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": Kind.ODT,
    b"application/vnd.oasis.opendocument.spreadsheet": Kind.ODS,
}


@dataclass(frozen=True)
class UploadPolicy:
    """What one field accepts."""

    what: str  # accusative, for «загрузите {what} в формате …»: «скан», «список», «шаблон»
    kinds: frozenset[Kind]
    max_bytes: int
    # A DOCX or XLSX we open is unpacked: its members together may not exceed this (zip bombs).
    max_unpacked_bytes: int = 50 * MB
    too_big_hint: str = ""

    @property
    def formats(self) -> str:
        shorts = list(dict.fromkeys(KINDS[k].short for k in sorted(self.kinds, key=_order)))
        return shorts[0] if len(shorts) == 1 else ", ".join(shorts[:-1]) + " или " + shorts[-1]


def _order(kind: Kind) -> int:
    return list(Kind).index(kind)


class UploadRefused(ValidationError):
    """A Russian message for the person who uploaded the file."""


# The text of a DOCX we parse (python-docx builds the whole XML tree, ~10× its size in memory):
# a 100-page roadmap or template is well under 2 MB of word/document.xml.
MAX_DOCX_TEXT_BYTES = 10 * MB


def refuse_big_docx_text(file: IO[bytes], *, name: str, limit: int = MAX_DOCX_TEXT_BYTES) -> None:
    """Before python-docx parses `file`: its word/document.xml, unpacked, is at most `limit`
    (as the ZIP declares it; zipfile stops a member that unpacks beyond its declared size)."""
    position = file.tell()
    try:
        with zipfile.ZipFile(file) as archive:
            size = archive.getinfo("word/document.xml").file_size
    except (zipfile.BadZipFile, KeyError):
        return  # not for this check to say: the parser refuses it in its own words
    finally:
        file.seek(position)
    if size > limit:
        raise UploadRefused(
            f"Текст документа «{name}» в распакованном виде больше {size_text(limit)}: такой "
            "документ не похож на дорожную карту или шаблон. Сохраните в отдельный файл только "
            "нужную таблицу."
        )


def size_text(size: int) -> str:
    """12 МБ, 1,5 МБ, 300 КБ."""
    if size >= MB:
        value = f"{size / MB:.1f}".rstrip("0").rstrip(".").replace(".", ",")
        return f"{value} МБ"
    return f"{max(1, round(size / 1024))} КБ"


def display_name(name: str | None) -> str:
    return PurePath(name or "").name or "файл"


def validate(upload: UploadedFile, policy: UploadPolicy) -> Kind:
    """Refuse (UploadRefused) or accept `upload` under `policy`; returns what it really is.

    The size is judged on `upload.size` before anything is read. When the bytes are of another
    kind the field also accepts (a PNG named `.pdf` for a scan), the upload's name is given the
    true extension, so that it is stored and later opens as what it is.
    """
    name = display_name(upload.name)
    size = upload.size if upload.size is not None else _stream_size(upload)
    kind = inspect(upload, name=name, size=size, policy=policy)
    stem, suffix = _split(name)
    if suffix not in KINDS[kind].extensions:
        upload.name = stem + KINDS[kind].extensions[0]
    return kind


def inspect(file: IO[bytes] | UploadedFile, *, name: str, size: int, policy: UploadPolicy) -> Kind:
    """The kind of `file` if `policy` accepts it; the file is left at offset 0."""
    if size == 0:
        raise UploadRefused(f"Файл «{name}» пустой.")
    if size > policy.max_bytes:
        hint = f" {policy.too_big_hint}" if policy.too_big_hint else ""
        raise UploadRefused(
            f"Файл «{name}» — {size_text(size)}, а можно загрузить не больше "
            f"{size_text(policy.max_bytes)}.{hint}"
        )
    named = kind_by_extension(name, policy.kinds)
    suffix = _split(name)[1]
    if named is None and suffix in (".xls", ".doc") and policy.kinds & {Kind.XLSX, Kind.DOCX}:
        return _refuse_old_office(name, policy)
    if named is None:
        shown = f"формат {suffix}" if suffix else "файлы без расширения"
        raise UploadRefused(
            f"Файл «{name}»: {shown} здесь не принимается — загрузите {policy.what} "
            f"в формате {policy.formats}."
        )
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    try:
        actual = sniff(head, file, name=name, named=named, policy=policy)
    finally:
        file.seek(0)
    if actual is None or actual not in policy.kinds:
        raise UploadRefused(_not_what_named(name, named, actual, policy))
    return actual


def kind_by_extension(name: str, kinds: frozenset[Kind]) -> Kind | None:
    suffix = _split(name)[1]
    return next((k for k in sorted(kinds, key=_order) if suffix in KINDS[k].extensions), None)


def _not_what_named(name: str, named: Kind, actual: Kind | None, policy: UploadPolicy) -> str:
    if actual in OLE_KINDS and policy.kinds & {Kind.DOCX, Kind.XLSX}:
        _refuse_old_office(name, policy)
    return f"Файл «{name}» — не {KINDS[named].label}: загрузите {policy.what} в формате {policy.formats}."


def _refuse_old_office(name: str, policy: UploadPolicy) -> Kind:
    newer = "XLSX" if Kind.XLSX in policy.kinds else "DOCX"
    raise UploadRefused(
        f"Файл «{name}» — в старом формате Office 97–2003: откройте его и сохраните как {newer}."
    )


# Sniffing ---------------------------------------------------------------------------------------


_MIME_KINDS = {
    "application/pdf": Kind.PDF,
    "image/jpeg": Kind.JPEG,
    "image/png": Kind.PNG,
    "application/rtf": Kind.RTF,
    "text/rtf": Kind.RTF,
}
_OLE_MIMES = {"application/msword", "application/vnd.ms-excel", "application/vnd.ms-office"}
_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
_MARKUP_START = re.compile(rb"^\s*<(?:!doctype|html|head|body|\?xml|svg|script|iframe|!--)", re.I)
_MARKUP_ANYWHERE = re.compile(rb"<\s*(?:script|iframe|object|embed|html|svg)\b|javascript:", re.I)
# Control characters no CSV or text file has (tab, line breaks and form feed are fine).
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def sniff(head: bytes, file: IO[bytes] | UploadedFile, *, name: str, named: Kind,
          policy: UploadPolicy) -> Kind | None:  # fmt: skip
    """What the bytes are (of the kinds we know), or None."""
    if head.startswith(_ZIP_SIGNATURES):
        return _zip_kind(file, name=name, named=named, policy=policy)
    mime = _signature_mime(head)
    if mime in _MIME_KINDS:
        return _MIME_KINDS[mime]
    if mime in _OLE_MIMES:
        # Word and Excel 97–2003 share the container; telling them apart needs its directory.
        # Only evidence accepts them, so the name's word is taken for which one it is.
        return named if named in OLE_KINDS else Kind.DOC
    # Text last: puremagic knows weak signatures of text formats (a CSV may look like one).
    # Any bytes can pass for text, so text is text only under a text file's name.
    if named in TEXT_KINDS and _is_text(head):
        return named
    return None


def _signature_mime(head: bytes) -> str:
    """The MIME type of a signature at offset 0 (puremagic's table); "" when none matches."""
    try:
        matches = puremagic.magic_string(head)
    except puremagic.PureError:
        return ""
    return next((m.mime_type for m in matches if m.offset == 0 and m.mime_type), "")


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _is_text(head: bytes) -> bool:
    if head.startswith(_UTF16_BOMS):  # Excel's «Текст Юникод»: UTF-16 with its byte order mark
        even = head[: len(head) - len(head) % 2]
        try:
            head = even.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return False
    if not head or _BINARY.search(head):
        return False
    if _MARKUP_START.search(head) or _MARKUP_ANYWHERE.search(head):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 3:  # not just a character cut by HEAD_BYTES
            try:
                head.decode("cp1251")  # Excel in Russian saves CSV in cp1251
            except UnicodeDecodeError:
                return False
    return True


def _zip_kind(file: IO[bytes] | UploadedFile, *, name: str, named: Kind,
              policy: UploadPolicy) -> Kind | None:  # fmt: skip
    """DOCX, XLSX, ODT, ODS or a plain ZIP by the members (read from the central directory)."""
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            odf = b""
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
                odf = archive.read("mimetype").strip()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError):
        raise UploadRefused(
            f"Файл «{name}» повреждён: это не {KINDS[named].label}. Сохраните его заново и загрузите."
        ) from None
    if (
        len(members) > MAX_ZIP_MEMBERS
        or sum(m.file_size for m in members) > policy.max_unpacked_bytes
    ):
        raise UploadRefused(
            f"Файл «{name}» в распакованном виде больше {size_text(policy.max_unpacked_bytes)}: "
            "это не похоже на обычный документ. Сохраните его заново и загрузите."
        )
    for part, kind in _OOXML_PARTS.items():
        if part in names and "[Content_Types].xml" in names:
            return kind
    return _ODF_MIMETYPES.get(odf, Kind.ZIP)


def _split(name: str) -> tuple[str, str]:
    path = PurePath(name)
    return name[: len(name) - len(path.suffix)], path.suffix.lower()


def _stream_size(file: IO[bytes] | UploadedFile) -> int:
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    return size


class UploadField(forms.FileField):
    """A form's file field under an UploadPolicy (size first, then the bytes)."""

    def __init__(self, *, policy: UploadPolicy, **kwargs: Any) -> None:
        self.policy = policy
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": self.accept(policy)}))
        super().__init__(**kwargs)

    @staticmethod
    def accept(policy: UploadPolicy) -> str:
        return ",".join(
            ext for k in sorted(policy.kinds, key=_order) for ext in KINDS[k].extensions
        )

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if isinstance(upload, UploadedFile):
            try:
                validate(upload, self.policy)
            except UploadRefused as refusal:
                raise forms.ValidationError(refusal.messages) from None
        return upload


# The request as a whole ----------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    file_name: str
    limit: int


def request_limit() -> int:
    return int(settings.UPLOAD_MAX_REQUEST_BYTES)


class RequestSizeLimitHandler(FileUploadHandler):
    """The first of FILE_UPLOAD_HANDLERS: refuses a body over UPLOAD_MAX_REQUEST_BYTES.

    When the declared Content-Length is already over, it stops at the first file's part header,
    so none of the file is read or stored; it also counts the bytes that do arrive. The refusal
    is left on the request for UploadLimitMiddleware, and StopUpload(connection_reset=True)
    keeps Django from reading the rest of the body.
    """

    def handle_raw_input(self, input_data: Any, META: dict[str, Any], content_length: int,
                         boundary: str, encoding: str | None = None) -> None:  # fmt: skip
        self.declared = content_length
        self.received = 0

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        if getattr(self, "declared", 0) > request_limit():
            self._refuse()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received = getattr(self, "received", 0) + len(raw_data)
        if self.received > request_limit():
            self._refuse()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def _refuse(self) -> None:
        if self.request is not None:
            self.request.upload_refusal = Refusal(display_name(self.file_name), request_limit())  # type: ignore[attr-defined]
        raise StopUpload(connection_reset=True)


def too_large_response(request: HttpRequest, refusal: Refusal | None) -> HttpResponse:
    """413 in Russian: a page for people, JSON for the API."""
    if refusal is not None:
        message = (
            f"Файл «{refusal.file_name}» не загружен: за один раз можно отправить не больше "
            f"{size_text(refusal.limit)}. Уменьшите файл или загрузите файлы по одному."
        )
    else:
        message = (
            f"Отправленные данные больше {size_text(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}: "
            "столько за один раз не принимается. Вставьте текст частями или загрузите его файлом."
        )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413)
    back = request.headers.get("referer", "")
    host = request.get_host()
    safe_back = back if re.match(rf"^https?://{re.escape(host)}/", back) else "/"
    return HttpResponse(
        render_to_string("413.html", {"message": message, "back": safe_back}, request=request),
        status=413,
    )


class UploadLimitMiddleware:
    """Parses a form body before CSRF does (so our handler sees it first) and answers an
    oversize one with the Russian 413 page instead of a 500 or Django's English 400."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if request.method != "POST" or request.content_type not in (
            "multipart/form-data", "application/x-www-form-urlencoded",
        ):  # fmt: skip
            return None
        try:
            request.POST  # noqa: B018 - parsing is the point
        except RequestDataTooBig:
            return too_large_response(request, None)
        refusal = getattr(request, "upload_refusal", None)
        return too_large_response(request, refusal) if refusal else None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig):
            return too_large_response(request, None)
        return None
