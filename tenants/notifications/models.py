"""Reminders of one organisation: its settings, the outbox, the in-app inbox, daily digests."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models


def default_lead_days() -> list[int]:
    return [14, 3, 0]


def default_overdue_days() -> list[int]:
    return [1, 7]


class ReminderSettings(models.Model):
    """One row per organisation (its schema): when reminders go out."""

    lead_days = ArrayField(models.PositiveSmallIntegerField(), default=default_lead_days,
                           verbose_name="за сколько дней напоминать")  # fmt: skip
    overdue_days = ArrayField(models.PositiveSmallIntegerField(), default=default_overdue_days,
                              verbose_name="через сколько дней после срока")  # fmt: skip
    morning_hour = models.PositiveSmallIntegerField("час рассылки (местное время)", default=9)
    escalate_after_days = models.PositiveSmallIntegerField(
        "эскалация руководителю через, дней", default=7
    )

    class Meta:
        verbose_name = "настройки напоминаний"
        verbose_name_plural = "настройки напоминаний"

    def __str__(self) -> str:
        return "Настройки напоминаний"

    @classmethod
    def current(cls) -> ReminderSettings:
        obj = cls.objects.order_by("pk").first()
        return obj or cls.objects.create()


class Channel(models.TextChoices):
    INBOX = "inbox", "в системе"
    EMAIL = "email", "электронная почта"
    MESSENGER = "messenger", "мессенджер"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "ожидает"
    SENDING = "sending", "отправляется"
    SENT = "sent", "доставлено"
    FAILED = "failed", "ошибка, будет повтор"
    DEAD = "dead", "не доставлено"


class Outbox(models.Model):
    """One message to one person through one channel; the unique key makes it exactly once."""

    # Unique through notifications_outbox_key (a constraint: no LIKE index beside it; the one
    # prefix search, a withdrawn consent's tutor mails, goes through the status index).
    key = models.CharField(max_length=300)
    kind = models.CharField(max_length=20)  # reminder, overdue, escalation, meeting, questionnaire
    # Not indexed: a sweep writes thousands of rows and nothing looks them up by recipient
    # (an account's deletion scans one school's outbox).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_constraint=False,
        db_index=False,
        on_delete=models.CASCADE,
        related_name="+",
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    send_after = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        "Digest", on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "сообщение к отправке"
        verbose_name_plural = "журнал напоминаний"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "send_after"])]
        constraints = [models.UniqueConstraint(fields=["key"], name="notifications_outbox_key")]

    def __str__(self) -> str:
        return self.subject


class Digest(models.Model):
    """One email per person per day, gathering that day's reminders."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_constraint=False,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # digest_one_per_person_per_day leads with it
    )
    day = models.DateField()
    message_id = models.CharField(max_length=200)
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "day"], name="digest_one_per_person_per_day"
            ),
            # A constraint, not unique=True: no extra «_like» index (only = look-ups).
            models.UniqueConstraint(
                fields=["message_id"], name="notifications_digest_message_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Сводка {self.day:%d.%m.%Y}"


class InboxMessage(models.Model):
    # Indexed by (user, read_at) below.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_constraint=False,
        db_index=False,
        on_delete=models.CASCADE,
        related_name="+",
    )
    outbox = models.OneToOneField(
        Outbox, on_delete=models.SET_NULL, null=True, related_name="inbox_message"
    )
    title = models.CharField(max_length=300)
    body = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title
