"""A task to be sent to the broker: written in the transaction that needs it (the outbox
pattern), deleted once the broker has it. Public schema only, whatever schema writes it."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class PendingTask(models.Model):
    task = models.CharField("задача", max_length=100)
    schema_name = models.CharField("схема", max_length=63)  # "public": no tenant header
    args = models.JSONField("аргументы", default=list)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "задача к отправке"
        verbose_name_plural = "задачи к отправке"

    def __str__(self) -> str:
        return f"{self.task} {self.schema_name} {self.args}"
