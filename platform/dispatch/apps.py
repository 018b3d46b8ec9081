"""Dispatch: Celery tasks that must be sent, kept in PostgreSQL until the broker has them."""

from __future__ import annotations

from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = "Отправка задач"
