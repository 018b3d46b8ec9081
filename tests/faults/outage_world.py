"""The outage test's own world, driven from subprocesses: `python -m tests.faults.outage_world
setup|counts` with DATABASE_URL pointing at the test's own PostgreSQL.

setup: migrate, one school with a coordinator, and a logged-in session for them (printed as
JSON: the session key). counts: the school's mentors in its bank, in its latest rollup, and
the rollup marks not yet consumed.
"""

from __future__ import annotations

import json
import sys

SLUG = "outage"


def setup() -> None:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from accounts.models import Membership, Role, User
    from organizations.models import Municipality, Region
    from organizations.services import OrganizationData, organization_provision

    call_command("migrate", verbosity=0)
    region = Region.objects.create(name="Область сбоев", code="95")
    municipality = Municipality.objects.create(region=region, name="Район сбоев")
    organization = organization_provision(data=OrganizationData(
        full_name="Школа сбоев", short_name="Школа сбоев", slug=SLUG, kind="school",
        municipality=municipality, timezone="Europe/Moscow",
    ))  # fmt: skip
    user = User.objects.create_user("coordinator", "c@outage.test", "unused-password-42!")
    Membership.objects.create(user=user, role=Role.COORDINATOR, organization=organization)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    print(json.dumps({"session": session.session_key, "host": organization.domains.get().domain}))


def counts() -> None:
    from django_tenants.utils import tenant_context

    from organizations.models import Organization
    from regional_dashboard.models import DirtyMark, OrganizationRollup
    from tenants.participants.models import Participant

    organization = Organization.objects.get(slug=SLUG)
    with tenant_context(organization):
        mentors = Participant.objects.filter(bank_role="mentor").count()
    latest = OrganizationRollup.objects.filter(organization=organization, is_latest=True).first()
    print(json.dumps({
        "mentors": mentors,
        "rollup_mentors": latest.mentors if latest else None,
        "marks": DirtyMark.objects.filter(schema_name=organization.schema_name).count(),
    }))  # fmt: skip


if __name__ == "__main__":
    import django

    django.setup()
    {"setup": setup, "counts": counts}[sys.argv[1]]()
