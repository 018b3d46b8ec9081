"""Reminders of an organisation."""

from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tenants.notifications"
    label = "notifications"
    verbose_name = "Напоминания"
