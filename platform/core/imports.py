"""Upload → preview → confirm, once for every import (participants, roadmap, organisations).

An import is an `Importer`: its upload policy, its preview columns, and three functions —
`read` (file → preview rows, each with its problems in Russian), `apply` (the confirmed rows →
data, re-validated) and `result_message`. The flow around them lives here:

- `import_job_start` stores the upload in PostgreSQL (not the cache: a preview must outlive
  Redis and worker restarts) and reads it in the request when small, else in a Celery task;
  either way through `import_job_process`, which writes the preview rows and the progress.
- `import_job_confirm` marks the job confirmed under a row lock, so a second confirmation does
  nothing; `import_job_apply` writes in one transaction with the job's status (nothing partial,
  exactly once even when a task is delivered twice). An expired preview cannot be confirmed.
- `import_jobs_cleanup` deletes previews older than IMPORT_PREVIEW_HOURS (beat: imports-cleanup).
"""

from __future__ import annotations

import abc
import datetime as dt
import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any, ClassVar

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.models import User
from core.models import ImportJob, ImportRow, ImportStatus, Problem
from core.russian import plural_ru
from core.uploads import UploadPolicy

log = logging.getLogger(__name__)

BATCH = 250  # preview rows written (and progress reported) per batch


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is for the user, in Russian."""


class StaleImport(Exception):
    """What was previewed no longer holds at confirmation; nothing was written."""


@dataclass
class PreviewProblem:
    column: str
    message: str
    level: str = Problem.ERROR

    def as_json(self) -> dict[str, str]:
        return {"column": self.column, "message": self.message, "level": self.level}


@dataclass
class PreviewRow:
    number: int  # the row as the person sees it in the file
    cells: dict[str, str]
    data: dict[str, Any] = field(default_factory=dict)
    problems: list[PreviewProblem] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(p.level == Problem.ERROR for p in self.problems)


class Progress:
    """What `read` tells the page: how many rows there are (once known)."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job

    def total(self, count: int) -> None:
        self.job.progress_total = count
        ImportJob.objects.filter(pk=self.job.pk).update(progress_total=count)


class Importer(abc.ABC):
    """One kind of upload. Subclasses are named in settings.IMPORTERS by their `code`."""

    code: ClassVar[str]
    title: ClassVar[str]  # «Загрузка базы участников»
    policy: ClassVar[UploadPolicy]
    columns: ClassVar[list[tuple[str, str]]]  # preview: (cell key, header)
    noun: ClassVar[tuple[str, str, str]] = ("строку", "строки", "строк")  # «Импортировать 5 строк»
    # Onboarding: nothing is written unless every row is valid.
    all_or_nothing: ClassVar[bool] = False
    # Writes the whole confirmation in one transaction with the job's status. An importer that
    # cannot (a schema per row would exhaust the lock table) writes row by row itself and marks
    # each ImportRow.applied in that row's own transaction.
    atomic: ClassVar[bool] = True
    # Read in the request up to this size, write in the request up to this many rows; beyond,
    # a Celery task does it and the page shows its progress. None: the settings' figures.
    inline_bytes: ClassVar[int | None] = None
    inline_apply_rows: ClassVar[int | None] = None
    # A table import's template columns: a file column not among them is listed on the preview
    # page and can be mapped onto one (job.params["mapping"]); empty: the importer finds its
    # columns by itself (the roadmap's, by meaning).
    template_columns: ClassVar[tuple[str, ...]] = ()

    @abc.abstractmethod
    def read(self, job: ImportJob, file: IO[bytes], progress: Progress) -> Iterator[PreviewRow]:
        """The upload's rows for the preview, each with its problems in Russian."""

    @abc.abstractmethod
    def apply(self, job: ImportJob, rows: QuerySet[ImportRow]) -> dict[str, Any]:
        """Write `rows` (re-validating them: raise StaleImport to write nothing)."""

    def summary(self, job: ImportJob) -> str:
        """A line over the preview beyond the counts (e.g. how many are updates)."""
        return ""

    @abc.abstractmethod
    def result_message(self, job: ImportJob) -> str:
        """What the confirmation wrote, for the page («Загружено: новых 3, обновлено 0.»)."""

    def confirm_label(self, count: int) -> str:
        return f"Импортировать {count} {plural_ru(count, *self.noun)}"


