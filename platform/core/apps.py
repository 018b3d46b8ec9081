"""Shared presentation helpers."""

from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Общее"

    def ready(self) -> None:
        from core.logs import init_error_reports

        init_error_reports()
