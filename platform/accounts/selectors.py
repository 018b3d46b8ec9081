"""Reads about who may do what where."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import TWO_FACTOR_ROLES, Membership, Role, User
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
            user=user,
            role__in=[
                Role.REGIONAL_OPERATOR,
                Role.MUNICIPAL_SPECIALIST,
                Role.TUTOR,
                Role.CNPPM_HEAD,
            ],
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


@dataclass(frozen=True)
class TwoFactorState:
    required: bool  # staff or a role in TWO_FACTOR_ROLES: no way in without a second factor
    enrolled: bool  # has a confirmed authenticator (TOTP device)


def two_factor_state(*, user: User | AnonymousUser) -> TwoFactorState:
    """Whether the user must use 2FA and whether they have set it up, in one query."""
    if not isinstance(user, User):
        return TwoFactorState(required=False, enrolled=False)
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            has_role=Exists(
                Membership.objects.filter(user=OuterRef("pk"), role__in=TWO_FACTOR_ROLES)
            ),
            enrolled=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        )
        .values("is_staff", "is_superuser", "has_role", "enrolled")
        .first()
    )
    if row is None:
        return TwoFactorState(required=False, enrolled=False)
    required = bool(row["is_staff"] or row["is_superuser"] or row["has_role"])
    return TwoFactorState(required=required, enrolled=bool(row["enrolled"]))


def totp_device(*, user: User, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()


def recovery_device(*, user: User) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def recovery_codes_left(*, user: User) -> int:
    device = recovery_device(user=user)
    return device.token_set.count() if device is not None else 0