def importer_for(code: str) -> Importer:
    importer: Importer = import_string(settings.IMPORTERS[code])()
    return importer


# Writes -----------------------------------------------------------------------------------------


def import_job_start(*, importer: Importer, upload: UploadedFile | None, text: str = "",
                     params: dict[str, Any], user: User | None) -> ImportJob:  # fmt: skip
    """Store the upload (already checked against the importer's policy) and read it: here when
    small, else in a task of the current schema. Returns the job (READY or FAILED when read
    here)."""
    content = upload.read() if upload is not None else text.encode()
    job = ImportJob.objects.create(
        importer=importer.code,
        filename=(upload.name or "") if upload is not None else "",
        content=content,
        params=params,
        created_by=user,
        expires_at=timezone.now() + dt.timedelta(hours=settings.IMPORT_PREVIEW_HOURS),
    )
    _read_now_or_later(job, importer)
    return job


def _read_now_or_later(job: ImportJob, importer: Importer) -> None:
    inline = (
        settings.IMPORT_INLINE_BYTES if importer.inline_bytes is None else importer.inline_bytes
    )
    if len(job.content) <= inline:
        import_job_process(job_id=job.pk)
        job.refresh_from_db()
    else:
        _enqueue("process", job)


def import_job_map_columns(
    *, job: ImportJob, importer: Importer, mapping: dict[str, str]
) -> ImportJob:
    """Read the file again with its unknown columns taken as template columns
    ({"Дата рожд.": "Дата рождения"}; "" leaves a column out). Only a preview not yet confirmed."""
    allowed = set(importer.template_columns)
    unknown = set(job.summary.get("unknown_columns", []))
    clean = {source: target for source, target in mapping.items()
             if source in unknown and target in allowed}  # fmt: skip
    if len(set(clean.values())) != len(clean):
        raise ValueError("Один столбец шаблона выбран для двух столбцов файла.")
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != ImportStatus.READY:
            return locked
        locked.params = {**locked.params, "mapping": {**locked.params.get("mapping", {}), **clean}}
        locked.status, locked.summary = ImportStatus.QUEUED, {}
        locked.save(update_fields=["params", "status", "summary"])
    _read_now_or_later(locked, importer)
    return locked


def mapped_columns(frame: Any, job: ImportJob, template: tuple[str, ...]) -> Any:
    """The file's columns renamed as the job's mapping says; the columns still unknown, and
    the template's optional columns the file lacks, noted in the job's summary for the page."""
    mapping = {k: v for k, v in job.params.get("mapping", {}).items() if k in frame.columns}
    frame = frame.rename(columns=mapping)
    job.summary["unknown_columns"] = [c for c in frame.columns if c and c not in template]
    job.summary["missing_columns"] = [c for c in template if c not in frame.columns]
    job.summary["mapped_columns"] = mapping
    return frame


