"""Files of the banks (consent scans, agreements, destruction acts) go to managers only — a
mentor does not get them, not even for their own card."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from tenants.participants.models import Participant
from tenants.participants.services import consent_add, participant_attach_agreement
from tests.conftest import host_client
from tests.participants.test_pages import _add


def _scan(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 scan", content_type="application/pdf")


def test_consent_scans_and_agreements_are_for_managers_only(world):
    person = _add(world, last_name="Внешняя", is_external=True, workplace="ООО «Завод»")
    today = world.alpha.local_today()
    with tenant_context(world.alpha):
        consent = consent_add(participant=person, kind="personal_data", signed_on=today - dt.timedelta(days=1),
                              user=None, today=today, scan=_scan("согласие.pdf"))  # fmt: skip
        participant_attach_agreement(participant=person, scan=_scan("договор.pdf"), user=None)
        Participant.objects.filter(pk=person.pk).update(user=world.bob)  # bob's own card
    paths = [
        f"/participants/{person.pk}/consents/{consent.pk}/scan/",
        f"/participants/{person.pk}/consents/{consent.pk}.docx",
        f"/participants/{person.pk}/consents/blank.docx",
        f"/participants/{person.pk}/agreement/",
        "/participants/acts/",
    ]
    coordinator = host_client("alpha.localhost", world.alice)
    mentor = host_client("alpha.localhost", world.bob)
    assert mentor.get(f"/participants/{person.pk}/").status_code == 200  # the card itself
    for path in paths:
        assert coordinator.get(path).status_code == 200, path
        assert mentor.get(path).status_code == 403, path
        assert host_client("alpha.localhost", world.charlie).get(path).status_code == 403, path
