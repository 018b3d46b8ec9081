"""Roadmap reactions to the registry: a new organisation gets the roadmap template of its kind;
memberships relink responsible people and, when the last one ends, revoke the calendar feed."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_tenants.utils import tenant_context

from accounts.models import Membership
from organizations.models import Organization
from organizations.signals import organization_provisioned


@receiver(organization_provisioned)
def create_first_roadmap(sender: Any, organization: Organization, **_: Any) -> None:
    from tenants.roadmap.selectors import current_academic_year
    from tenants.roadmap.services import roadmap_create

    with tenant_context(organization):
        roadmap_create(organization=organization, academic_year=current_academic_year(organization))


@receiver([post_save, post_delete], sender=Membership)
def relink_responsible_people(sender: Any, instance: Membership, **_: Any) -> None:
    """A new coordinator becomes responsible for the items that name «куратор», and so on."""
    if instance.organization_id is None:
        return
    from django_tenants.utils import schema_exists

    from tenants.roadmap.models import Roadmap
    from tenants.roadmap.selectors import current_academic_year
    from tenants.roadmap.services import roadmap_relink_responsible

    organization = Organization.objects.filter(pk=instance.organization_id).first()
    if organization is None or not schema_exists(organization.schema_name):
        return  # the organisation is being removed
    with tenant_context(organization):
        year = current_academic_year(organization)
        for roadmap in Roadmap.objects.filter(academic_year__gte=year):
            roadmap_relink_responsible(roadmap=roadmap, organization=organization)


@receiver(post_delete, sender=Membership)
def revoke_calendar_feed(sender: Any, instance: Membership, **_: Any) -> None:
    """The member's last role here is gone: their calendar address is deleted, so that a copy
    of it cannot come back to life if they are given a role again (each fetch already checks
    the membership, see tenants.roadmap.calendar.feed_for_token)."""
    if instance.organization_id is None:
        return
    from django_tenants.utils import schema_exists

    from tenants.roadmap.models import CalendarFeed

    if Membership.objects.filter(
        user_id=instance.user_id, organization_id=instance.organization_id
    ).exists():
        return
    organization = Organization.objects.filter(pk=instance.organization_id).first()
    if organization is None or not schema_exists(organization.schema_name):
        return
    with tenant_context(organization):
        CalendarFeed.objects.filter(user_id=instance.user_id).delete()
