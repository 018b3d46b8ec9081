"""The organisation's home page."""

from __future__ import annotations

from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "tenants.home"
    label = "tenant_home"
    verbose_name = "Главная организации"
