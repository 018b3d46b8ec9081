"""Roadmap (дорожная карта) of one organisation and academic year: items, progress, evidence."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from core.tokens import new_token
from tenants.roadmap.deadlines import Deadline
from tenants.roadmap.stages import Stage


class Roadmap(models.Model):
    academic_year = models.PositiveSmallIntegerField(
        "учебный год", unique=True, help_text="Первый календарный год: 2025 — это 2025/2026."
    )
    title = models.CharField("название", max_length=300)
    template_code = models.CharField("шаблон", max_length=40, blank=True)
    program_start = models.DateField(
        "начало программы",
        null=True,
        blank=True,
        help_text="От этой даты считаются сроки вроде «В течение первого месяца».",
    )
    approval = models.CharField(
        "утверждена", max_length=300, blank=True, help_text="Например: приказ № 48 от 31.08.2025"
    )
    created_at = models.DateTimeField("создана", auto_now_add=True)
    updated_at = models.DateTimeField("изменена", auto_now=True)

    class Meta:
        verbose_name = "дорожная карта"
        verbose_name_plural = "дорожные карты"
        ordering = ["-academic_year"]

    def __str__(self) -> str:
        return f"{self.title} ({self.academic_year_label})"

    @property
    def academic_year_label(self) -> str:
        return f"{self.academic_year}/{self.academic_year + 1}"


class ItemStatus(models.TextChoices):
    PLANNED = "planned", "запланировано"
    IN_PROGRESS = "in_progress", "выполняется"
    DONE = "done", "выполнено"
    CANCELLED = "cancelled", "отменено"


OPEN_STATUSES = (ItemStatus.PLANNED, ItemStatus.IN_PROGRESS)


class RoadmapItem(models.Model):
    """A stage or an event of the roadmap; stages (is_stage) group the items under them."""

    roadmap = models.ForeignKey(
        Roadmap,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name="дорожная карта",
        db_index=False,  # the (roadmap, position) index leads with it
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="этап",
    )
    is_stage = models.BooleanField("раздел (этап)", default=False)
    position = models.PositiveIntegerField("порядок", default=0)
    number = models.CharField("№", max_length=20, blank=True)
    title = models.TextField("наименование")
    # What the regional layer counts the item under (never its title): suggested from the
    # wording when the item is created or imported, editable by the coordinator.
    stage = models.CharField(
        "этап целевой модели", max_length=20, choices=Stage.choices, default=Stage.OTHER
    )
    content = models.TextField("содержание деятельности", blank=True)
    deadline_text = models.CharField("сроки (как написано)", max_length=500, blank=True)
    deadline = models.JSONField("сроки (разобранные)", default=dict, blank=True)
    deadline_readable = models.BooleanField("срок распознан", default=True)
    starts_on = models.DateField("начало", null=True, blank=True)
    due_on = models.DateField("срок", null=True, blank=True)
    responsible_text = models.TextField("ответственные (как написано)", blank=True)
    responsible_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        db_constraint=False,
        blank=True,
        related_name="+",
        verbose_name="ответственные пользователи",
    )
    expected_result = models.TextField("ожидаемый результат (вид документа)", blank=True)
    indicators = models.TextField("показатели эффективности", blank=True)
    recommended_acts = models.TextField("рекомендуемые ЛНА", blank=True)
    status = models.CharField(
        "статус", max_length=20, choices=ItemStatus.choices, default=ItemStatus.PLANNED
    )
    completed_on = models.DateField("дата выполнения", null=True, blank=True)
    order_number = models.CharField("номер приказа", max_length=50, blank=True)
    order_date = models.DateField("дата приказа", null=True, blank=True)
    protocol = models.CharField("протокол", max_length=200, blank=True)
    comment = models.TextField("комментарий", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "пункт дорожной карты"
        verbose_name_plural = "пункты дорожной карты"
        ordering = ["roadmap", "position"]
        indexes = [
            models.Index(fields=["roadmap", "position"]),
            models.Index(fields=["status", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    @property
    def parsed_deadline(self) -> Deadline:
        if self.deadline:
            return Deadline.from_json(self.deadline)
        from tenants.roadmap.deadlines import parse_deadline

        return parse_deadline(self.deadline_text)

    def is_overdue(self, today: dt.date) -> bool:
        """Open and past its due date; `today` is the organisation's local date."""
        return (
            not self.is_stage
            and self.status in OPEN_STATUSES
            and self.due_on is not None
            and self.due_on < today
        )

    @property
    def short_title(self) -> str:
        """The title's first line; «…, включающий:» says that its list follows («…»)."""
        first_line = self.title.strip().splitlines()[0] if self.title.strip() else ""
        if len(first_line) > 160:
            return first_line[:157] + "…"
        if first_line.endswith(":") or (self.content and first_line.endswith("включающий")):
            return first_line.rstrip(":") + ": …"
        return first_line


