"""Uploads on their way from a file to data: the stored upload, its progress and its preview.

`core` is in both SHARED_APPS and TENANT_APPS: an organisation's previews (personal data of
its banks) live in its own schema; the regional operator's onboarding lists in public.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "в очереди"
    READING = "reading", "проверяется"
    READY = "ready", "проверен"
    FAILED = "failed", "не загружен"
    APPLYING = "applying", "записывается"
    APPLIED = "applied", "загружен"


RUNNING = (ImportStatus.QUEUED, ImportStatus.READING, ImportStatus.APPLYING)


class ImportJob(models.Model):
    importer = models.CharField("что загружается", max_length=40)
    status = models.CharField(
        "состояние", max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    filename = models.CharField("файл", max_length=255, blank=True)  # empty: pasted text
    # The upload itself (at most its policy's few megabytes): a worker on another machine reads
    # it without a shared disk, a restarted one reads it again, and it goes with the job.
    content = models.BinaryField("содержимое")
    params = models.JSONField("параметры", default=dict)  # academic year, region…
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        db_constraint=False, verbose_name="загрузил",
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField("подтвердить до", db_index=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.TextField("почему не загружен", blank=True)
    summary = models.JSONField(default=dict)  # counts over the preview, the importer's extras
    confirmed_at = models.DateTimeField("подтверждён", null=True, blank=True)
    result = models.JSONField(default=dict)  # what the confirmation wrote

    class Meta:
        verbose_name = "загрузка файла"
        verbose_name_plural = "загрузки файлов"

    def __str__(self) -> str:
        return f"{self.importer} #{self.pk} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING

    @property
    def percent(self) -> int:
        if self.status in (ImportStatus.READY, ImportStatus.APPLIED):
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        return self.expires_at <= (now or timezone.now())


class Problem(models.TextChoices):
    ERROR = "error", "ошибка"
    WARNING = "warning", "проверьте"


class ImportRow(models.Model):
    """One row (or roadmap item) of an upload as the preview shows it and the confirmation
    writes it."""

    # core_importrow_position leads with it: no index of its own
    job = models.ForeignKey(
        ImportJob, on_delete=models.CASCADE, related_name="rows", db_index=False
    )
    position = models.PositiveIntegerField()  # order in the file
    number = models.PositiveIntegerField("строка")  # as the person sees it in the file
    cells = models.JSONField(default=dict)  # preview column → text
    data = models.JSONField(default=dict)  # what the importer writes on confirmation
    problems = models.JSONField(default=list)  # [{"column", "message", "level"}]
    has_errors = models.BooleanField(default=False)
    will_apply = models.BooleanField(default=True)
    applied = models.BooleanField(default=False)  # for importers that write row by row

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "position"], name="core_importrow_position")
        ]
        indexes = [models.Index(fields=["job", "has_errors", "position"])]

    def __str__(self) -> str:
        return f"строка {self.number} загрузки #{self.job_id}"


class SubmittedForm(models.Model):
    """A form submission done once (core.idempotency): its key, from the hidden field the page
    rendered, and where its answer sent the person. In the schema whose data it wrote."""

    key = models.CharField(max_length=32)
    result_url = models.CharField(max_length=500)
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "отправленная форма"
        verbose_name_plural = "отправленные формы"
        # A constraint, not unique=True: no extra «_like» index (only = look-ups).
        constraints = [
            models.UniqueConstraint(fields=["key"], name="core_submittedform_key_unique")
        ]

    def __str__(self) -> str:
        return self.key
