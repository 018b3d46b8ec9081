"""Individual educational routes (ИОМ) of the organisation's pedagogical workers."""

from __future__ import annotations

from django.apps import AppConfig


class RoutesConfig(AppConfig):
    name = "tenants.routes"
    label = "routes"
    verbose_name = "Индивидуальные образовательные маршруты"
