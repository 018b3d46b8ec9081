"""A new organisation gets the roadmap template of its kind for the current academic year."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django_tenants.utils import tenant_context

from organizations.models import Organization
from organizations.signals import organization_provisioned


@receiver(organization_provisioned)
def create_first_roadmap(sender: Any, organization: Organization, **_: Any) -> None:
    from tenants.roadmap.selectors import current_academic_year
    from tenants.roadmap.services import roadmap_create

    with tenant_context(organization):
        roadmap_create(organization=organization, academic_year=current_academic_year(organization))
