"""Mentoring pairs and groups."""

from __future__ import annotations

from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "tenants.mentoring"
    label = "mentoring"
    verbose_name = "Наставнические пары и группы"
