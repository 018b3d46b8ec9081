"""Writes to the registry: provisioning an organisation with its schema and domain."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from organizations.models import Domain, Municipality, Organization, Region
from organizations.signals import organization_provisioned


def schema_name_for(slug: str) -> str:
    return slug.replace("-", "_")


def domain_for(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


@dataclass(frozen=True)
class OrganizationData:
    """What an operator types (or a row of the onboarding list holds) to add an organisation."""

    full_name: str
    short_name: str
    slug: str
    kind: str
    municipality: Municipality
    timezone: str = ""
    pupils_count: int = 0
    teachers_count: int = 0


def organization_data_of(organization: Organization) -> OrganizationData:
    """The provisioning input held by an unsaved organisation (e.g. the admin's add form)."""
    return OrganizationData(
        full_name=organization.full_name,
        short_name=organization.short_name,
        slug=organization.slug,
        kind=organization.kind,
        municipality=organization.municipality,
        timezone=organization.timezone,
        pupils_count=organization.pupils_count,
        teachers_count=organization.teachers_count,
    )


def organization_validate(*, data: OrganizationData) -> Organization:
    """Build an unsaved organisation and validate it; raises ValidationError in Russian."""
    organization = Organization(
        full_name=data.full_name.strip(),
        short_name=data.short_name.strip(),
        slug=data.slug.strip().lower(),
        kind=data.kind,
        municipality=data.municipality,
        timezone=data.timezone or data.municipality.region.timezone,
        pupils_count=data.pupils_count,
        teachers_count=data.teachers_count,
        schema_name=schema_name_for(data.slug.strip().lower()),
    )
    organization.full_clean()
    if Domain.objects.filter(domain=domain_for(organization.slug)).exists():
        raise ValidationError({"slug": f"Домен {domain_for(organization.slug)} уже занят."})
    return organization


def organization_provision(*, data: OrganizationData) -> Organization:
    """Create the organisation, its schema (cloned from the template) and its primary domain.

    One transaction: PostgreSQL DDL is transactional, so a failure leaves neither a registry row
    nor a schema behind.
    """
    organization = organization_validate(data=data)
    with transaction.atomic():
        organization.save()  # TenantMixin.save() creates the schema (our create_schema clones)
        Domain.objects.create(
            domain=domain_for(organization.slug), tenant=organization, is_primary=True
        )
        organization_provisioned.send(sender=Organization, organization=organization)
    return organization


def organization_remove(*, organization: Organization) -> None:
    """Undo a provisioning (onboarding's compensation when a later row fails), or remove an
    organisation for good: the schema with everything in it, the domains, the memberships,
    the registry row and its rollups."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Created in this same transaction (a test, a caller's atomic block): its deferred
            # foreign-key checks must run before its tables can be dropped.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        from accounts.models import Membership

        Membership.objects.filter(organization=organization).delete()
        Domain.objects.filter(tenant=organization).delete()
        organization.delete(force_drop=True)


def municipality_get_or_create(*, region: Region, name: str) -> Municipality:
    municipality, _ = Municipality.objects.get_or_create(region=region, name=name.strip())
    return municipality
