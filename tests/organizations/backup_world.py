"""The backup test's own database, driven from subprocesses: `python -m
tests.organizations.backup_world setup|pages|lose` with DATABASE_URL and MEDIA_ROOT pointing
at the test's own.

setup: migrate; one school with a coordinator, a person in its bank with a signed agreement
(an upload), a roadmap item. pages: what the coordinator sees on the school's pages and the
agreement's bytes (JSON). lose: the school is removed from the registry with its schema, and
its uploads are deleted, as after an operator's mistake.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

SLUG = "backup"


def setup() -> None:
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django_tenants.utils import tenant_context

    from accounts.models import Membership, Role, User
    from organizations.models import Municipality, Region
    from organizations.services import OrganizationData, organization_provision
    from tenants.participants.services import (
        ParticipantData,
        participant_attach_agreement,
        participant_create,
    )
    from tenants.roadmap.models import Roadmap
    from tenants.roadmap.services import roadmap_item_create

    call_command("migrate", verbosity=0)
    region = Region.objects.create(name="Область копий", code="94")
    municipality = Municipality.objects.create(region=region, name="Район копий")
    organization = organization_provision(data=OrganizationData(
        full_name="Школа копий", short_name="Школа копий", slug=SLUG, kind="school",
        municipality=municipality, timezone="Europe/Moscow",
    ))  # fmt: skip
    user = User.objects.create_user("coordinator", "c@backup.test", "unused-password-42!",
                                    last_name="Белова", first_name="Ольга")  # fmt: skip
    Membership.objects.create(user=user, role=Role.COORDINATOR, organization=organization)
    with tenant_context(organization):
        today = organization.local_today()
        person = participant_create(academic_year=organization.academic_year_of(today), data=ParticipantData(
            last_name="Королёва", first_name="Анна", category="teacher", bank_role="mentor", is_external=True,
            workplace="ООО «Наставник»", agreement_number="7", agreement_date=dt.date(2025, 9, 1),
        ), user=None, today=today)  # fmt: skip
        participant_attach_agreement(
            participant=person,
            scan=SimpleUploadedFile("договор.pdf", b"%PDF-1.4 signed agreement"),
            user=None,
        )
        roadmap = Roadmap.objects.get(academic_year=organization.academic_year_of(today))
        roadmap_item_create(roadmap=roadmap, organization=organization, user=None, parent=None, is_stage=False,
                            title="Фестиваль наставнических пар", deadline_text="Май")  # fmt: skip
    print(json.dumps({"person": person.pk}))


_VOLATILE = re.compile(
    r'(csrfmiddlewaretoken" value="|X-CSRFToken": "|name="submit_key" value=")[^"]+'
)


def pages() -> None:
    from django.test import Client

    from accounts.models import User
    from organizations.models import Organization

    organization = Organization.objects.filter(slug=SLUG).first()
    if organization is None:
        print(json.dumps({"registry": False}))
        return
    client = Client(HTTP_HOST=organization.domains.get().domain)
    client.force_login(User.objects.get(username="coordinator"))
    person = sys.argv[2]
    seen: dict[str, object] = {"registry": True}
    for path in ("/participants/?bank=mentors", f"/participants/{person}/", "/roadmap/"):
        response = client.get(path)
        text = _VOLATILE.sub(r"\1…", response.content.decode())
        seen[path] = [
            response.status_code,
            "Королёва" in text,
            "Фестиваль наставнических пар" in text,
        ]
    download = client.get(f"/participants/{person}/agreement/")
    body = b"".join(download.streaming_content) if download.status_code == 200 else b""
    seen["agreement"] = [download.status_code, hashlib.sha256(body).hexdigest()]
    print(json.dumps(seen, ensure_ascii=False))


def lose() -> None:
    from django.conf import settings

    from organizations.models import Organization
    from organizations.services import organization_remove

    organization = Organization.objects.get(slug=SLUG)
    shutil.rmtree(Path(settings.MEDIA_ROOT) / organization.schema_name)
    organization_remove(organization=organization)


if __name__ == "__main__":
    import django

    django.setup()
    {"setup": setup, "pages": pages, "lose": lose}[sys.argv[1]]()
