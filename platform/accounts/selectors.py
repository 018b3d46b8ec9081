"""Reads about who may do what where."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from accounts.models import Membership, Role, User
from organizations.models import Organization, Region


def organization_roles(*, user: User | AnonymousUser, organization: Organization) -> frozenset[str]:
    """The user's roles in one organisation (empty: no access to its schema at all)."""
    if not user.is_authenticated or organization.pk is None:
        return frozenset()
    return frozenset(
        Membership.objects.filter(user=user, organization_id=organization.pk).values_list(
            "role", flat=True
        )
    )


def public_roles(*, user: User | AnonymousUser) -> frozenset[str]:
    """Roles that act on the regional layer (region or municipality scope)."""
    if not user.is_authenticated:
        return frozenset()
    return frozenset(
        Membership.objects.filter(
            user=user, role__in=[Role.REGIONAL_OPERATOR, Role.MUNICIPAL_SPECIALIST, Role.TUTOR]
        ).values_list("role", flat=True)
    )


def user_organizations(*, user: User) -> list[Organization]:
    """Organisations where the user holds any role, for the «my organisations» menu."""
    return list(
        Organization.objects.filter(memberships__user=user)
        .select_related("municipality")
        .prefetch_related("domains")
        .distinct()
        .order_by("short_name")
    )


def operator_regions(*, user: User | AnonymousUser) -> list[Region]:
    """Regions where the user may onboard organisations (all of them for a superuser)."""
    if not isinstance(user, User):
        return []
    if user.is_superuser:
        return list(Region.objects.all())
    return list(
        Region.objects.filter(
            memberships__user=user, memberships__role=Role.REGIONAL_OPERATOR
        ).distinct()
    )
