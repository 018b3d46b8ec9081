"""Monitoring of the mentoring programs: instruments, waves («вход», промежуточный, итоговый
«выход»), answers, educational outcomes, results and the curator's analytic report."""

from __future__ import annotations

from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "tenants.monitoring"
    label = "monitoring"
    verbose_name = "Мониторинг программ наставничества"

    def ready(self) -> None:
        # Registers the curator's analytic report (DOCX) with the document templates.
        from tenants.monitoring import documents  # noqa: F401
