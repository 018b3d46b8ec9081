"""The ЦНППМ of a region: its tutors' assignments to teachers across schools, the instrument of
self-diagnosis, the public projection of each route's status (no content) and the caseload."""

from __future__ import annotations

from django.apps import AppConfig


class CnppmConfig(AppConfig):
    name = "cnppm"
    verbose_name = "ЦНППМ: тьюторское сопровождение ИОМ"
