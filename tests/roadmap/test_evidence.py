"""Who may download a roadmap item's evidence (scanned приказы, протоколы): the director, the
coordinators and the item's responsible people — on the page, the download and the API alike."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from accounts.models import Membership, Role, User
from tenants.roadmap.models import Evidence, RoadmapItem
from tenants.roadmap.selectors import current_academic_year
from tenants.roadmap.services import roadmap_item_set_status
from tests.conftest import host_client


@dataclass
class Files:
    item: RoadmapItem  # alice (куратор) is responsible
    scan: Evidence
    mentors_item: RoadmapItem  # bob (наставник) is responsible
    mentors_scan: Evidence
    director: User
    mentee: User


def _attach(item: RoadmapItem, name: str) -> Evidence:
    upload = SimpleUploadedFile(name, b"%PDF-1.4 scan", content_type="application/pdf")
    roadmap_item_set_status(item=item, user=None, status="in_progress", files=[upload])
    return item.evidence.get(name=name)


@pytest.fixture
def files(world) -> Files:  # type: ignore[no-untyped-def]
    director = User.objects.create_user("dina", password="x", last_name="Директорова")
    mentee = User.objects.create_user("misha", password="x", last_name="Учеников")
    Membership.objects.create(user=director, role=Role.DIRECTOR, organization=world.alpha)
    Membership.objects.create(user=mentee, role=Role.MENTEE, organization=world.alpha)
    with tenant_context(world.alpha):
        items = RoadmapItem.objects.filter(
            roadmap__academic_year=current_academic_year(world.alpha), is_stage=False
        )
        item = items.filter(responsible_users=world.alice).exclude(responsible_users=world.bob)[0]
        mentors_item = items.filter(responsible_users=world.bob)[0]
        return Files(item, _attach(item, "Приказ о наставниках.pdf"), mentors_item,
                     _attach(mentors_item, "Протокол.pdf"), director, mentee)  # fmt: skip


def _status(user: User, path: str) -> int:
    return host_client("alpha.localhost", user).get(path).status_code


def test_the_director_and_the_coordinator_download_every_evidence_file(world, files):
    for user in (files.director, world.alice):
        for scan in (files.scan, files.mentors_scan):
            response = host_client("alpha.localhost", user).get(f"/roadmap/evidence/{scan.pk}/")
            assert response.status_code == 200, (user, scan)
            assert b"".join(response.streaming_content) == b"%PDF-1.4 scan"


def test_a_responsible_mentor_downloads_their_items_evidence_only(world, files):
    assert _status(world.bob, f"/roadmap/evidence/{files.mentors_scan.pk}/") == 200
    assert _status(world.bob, f"/roadmap/evidence/{files.scan.pk}/") == 403


def test_a_mentee_cannot_download_a_scanned_prikaz_but_still_sees_the_item(world, files):
    assert _status(files.mentee, f"/roadmap/evidence/{files.scan.pk}/") == 403
    page = host_client("alpha.localhost", files.mentee).get(f"/roadmap/items/{files.item.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and "Приказ о наставниках.pdf" in text
    assert f"/roadmap/evidence/{files.scan.pk}/" not in text
    assert "Скачать документы могут руководитель, куратор и ответственные" in text
    coordinator = host_client("alpha.localhost", world.alice).get(
        f"/roadmap/items/{files.item.pk}/"
    )
    assert f"/roadmap/evidence/{files.scan.pk}/" in coordinator.content.decode()


def test_the_api_lists_and_serves_evidence_by_the_same_rule(world, files):
    base = f"/api/v1/roadmap-items/{files.item.pk}/evidence/"
    coordinator = host_client("alpha.localhost", world.alice)
    listed = coordinator.get(base).json()
    assert [e["name"] for e in listed] == ["Приказ о наставниках.pdf"]
    download = coordinator.get(listed[0]["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 scan"

    mentee = host_client("alpha.localhost", files.mentee)
    assert mentee.get(base).json() == []
    assert mentee.get(f"{base}{files.scan.pk}/").status_code == 403
    assert (
        host_client("alpha.localhost", world.bob).get(f"{base}{files.scan.pk}/").status_code == 403
    )
    mentors = f"/api/v1/roadmap-items/{files.mentors_item.pk}/evidence/{files.mentors_scan.pk}/"
    assert host_client("alpha.localhost", world.bob).get(mentors).status_code == 200
    # An evidence id under another item is not found, whoever asks.
    assert coordinator.get(f"{base}{files.mentors_scan.pk}/").status_code == 404


def test_another_schools_coordinator_gets_nothing(world, files):
    assert _status(world.charlie, f"/roadmap/evidence/{files.scan.pk}/") == 403
    path = f"/api/v1/roadmap-items/{files.item.pk}/evidence/{files.scan.pk}/"
    assert _status(world.charlie, path) == 403