def import_job_process(*, job_id: int) -> str:
    """Read a stored upload into preview rows; idempotent (a task may be delivered twice, a
    worker may die half-way: the rows written so far are dropped and the file read again)."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status not in (ImportStatus.QUEUED, ImportStatus.READING):
        return job.status
    with _reading_alone(job) as alone:
        if not alone:  # a second delivery while the first still reads
            return job.status
        return _process(job)


@contextmanager
def _reading_alone(job: ImportJob) -> Iterator[bool]:
    """A session advisory lock on the job: released when reading ends or its worker's
    connection dies with it."""
    key = f"import:{connection.schema_name}:{job.pk}"  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [key])
        taken = bool(cursor.fetchone()[0])
    try:
        yield taken
    finally:
        if taken:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [key])


def _process(job: ImportJob) -> str:
    importer = importer_for(job.importer)
    job.rows.all().delete()
    job.status, job.progress_done, job.error = ImportStatus.READING, 0, ""
    job.save(update_fields=["status", "progress_done", "error"])
    try:
        counts = _store_rows(job, importer)
    except ImportFileError as error:
        job.status, job.error = ImportStatus.FAILED, str(error)
        job.save(update_fields=["status", "error"])
        return job.status
    except Exception:
        job.status = ImportStatus.FAILED
        job.error = "Файл не удалось обработать из-за ошибки на сервере. Попробуйте ещё раз позже."
        job.save(update_fields=["status", "error"])
        raise
    job.summary = {**job.summary, **counts, "text": importer.summary(job)}
    job.status = ImportStatus.READY
    job.progress_done = job.progress_total = counts["total"]
    job.save(update_fields=["summary", "status", "progress_done", "progress_total"])
    return job.status


def _store_rows(job: ImportJob, importer: Importer) -> dict[str, int]:
    batch: list[ImportRow] = []
    position = 0
    for position, row in enumerate(importer.read(job, io.BytesIO(job.content), Progress(job)), 1):
        batch.append(
            ImportRow(
                job=job, position=position, number=row.number, cells=row.cells, data=row.data,
                problems=[p.as_json() for p in row.problems], has_errors=row.has_errors,
                will_apply=not row.has_errors,
            )
        )  # fmt: skip
        if len(batch) >= BATCH:
            _flush(job, batch, position)
    _flush(job, batch, position)
    counts = job.rows.aggregate(
        total=Count("pk"), errors=Count("pk", filter=Q(has_errors=True)),
        valid=Count("pk", filter=Q(will_apply=True)),
        warnings=Count("pk", filter=Q(has_errors=False) & ~Q(problems=[])),
    )  # fmt: skip
    return {key: int(value or 0) for key, value in counts.items()}


_COPY_COLUMNS = ("job_id", "position", "number", "cells", "data", "problems", "has_errors",
                 "will_apply", "applied")  # fmt: skip


def _flush(job: ImportJob, batch: list[ImportRow], done: int) -> None:
    # COPY rather than bulk_create: Django's client-side binding quotes every JSON value in
    # Python, 10.7 s for 5,000 preview rows against well under one second this way.
    sql = f'COPY "{ImportRow._meta.db_table}" ({", ".join(_COPY_COLUMNS)}) FROM STDIN'
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in batch:
            copy.write_row((
                job.pk, row.position, row.number, json.dumps(row.cells, ensure_ascii=False),
                json.dumps(row.data, ensure_ascii=False), json.dumps(row.problems, ensure_ascii=False),
                row.has_errors, row.will_apply, row.applied,
            ))  # fmt: skip
    batch.clear()
    # Outside any transaction: the page polling the job sees it at once.
    ImportJob.objects.filter(pk=job.pk).update(progress_done=done)


@dataclass
class Confirmation:
    ok: bool
    message: str
    job: ImportJob


def import_job_confirm(*, job: ImportJob, user: User | None) -> Confirmation:
    """Confirm a preview once: a second confirmation (a double click, a resubmitted form)
    changes nothing and says so. Small confirmations are written here, big ones by a task."""
    importer = importer_for(job.importer)
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        refusal = _confirm_refusal(locked, importer)
        if refusal:
            return Confirmation(False, refusal, locked)
        locked.confirmed_at = timezone.now()
        locked.status = ImportStatus.APPLYING
        locked.progress_done = 0
        locked.progress_total = locked.summary.get("valid", 0)
        locked.save(update_fields=["confirmed_at", "status", "progress_done", "progress_total"])
    inline = importer.inline_apply_rows
    if locked.progress_total <= (settings.IMPORT_INLINE_APPLY_ROWS if inline is None else inline):
        import_job_apply(job_id=locked.pk)
    else:
        _enqueue("apply", locked)
    locked.refresh_from_db()
    if locked.status == ImportStatus.FAILED:
        return Confirmation(False, locked.error, locked)
    return Confirmation(True, importer.result_message(locked) if locked.status == ImportStatus.APPLIED
                        else "Загрузка подтверждена: строки записываются.", locked)  # fmt: skip


def _confirm_refusal(job: ImportJob, importer: Importer) -> str:
    if job.confirmed_at is not None:
        return (
            f"Этот файл уже загружен по подтверждению {timezone.localtime(job.confirmed_at):%d.%m.%Y %H:%M}: "
            "повторное подтверждение ничего не изменило."
        )
    if job.is_expired():
        return (
            f"Срок подтверждения истёк: проверка файла хранится {settings.IMPORT_PREVIEW_HOURS} ч. "
            "Загрузите файл ещё раз."
        )
    if job.status != ImportStatus.READY:
        return "Файл ещё проверяется или не прочитан: подтверждать пока нечего."
    if importer.all_or_nothing and job.summary.get("errors"):
        return "В файле есть ошибки: ничего не записано. Исправьте файл и загрузите его снова."
    if not job.summary.get("valid"):
        return "В файле нет ни одной верной строки: записывать нечего."
    return ""


def import_job_apply(*, job_id: int) -> str:
    """Write a confirmed job; idempotent: only a job still APPLYING is written, and its status
    changes in the same transaction as the data."""
    job = ImportJob.objects.get(pk=job_id)
    importer = importer_for(job.importer)
    if importer.atomic:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job_id)
            if job.status != ImportStatus.APPLYING:
                return job.status
            try:
                with transaction.atomic():
                    job.result = importer.apply(job, job.rows.filter(will_apply=True))
            except StaleImport as stale:
                return _stale(job, stale)
            job.status, job.progress_done = ImportStatus.APPLIED, job.progress_total
            job.save(update_fields=["result", "status", "progress_done"])
        return job.status
    if job.status != ImportStatus.APPLYING:
        return job.status
    try:
        job.result = importer.apply(job, job.rows.filter(will_apply=True, applied=False))
    except StaleImport as stale:
        return _stale(job, stale)
    job.status, job.progress_done = ImportStatus.APPLIED, job.progress_total
    job.save(update_fields=["result", "status", "progress_done"])
    return job.status


def _stale(job: ImportJob, stale: StaleImport) -> str:
    job.status, job.error = ImportStatus.FAILED, str(stale)
    job.save(update_fields=["status", "error"])
    return job.status


def import_row_applied(*, row: ImportRow) -> None:
    """For row-by-row importers: in the row's own transaction, with what it wrote."""
    row.applied = True
    row.save(update_fields=["applied"])
    ImportJob.objects.filter(pk=row.job_id).update(
        progress_done=row.job.rows.filter(applied=True).count()
    )


