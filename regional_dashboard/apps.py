"""Regional layer."""

from __future__ import annotations

from django.apps import AppConfig


class RegionalDashboardConfig(AppConfig):
    name = "regional_dashboard"
    verbose_name = "Региональный уровень"

    def ready(self) -> None:
        from regional_dashboard.rollups import connect_signals

        connect_signals()