class ItemOccurrence(models.Model):
    """One concrete date span of an item in its academic year (for reminders and calendars)."""

    item = models.ForeignKey(RoadmapItem, on_delete=models.CASCADE, related_name="occurrences")
    position = models.PositiveSmallIntegerField(default=0)
    starts_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    label = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "срок пункта"
        verbose_name_plural = "сроки пунктов"
        ordering = ["item", "position"]
        indexes = [models.Index(fields=["due_on"])]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.starts_on}–{self.due_on}"


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"roadmap/evidence/{instance.item.roadmap.academic_year}/{filename}"


class Evidence(models.Model):
    """A file confirming an item is done (скан приказа, протокол, отчёт)."""

    item = models.ForeignKey(RoadmapItem, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField("файл", upload_to=evidence_path)
    name = models.CharField("название", max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_constraint=False,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "подтверждающий документ"
        verbose_name_plural = "подтверждающие документы"
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.name


class ChangeKind(models.TextChoices):
    ADDED = "added", "добавлен"
    EDITED = "edited", "изменён"
    STATUS = "status", "изменён статус"
    MOVED = "moved", "перемещён"
    IMPORTED = "imported", "загружен из файла"
    RECURRED = "recurred", "повторяется ежегодно"
    CARRIED = "carried", "перенесён невыполненным"
    DELETED = "deleted", "удалён"
    OTHER = "other", "другое"


class ItemChange(models.Model):
    """History of an item: who changed what and when. It outlives the item: deleting one (or
    replacing the roadmap by an import) keeps its history under the roadmap, with the deletion
    itself as the last entry and the item's label as it was."""

    item = models.ForeignKey(
        RoadmapItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    roadmap = models.ForeignKey(
        Roadmap,
        on_delete=models.CASCADE,
        null=True,
        related_name="changes",
        verbose_name="дорожная карта",
    )
    item_label = models.CharField("пункт", max_length=300, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_constraint=False,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=20, choices=ChangeKind.choices, default=ChangeKind.OTHER)
    summary = models.CharField(max_length=500)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "изменение пункта"
        verbose_name_plural = "история изменений"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.summary


# migrations/0001_initial names the default by this path; it is the core generator.
_new_token = new_token


class CalendarFeed(models.Model):
    """A member's secret ICS address; it shows what the member's roles let them see now.

    Always personal: an organisation-wide address outlived the membership of everyone who had
    ever copied it. The calendar program cannot log in, so each fetch checks that the owner
    still has a role here (tenants.roadmap.calendar.feed_for_token).
    """

    token = models.CharField(max_length=64, default=new_token)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_constraint=False,
        db_index=False,  # calendar_feed_one_per_user indexes it
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "календарь (ICS)"
        verbose_name_plural = "календари (ICS)"
        # Constraints, not unique=True: no extra indexes (the token's «_like», the user's own).
        constraints = [
            models.UniqueConstraint(fields=["user"], name="calendar_feed_one_per_user"),
            models.UniqueConstraint(fields=["token"], name="roadmap_calendarfeed_token_unique"),
        ]

    def __str__(self) -> str:
        return f"ICS {self.user}"
