"""Individual educational routes (ИОМ) of the organisation's pedagogical workers."""

from __future__ import annotations

from django.apps import AppConfig


class RoutesConfig(AppConfig):
    name = "tenants.routes"
    label = "routes"
    verbose_name = "Индивидуальные образовательные маршруты"

    def ready(self) -> None:
        # Registers the route's form (DOCX) with the document templates.
        from tenants.routes import documents  # noqa: F401
