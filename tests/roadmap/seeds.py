"""The seed roadmaps (copies of shared/seeds in tests/fixtures) as test data: their tables as TSV text, and as DOCX."""

from __future__ import annotations

import io
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"

SOSH19 = "000_edd578369ced6b56.txt"
MALINOVKA = "001_7595187f693a21b8.txt"
DOU8 = "002_1f75d6a126a6f9c8.txt"
MICHURINSK = "003_e8eb2b0b97b9ea34.txt"
ROADMAP_SEEDS = [SOSH19, MALINOVKA, DOU8, MICHURINSK]


def seed_text(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def seed_table_rows(name: str) -> list[list[str]]:
    """The seed's table as the rows of cells a Word document would hold (no prose, no breaks)."""
    return [line.split("\t") for line in seed_text(name).splitlines() if "\t" in line]


def docx_from_rows(rows: list[list[str]], *, prose: str = "Дорожная карта") -> bytes:
    """A DOCX with a paragraph and one table, cells split into paragraphs as Word keeps them."""
    import re

    from docx import Document

    document = Document()
    document.add_paragraph(prose)
    width = max(len(row) for row in rows)
    table = document.add_table(rows=0, cols=width)
    for row in rows:
        cells = table.add_row().cells
        if 1 < len(row) < width:
            # As in the source document: the next-to-last cell spans the missing columns,
            # the last one stays under the last header (e.g. «Ответственный»).
            merged = cells[len(row) - 2].merge(cells[width - 2])
            cells = [*cells[: len(row) - 2], merged, cells[width - 1]]
        for index, text in enumerate(row):
            paragraphs = [p.strip() for p in re.split(r"</?p>|<br\s*/?>", text) if p.strip()] or [
                ""
            ]
            cells[index].text = paragraphs[0]
            for extra in paragraphs[1:]:
                cells[index].add_paragraph(extra)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
