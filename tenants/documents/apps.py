"""Documents (DOCX templates)."""

from __future__ import annotations

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "tenants.documents"
    label = "documents"
    verbose_name = "Документы"
