"""Loading the demo region through the same services users trigger; safe to run again."""

from __future__ import annotations

from base64 import b32decode

from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Membership, User
from accounts.selectors import two_factor_state
from demo import catalogue
from demo.banks import demo_banks, demo_own_cards
from demo.pairs import demo_pairs
from demo.reminders import demo_reminders
from demo.roadmaps import demo_roadmap
from organizations.models import Municipality, Organization, Region
from organizations.services import OrganizationData, organization_provision


def demo_totp_key() -> str:
    """DEMO_TOTP_SECRET as the hex key django-otp stores."""
    return b32decode(catalogue.DEMO_TOTP_SECRET).hex()


def demo_two_factor() -> int:
    """Demo users who must use 2FA get an authenticator with the demo secret, so the demo
    logins keep working; anyone else's devices are left as they are."""
    usernames = [person.username for person in catalogue.USERS] + ["admin"]
    added = 0
    for user in User.objects.filter(username__in=usernames):
        if not two_factor_state(user=user).required:
            continue
        _, created = TOTPDevice.objects.get_or_create(
            user=user,
            confirmed=True,
            defaults={"name": "Демо-аутентификатор", "key": demo_totp_key()},
        )
        added += created
    return added


def demo_load(*, password: str = catalogue.DEMO_PASSWORD) -> dict[str, int]:
    region, _ = Region.objects.update_or_create(
        code=catalogue.REGION["code"],
        defaults={"name": catalogue.REGION["name"], "timezone": catalogue.REGION["timezone"]},
    )
    municipalities = {
        name: Municipality.objects.get_or_create(region=region, name=name)[0]
        for name in catalogue.MUNICIPALITIES
    }
    created_organizations = 0
    organizations: dict[str, Organization] = {}
    for item in catalogue.ORGANIZATIONS:
        organization = Organization.objects.filter(slug=item.slug).first()
        if organization is None:
            organization = organization_provision(
                data=OrganizationData(
                    full_name=item.full_name,
                    short_name=item.short_name,
                    slug=item.slug,
                    kind=item.kind,
                    municipality=municipalities[item.municipality],
                    timezone=item.timezone,
                    pupils_count=item.pupils,
                    teachers_count=item.teachers,
                )
            )
            created_organizations += 1
        organizations[item.slug] = organization

    created_users = 0
    for person in catalogue.USERS:
        user, created = User.objects.get_or_create(
            username=person.username,
            defaults={
                "last_name": person.last_name,
                "first_name": person.first_name,
                "patronymic": person.patronymic,
                "is_staff": person.is_staff,
                "email": f"{person.username}@demo.cmn.local",
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
            created_users += 1
        if person.scope == "region":
            Membership.objects.get_or_create(user=user, role=person.role, region=region)
        elif person.scope in municipalities:
            Membership.objects.get_or_create(
                user=user, role=person.role, municipality=municipalities[person.scope]
            )
        else:
            Membership.objects.get_or_create(
                user=user, role=person.role, organization=organizations[person.scope]
            )

    admin, created = User.objects.get_or_create(
        username="admin",
        defaults={"is_staff": True, "is_superuser": True, "last_name": "Администратор"},
    )
    if created:
        admin.set_password(password)
        admin.save(update_fields=["password"])
        created_users += 1
    demo_two_factor()
    for organization in organizations.values():
        demo_roadmap(organization=organization)
        demo_banks(organization=organization)
        demo_own_cards(organization=organization)
        demo_pairs(organization=organization)
        demo_reminders(organization=organization)
    from demo.routes import demo_routes

    demo_routes(region=region, organizations=organizations)
    from demo.monitoring import demo_monitoring

    for organization in organizations.values():
        demo_monitoring(organization=organization)
    # The regional dashboard shows figures at once, not after the first flush.
    from django_tenants.utils import tenant_context

    from regional_dashboard.publication import publish_due
    from regional_dashboard.rollups import rollup_refresh

    for organization in organizations.values():
        with tenant_context(organization):
            rollup_refresh(organization=organization)
    publish_due()
    return {"organizations": created_organizations, "users": created_users}