def import_jobs_cleanup(*, now: dt.datetime | None = None) -> int:
    """Delete the current schema's expired previews (and their stored uploads)."""
    deleted, _ = ImportJob.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


def _enqueue(step: str, job: ImportJob) -> None:
    """Sent when the transaction commits, or kept in PostgreSQL until the broker is back
    (dispatch): both steps are idempotent, so a rare second delivery does nothing."""
    from dispatch.services import send_on_commit
    from organizations.schemas import current_schema_name, is_public_schema
    from tasks import imports as import_tasks

    if is_public_schema():
        task = import_tasks.process_public if step == "process" else import_tasks.apply_public
    else:
        task = import_tasks.process_tenant if step == "process" else import_tasks.apply_tenant
    send_on_commit(task, current_schema_name(), job.pk)


# Reads ------------------------------------------------------------------------------------------


def import_job_for(*, user: User | None, importer: Importer, pk: int) -> ImportJob | None:
    """A job only its uploader sees (the preview holds what they uploaded, nobody else's)."""
    if user is None:
        return None
    return (
        ImportJob.objects.defer("content")
        .filter(pk=pk, importer=importer.code, created_by=user)
        .first()
    )


def preview_rows(*, job: ImportJob, only_errors: bool = False) -> QuerySet[ImportRow]:
    rows = job.rows.order_by("position")
    return rows.filter(has_errors=True) if only_errors else rows
