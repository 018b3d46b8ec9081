"""Outcomes from the electronic journal's export (XLSX or CSV): one row per mentee, a column
per indicator (catalogue.OUTCOMES «column»), at the program's entry or exit as chosen on the
upload. The banks' rules: every row and cell checked with its problem in Russian, nothing
written before the coordinator confirms, then only the valid rows, in one transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import IO, Any

import pandas as pd
from django.db.models import QuerySet

from core import tabular, uploads
from core.imports import (
    Importer,
    ImportFileError,
    PreviewProblem,
    PreviewRow,
    Progress,
    StaleImport,
)
from core.models import ImportJob
from core.models import ImportRow as StoredRow
from organizations.schemas import current_tenant
from tenants.mentoring.models import PairStatus, Program
from tenants.monitoring import catalogue
from tenants.monitoring.models import Outcome
from tenants.monitoring.services import outcome_value, outcomes_for, outcomes_save
from tenants.participants.importing import split_full_names

MAX_ROWS = 5_000
UPLOAD = uploads.UploadPolicy(
    what="выгрузку из журнала",
    kinds=frozenset({uploads.Kind.XLSX, uploads.Kind.CSV}),
    max_bytes=5 * uploads.MB,
    too_big_hint="Разделите выгрузку на части.",
)
NAME_COLUMNS = ("Фамилия", "Имя", "Отчество")
CLASS_COLUMN = "Класс / группа"
CLASS_ALIASES = {"класс", "класс / группа", "группа", "класс/группа"}
INDICATOR_COLUMNS = {o["column"]: o for o in catalogue.OUTCOMES}
TEMPLATE_COLUMNS = (*NAME_COLUMNS, CLASS_COLUMN, *INDICATOR_COLUMNS)


def _key(last: str, first: str, patronymic: str = "") -> str:
    return "|".join(p.strip().lower().replace("ё", "е") for p in (last, first, patronymic))


def mentees_of_year(year: int) -> dict[str, list[tuple[Program, Any]]]:
    """Mentees of the year's programs (pairs at work or completed), by name."""
    found: dict[str, list[tuple[Program, Any]]] = defaultdict(list)
    programs = (
        Program.objects.filter(
            pair__academic_year=year,
            pair__status__in=[PairStatus.APPROVED, PairStatus.ACTIVE, PairStatus.COMPLETED],
        )
        .select_related("pair")
        .prefetch_related("pair__mentees")
    )
    for program in programs:
        for mentee in program.pair.mentees.all():
            if mentee.anonymised_at is None:
                found[_key(mentee.last_name, mentee.first_name, mentee.patronymic)].append(
                    (program, mentee)
                )
                found[_key(mentee.last_name, mentee.first_name)].append((program, mentee))
    return found


def _frame(file: IO[bytes], filename: str) -> pd.DataFrame:
    frame = tabular.read_table(file, filename, required=[], policy=UPLOAD, max_rows=MAX_ROWS,
                               nothing_message="В выгрузке нет ни одного наставляемого.")  # fmt: skip
    frame = split_full_names(frame)
    renamed = {c: CLASS_COLUMN for c in frame.columns if c.strip().lower() in CLASS_ALIASES}
    frame = frame.rename(columns=renamed)
    if "Фамилия" not in frame.columns or "Имя" not in frame.columns:
        raise ImportFileError("В первой строке нет столбцов «Фамилия» и «Имя» (или одного столбца «ФИО»). Скачайте шаблон.")  # fmt: skip
    if not any(c in INDICATOR_COLUMNS for c in frame.columns):
        raise ImportFileError(
            "Нет ни одного столбца с показателями: "
            + ", ".join(f"«{c}»" for c in INDICATOR_COLUMNS)
            + "."
        )
    return frame


