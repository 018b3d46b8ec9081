"""Decompression bombs: small files that unpack to far more than a person's document."""

from __future__ import annotations

import io
import zipfile

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def docx_bomb(text_megabytes: int) -> bytes:
    """A DOCX whose word/document.xml unpacks to `text_megabytes` of empty paragraphs."""
    paragraphs = b"<w:p/>" * (text_megabytes * 1024 * 1024 // 6)
    body = f"<w:document {W}><w:body>".encode() + paragraphs + b"</w:body></w:document>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", body)
    return buffer.getvalue()
