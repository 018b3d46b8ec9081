"""Regional layer."""

from __future__ import annotations

from django.apps import AppConfig


class RegionalDashboardConfig(AppConfig):
    name = "regional_dashboard"
    verbose_name = "Региональный уровень"
