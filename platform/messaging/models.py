"""Per-user delivery preferences and the municipal weekly digest (no personal data)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from core.tokens import new_token

# migrations/0001_initial names the default by this path; it is the core generator.
_token = new_token


class Preference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference"
    )
    email_enabled = models.BooleanField("напоминания на почту (одна сводка в день)", default=True)
    messenger_enabled = models.BooleanField("уведомления в мессенджер", default=False)
    messenger_chat = models.CharField(
        "идентификатор чата в мессенджере", max_length=100, blank=True
    )
    unsubscribe_token = models.CharField(max_length=64, default=new_token)

    class Meta:
        verbose_name = "настройки уведомлений"
        verbose_name_plural = "настройки уведомлений"
        # A constraint, not unique=True: no extra «_like» index (only = look-ups).
        constraints = [
            models.UniqueConstraint(fields=["unsubscribe_token"], name="preference_token_unique")
        ]

    def __str__(self) -> str:
        return f"Уведомления: {self.user}"

    @classmethod
    def of(cls, user_id: int) -> Preference:
        preference, _ = cls.objects.get_or_create(user_id=user_id)
        return preference


class OverdueSnapshot(models.Model):
    """Overdue roadmap items of an organisation on a day: an aggregate for the municipality."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # overdue_snapshot_unique leads with it
    )
    day = models.DateField()
    overdue_items = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "day"], name="overdue_snapshot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.day}: {self.overdue_items}"


class MunicipalDigest(models.Model):
    """The weekly digest to a municipal specialist: overdue items per organisation, counts only."""

    key = models.CharField(max_length=200)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    subject = models.CharField(max_length=300)
    body = models.TextField()
    status = models.CharField(max_length=10, default="pending")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        # A constraint, not unique=True: no extra «_like» index (only = look-ups).
        constraints = [models.UniqueConstraint(fields=["key"], name="municipal_digest_key_unique")]

    def __str__(self) -> str:
        return self.subject


class ReminderAgenda(models.Model):
    """When an organisation's reminder run next has something to do, so that the sweep every few
    minutes runs only the organisations due and not all of a region's each time: the next local
    midnight (waves open, the day's overdue count) or morning hour (every reminder is planned for
    it), a pending delivery or retry, or at once after a change of the organisation's data."""

    organization = models.OneToOneField(
        "organizations.Organization", on_delete=models.CASCADE, primary_key=True,
        related_name="reminder_agenda",
    )  # fmt: skip
    run_at = models.DateTimeField(null=True, db_index=True)  # none: due at once
    # The last change of the organisation's data: a run that began before it leaves run_at due.
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "расписание напоминаний организации"
        verbose_name_plural = "расписания напоминаний организаций"

    def __str__(self) -> str:
        return f"{self.organization_id}: {f'{self.run_at:%Y-%m-%d %H:%M}' if self.run_at else 'сейчас'}"