def check_row(number: int, cells: dict[str, str], people: dict[str, list[tuple[Program, Any]]]) -> tuple[dict[str, Any], list[PreviewProblem]]:  # fmt: skip
    """Who the row is and its values, or its problems (named by column)."""
    problems: list[PreviewProblem] = []
    last, first = cells.get("Фамилия", ""), cells.get("Имя", "")
    patronymic, group = cells.get("Отчество", ""), cells.get(CLASS_COLUMN, "")
    if not last or not first:
        return {}, [PreviewProblem("Фамилия", "Нужны фамилия и имя.")]
    matches = people.get(_key(last, first, patronymic)) or people.get(_key(last, first)) or []
    if group and len(matches) > 1:
        matches = [
            m for m in matches if m[1].class_group.strip().lower() == group.strip().lower()
        ] or matches
    distinct = {(p.pk, m.pk) for p, m in matches}
    if not distinct:
        return {}, [
            PreviewProblem("Фамилия", "Нет среди наставляемых программ этого учебного года.")
        ]
    if len(distinct) > 1:
        return {}, [
            PreviewProblem(
                "Фамилия", "Несколько наставляемых с таким именем: укажите класс / группу."
            )
        ]
    program, mentee = matches[0]
    applicable = {o["code"] for o in outcomes_for(mentee)}
    values: dict[str, str] = {}
    for column, indicator in INDICATOR_COLUMNS.items():
        raw = cells.get(column, "")
        if not raw:
            continue
        if indicator["code"] not in applicable:
            problems.append(PreviewProblem(column, "Показатель не для этой категории наставляемого: пропущен.", level="warning"))  # fmt: skip
            continue
        _number, _choice, problem = outcome_value(indicator, raw)
        if problem:
            problems.append(PreviewProblem(column, f"«{raw[:40]}»: {problem}."))
        else:
            values[indicator["code"]] = raw
    if not values and not problems:
        problems.append(PreviewProblem("Показатели", "В строке нет ни одного значения."))
    return {
        "program": program.pk,
        "mentee": mentee.pk,
        "values": values,
        "name": mentee.full_name,
    }, problems


class OutcomesImporter(Importer):
    code = "outcomes"
    title = "Загрузка образовательных результатов из электронного журнала"
    policy = UPLOAD
    columns = [("name", "Наставляемый"), ("values", "Показатели"), ("outcome", "Что будет")]
    noun = ("строку", "строки", "строк")

    def read(self, job: ImportJob, file: IO[bytes], progress: Progress) -> Iterator[PreviewRow]:
        try:
            frame = _frame(file, job.filename)
        except tabular.TableFileError as error:
            raise ImportFileError(str(error)) from error
        progress.total(len(frame))
        people = mentees_of_year(int(job.params["academic_year"]))
        for label, series in frame.iterrows():
            cells = {str(k): str(v or "").strip() for k, v in series.items()}
            number = int(label) + 2  # type: ignore[call-overload]
            data, problems = check_row(number, cells, people)
            shown = "; ".join(f"{catalogue.OUTCOME_BY_CODE[c]['title']}: {v}" for c, v in data.get("values", {}).items())  # fmt: skip
            errors = any(p.level == "error" for p in problems)
            yield PreviewRow(number=number, cells={
                "name": data.get("name") or " ".join(cells.get(c, "") for c in NAME_COLUMNS).strip(),
                "values": shown, "outcome": "" if errors else "запишется",
            }, data={"cells": cells}, problems=problems)  # fmt: skip

    def apply(self, job: ImportJob, rows: QuerySet[StoredRow]) -> dict[str, Any]:
        """Each row checked again against today's pairs (a mentee gone since: nothing written)."""
        year, stage = int(job.params["academic_year"]), job.params["stage"]
        people = mentees_of_year(year)
        today = current_tenant().local_today()
        written = 0
        for number, data in rows.order_by("position").values_list("number", "data"):
            found, problems = check_row(number, data["cells"], people)
            if any(p.level == "error" for p in problems):
                raise StaleImport(f"Строка {number}: {problems[0].message} Ничего не записано: загрузите файл ещё раз.")  # fmt: skip
            program = Program.objects.select_related("pair").get(pk=found["program"])
            mentee = program.pair.mentees.get(pk=found["mentee"])
            written += outcomes_save(program=program, mentee=mentee, stage=stage, values=found["values"],
                                     today=today, user=job.created_by, imported=True)  # fmt: skip
        return {"written": written}

    def result_message(self, job: ImportJob) -> str:
        stage = Outcome.Stage(job.params["stage"]).label
        return f"Записано значений ({stage}): {job.result.get('written', 0)}."


def template_workbook() -> bytes:
    frame = pd.DataFrame(
        [["Иванова", "Мария", "Петровна", "7А", "4,2", "80", "2", "1", "1", "", "", "", "", ""]],
        columns=list(TEMPLATE_COLUMNS),
    )
    return tabular.workbook(frame, "Результаты", choices={"Категория": catalogue.OUTCOME_BY_CODE["category"]["choices"]})  # fmt: skip
