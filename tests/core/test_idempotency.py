"""A form sent twice does one thing: the key the page rendered is recorded with the first
submission, in its transaction; a resend, or a twin sent at the same moment from another
connection, writes nothing and lands on the same page with a calm message."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django_tenants.utils import tenant_context

from core.idempotency import ALREADY_SENT, FIELD
from core.models import SubmittedForm
from organizations.models import Organization
from regional_dashboard.models import DirtyMark
from tenants.participants.models import Consent
from tenants.roadmap.models import Roadmap, RoadmapItem
from tenants.roadmap.selectors import current_academic_year
from tests.conftest import host_client
from tests.participants.conftest import make_person


def _key(page: str) -> str:
    found = re.search(rf'name="{FIELD}" value="([0-9a-f]{{32}})"', page)
    assert found, "the form carries no submit key"
    return found.group(1)


def _new_item(client, year: int, key: str, title: str = "Фестиваль наставников"):  # type: ignore[no-untyped-def]
    return client.post(f"/roadmap/items/new/?year={year}",
                       {"title": title, "deadline_text": "Апрель", FIELD: key})  # fmt: skip


def test_a_new_roadmap_item_sent_twice_is_added_once(world):
    client = host_client("alpha.localhost", world.alice)
    year = current_academic_year(world.alpha)
    key = _key(client.get(f"/roadmap/items/new/?year={year}").content.decode())
    first = _new_item(client, year, key)
    again = _new_item(client, year, key)
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    with tenant_context(world.alpha):
        assert RoadmapItem.objects.filter(title="Фестиваль наставников").count() == 1
    assert ALREADY_SENT in client.get(again["Location"]).content.decode()
    # A fresh page is a fresh key: the same title may be added on purpose.
    other = _key(client.get(f"/roadmap/items/new/?year={year}").content.decode())
    assert other != key and _new_item(client, year, other).status_code == 302
    with tenant_context(world.alpha):
        assert RoadmapItem.objects.filter(title="Фестиваль наставников").count() == 2


def test_a_consent_sent_twice_is_recorded_once(world):
    with tenant_context(world.alpha):
        teacher = make_person(
            category="teacher", bank_role="mentor", birth_date=None, class_group=""
        )
    client = host_client("alpha.localhost", world.alice)
    key = _key(client.get(f"/participants/{teacher.pk}/").content.decode())
    form = {
        "kind": "personal_data",
        "signed_on": "2025-10-01",
        "form_version": "2025-1",
        FIELD: key,
    }
    for _ in range(2):
        assert client.post(f"/participants/{teacher.pk}/consents/", form).status_code == 302
    with tenant_context(world.alpha):
        assert Consent.objects.filter(participant=teacher).count() == 1


def test_a_form_with_errors_keeps_its_key_usable(world):
    client = host_client("alpha.localhost", world.alice)
    year = current_academic_year(world.alpha)
    key = _key(client.get(f"/roadmap/items/new/?year={year}").content.decode())
    refused = _new_item(client, year, key, title="")
    assert refused.status_code == 200  # the form again, with its errors
    assert _new_item(client, year, key).status_code == 302
    with tenant_context(world.alpha):
        assert SubmittedForm.objects.filter(key=key).exists()


@pytest.fixture
def alpha(django_db_setup, django_db_blocker) -> Iterator[Organization]:  # type: ignore[no-untyped-def]
    """Committed data: the twins run on connections of their own."""
    with django_db_blocker.unblock():
        organization = Organization.objects.get(slug="alpha")
        yield organization
        with tenant_context(organization):
            RoadmapItem.objects.filter(title="Двойное нажатие").delete()
            SubmittedForm.objects.all().delete()
        DirtyMark.objects.filter(schema_name=organization.schema_name).delete()
        Session.objects.all().delete()


def test_two_twins_sent_at_the_same_moment_add_one_item(alpha, django_db_blocker):
    from accounts.models import User

    with django_db_blocker.unblock():
        alice = User.objects.get(username="alice")
        clients = [host_client("alpha.localhost", alice) for _ in range(2)]
        with tenant_context(alpha):
            year = current_academic_year(alpha)
            Roadmap.objects.get(academic_year=year)
        key = _key(clients[0].get(f"/roadmap/items/new/?year={year}").content.decode())
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def send(client) -> None:  # type: ignore[no-untyped-def]
        try:
            with django_db_blocker.unblock():
                barrier.wait()
                statuses.append(_new_item(client, year, key, title="Двойное нажатие").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert statuses == [302, 302]
    with django_db_blocker.unblock(), tenant_context(alpha):
        assert RoadmapItem.objects.filter(title="Двойное нажатие").count() == 1
