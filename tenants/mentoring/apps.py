"""Mentoring pairs and groups."""

from __future__ import annotations

from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "tenants.mentoring"
    label = "mentoring"
    verbose_name = "Наставнические пары и группы"

    def ready(self) -> None:
        # Registers the order, the agreement and the report with the document templates.
        from tenants.mentoring import documents  # noqa: F401
        from tenants.mentoring.calendar import program_entries
        from tenants.roadmap.calendar import CALENDAR_SOURCES

        if program_entries not in CALENDAR_SOURCES:
            CALENDAR_SOURCES.append(program_entries)
