"""Roadmaps (дорожные карты)."""

from __future__ import annotations

from django.apps import AppConfig


class RoadmapConfig(AppConfig):
    name = "tenants.roadmap"
    label = "roadmap"
    verbose_name = "Дорожная карта"

    def ready(self) -> None:
        from tenants.roadmap import receivers  # noqa: F401  (connects receivers)
