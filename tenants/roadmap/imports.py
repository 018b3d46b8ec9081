"""The roadmap import in the upload → preview → confirm flow (core.imports): a DOCX table or
a table pasted from Word, every item previewed with the cells that could not be read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import asdict
from typing import IO, Any

from django.db.models import QuerySet
from django.urls import reverse

from core.imports import Importer, ImportFileError, PreviewProblem, PreviewRow, Progress
from core.limits import too_long
from core.models import ImportJob, ImportRow, Problem
from core.russian import plural_ru
from organizations.schemas import current_tenant
from tenants.roadmap import services
from tenants.roadmap.importing import (
    UPLOAD,
    ParsedItem,
    ParsedRoadmap,
    RoadmapFileError,
    parse_file,
    parse_text,
)
from tenants.roadmap.models import Roadmap, RoadmapItem

PROBLEM_COLUMNS = {"title": "Мероприятие", "deadline": "Сроки"}


class RoadmapImporter(Importer):
    code = "roadmap"
    title = "Загрузка дорожной карты"
    policy = UPLOAD
    columns = [
        ("number", "№"), ("stage", "Раздел"), ("title", "Мероприятие"), ("deadline", "Сроки"),
        ("dates", "Даты в учебном году"), ("responsible", "Ответственные"),
        ("result", "Ожидаемый результат"),
    ]  # fmt: skip
    noun = ("пункт", "пункта", "пунктов")
    # At most 300 items: read and written in well under a second, so always in the request.
    inline_bytes = UPLOAD.max_bytes
    inline_apply_rows = 300

    def read(self, job: ImportJob, file: IO[bytes], progress: Progress) -> Iterator[PreviewRow]:
        try:
            parsed = (
                parse_file(file, job.filename) if job.filename else parse_text(file.read().decode())
            )
        except RoadmapFileError as error:
            raise ImportFileError(str(error)) from error
        progress.total(len(parsed.items))
        job.summary.update(
            format=parsed.source_format, columns=parsed.columns, stages=parsed.stages,
            unreadable=parsed.problem_count,
        )  # fmt: skip
        year = int(job.params["academic_year"])
        year_start = current_tenant().academic_year_start
        for item in parsed.items:
            yield _preview(item, year, year_start)

    def apply(self, job: ImportJob, rows: QuerySet[ImportRow]) -> dict[str, Any]:
        organization = current_tenant()
        year = int(job.params["academic_year"])
        parsed = ParsedRoadmap(
            source_format=job.summary.get("format", ""), columns=job.summary.get("columns", {}),
            stages=job.summary.get("stages", []),
            items=[ParsedItem(**row.data) for row in rows.order_by("position")],
        )  # fmt: skip
        roadmap = Roadmap.objects.filter(academic_year=year).first() or services.roadmap_create(
            organization=organization, academic_year=year, template_code=""
        )
        created = services.roadmap_import(
            roadmap=roadmap, parsed=parsed, organization=organization, user=job.created_by,
            replace=bool(job.params.get("replace")),
        )  # fmt: skip
        return {"created": len(created), "roadmap": roadmap.pk}

    def summary(self, job: ImportJob) -> str:
        stages = job.summary.get("stages", [])
        columns = ", ".join(f"«{c}»" for c in job.summary.get("columns", {}).values())
        text = f"Проверка: пунктов {job.rows.count()}" + (
            f", разделов {len(stages)}" if stages else ""
        )
        text += f". Столбцы: {columns}."
        unreadable = job.summary.get("unreadable", 0)
        if unreadable:
            text += (
                f" Не распознано ячеек: {unreadable} — они выделены. Такие сроки сохранятся как "
                "написаны, но напоминаний по ним не будет; их можно исправить после загрузки."
            )
        return text

    def result_message(self, job: ImportJob) -> str:
        return f"Загружено пунктов: {job.result.get('created', 0)}."

    def confirm_label(self, count: int) -> str:
        noun = plural_ru(count, *self.noun)
        return f"Добавить пункты в дорожную карту ({count} {noun})"


def done_url(job: ImportJob) -> str:
    return reverse("roadmap:index") + f"?year={job.params['academic_year']}"


def _preview(item: ParsedItem, year: int, year_start: tuple[int, int]) -> PreviewRow:
    deadline = item.deadline
    occurrences = deadline.occurrences(year, year_start=year_start)
    dates = [
        (f"{o.start:%d.%m.%Y}–" if o.start and o.start != o.due else "до " if o.due else "")
        + (f"{o.due:%d.%m.%Y}" if o.due else "по событию")
        for o in occurrences
    ]
    # «До 01.12.2020» in a roadmap for 2026/27: a year copied from an old plan, most likely.
    first = dt.date(year, *year_start)
    last = dt.date(year + 1, *year_start) - dt.timedelta(days=1)
    outside = sorted({day for o in occurrences for day in (o.start, o.due)
                      if day is not None and not first <= day <= last})  # fmt: skip
    year_warnings = (
        [PreviewProblem("Сроки", (
            f"{'Дата' if len(outside) == 1 else 'Даты'} {', '.join(f'{d:%d.%m.%Y}' for d in outside)} "
            f"вне {year}/{year + 1} учебного года: проверьте год (срок скопирован из плана прошлых лет?)."
        ), Problem.WARNING)]
        if outside else []
    )  # fmt: skip
    data = asdict(item)
    data.pop("problems")
    # deadline_text is kept cut to its column (as written, the rest is in the file); the «№»
    # cannot be cut without changing the item, so a longer one is an error of its row.
    too_long_number = too_long(RoadmapItem, {"number": item.number})
    return PreviewRow(
        number=item.row,
        cells={
            "number": item.number, "stage": item.stage, "title": item.title,
            "deadline": item.deadline_text + (f"\n({deadline.kind_label})" if deadline.readable and item.deadline_text else ""),
            "dates": "\n".join(dates), "responsible": ", ".join(item.responsible),
            "result": item.expected_result[:200],
        },
        data=data,
        # Every item is written: what could not be read is kept as written and flagged.
        problems=[
            PreviewProblem(PROBLEM_COLUMNS.get(p.field, p.field), p.message, Problem.WARNING)
            for p in item.problems
        ] + year_warnings + [PreviewProblem("№", message) for message in too_long_number.values()],
    )  # fmt: skip
