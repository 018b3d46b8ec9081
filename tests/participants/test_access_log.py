"""The access log of minors' data (152-ФЗ, ст. 19): reads of a minor's card, consents and
exports are recorded (who, when, what, from where); the director and coordinators read the
log, filtered and paginated; mentors and other schools cannot."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from accounts.models import Membership, Role, User
from tenants.participants.models import AccessKind, BankRole, Category, MinorDataAccess
from tenants.participants.services import (
    ParticipantData,
    access_event_record,
    consent_add,
    participant_create,
)
from tests.conftest import host_client

ADULT = {"last_name": "Взрослова", "first_name": "Вера", "category": Category.TEACHER,
         "bank_role": BankRole.MENTOR, "birth_date": dt.date(1980, 1, 1), "competencies": ["ИКТ"]}  # fmt: skip


def _person(organization, **values):  # type: ignore[no-untyped-def]
    data = {"last_name": "Малышев", "first_name": "Петя", "category": Category.PUPIL,
            "bank_role": BankRole.MENTEE, "class_group": "7 «А»"} | values  # fmt: skip
    data.setdefault(
        "birth_date",
        organization.local_today().replace(year=organization.local_today().year - 12, day=1),
    )
    today = organization.local_today()
    with tenant_context(organization):
        return participant_create(academic_year=organization.academic_year_of(today),
                                  data=ParticipantData(**data), user=None, today=today)  # fmt: skip


def _log(organization) -> list[MinorDataAccess]:  # type: ignore[no-untyped-def]
    with tenant_context(organization):
        return list(MinorDataAccess.objects.order_by("id"))


@pytest.fixture
def director(world) -> User:  # type: ignore[no-untyped-def]
    user = User.objects.create_user(
        "dina", password="x", last_name="Директорова", first_name="Дина"
    )
    Membership.objects.create(user=user, role=Role.DIRECTOR, organization=world.alpha)
    return user


def test_reading_a_minors_card_adds_one_row_naming_who_what_and_from_where(world):
    minor = _person(world.alpha)
    response = host_client("alpha.localhost", world.alice).get(f"/participants/{minor.pk}/")
    assert response.status_code == 200
    [event] = _log(world.alpha)
    assert event.kind == AccessKind.CARD
    assert (event.user_id, event.user_name) == (world.alice.pk, "Алексеева Алиса Петровна")
    assert event.participant_id == minor.pk and event.minors == 1
    assert event.ip == "127.0.0.1"


def test_reading_an_adults_card_adds_no_row(world):
    adult = _person(world.alpha, **ADULT)
    assert (
        host_client("alpha.localhost", world.alice).get(f"/participants/{adult.pk}/").status_code
        == 200
    )
    assert _log(world.alpha) == []


def test_the_api_detail_of_a_minor_is_recorded_as_the_card_is(world):
    minor = _person(world.alpha)
    adult = _person(world.alpha, **ADULT)
    client = host_client("alpha.localhost", world.alice)
    assert client.get(f"/api/v1/participants/{minor.pk}/").status_code == 200
    assert client.get(f"/api/v1/participants/{adult.pk}/").status_code == 200
    assert [(e.kind, e.participant_id) for e in _log(world.alpha)] == [
        (AccessKind.CARD_API, minor.pk)
    ]


def test_a_minors_consent_scan_and_documents_are_recorded(world):
    minor = _person(world.alpha)
    today = world.alpha.local_today()
    with tenant_context(world.alpha):
        consent = consent_add(
            participant=minor, kind="personal_data", signed_on=today, user=None, today=today,
            representative_name="Малышева Анна Ивановна", representative_relation="mother",
            scan=SimpleUploadedFile("скан.pdf", b"%PDF-1.4 scan", content_type="application/pdf"),
        )  # fmt: skip
    client = host_client("alpha.localhost", world.alice)
    for path in (f"/participants/{minor.pk}/consents/{consent.pk}/scan/",
                 f"/participants/{minor.pk}/consents/{consent.pk}.docx",
                 f"/participants/{minor.pk}/consents/blank.docx"):  # fmt: skip
        assert client.get(path).status_code == 200, path
    assert [e.kind for e in _log(world.alpha)] == [
        AccessKind.CONSENT_SCAN, AccessKind.CONSENT_DOCUMENT, AccessKind.CONSENT_BLANK,
    ]  # fmt: skip


def test_an_export_with_minors_adds_one_row_naming_how_many(world):
    _person(world.alpha)
    _person(world.alpha, last_name="Малышева", first_name="Оля")
    _person(world.alpha, **ADULT)
    client = host_client("alpha.localhost", world.alice)
    assert client.get("/participants/export.xlsx").status_code == 200
    assert client.get("/participants/export.csv").status_code == 200
    events = _log(world.alpha)
    assert [(e.kind, e.minors, e.participant_id) for e in events] == [
        (AccessKind.EXPORT_XLSX, 2, None), (AccessKind.EXPORT_CSV, 2, None),
    ]  # fmt: skip
    assert "всего записей: 3" in events[0].detail


def test_an_export_without_minors_adds_no_row(world):
    _person(world.alpha, **ADULT)
    assert (
        host_client("alpha.localhost", world.alice).get("/participants/export.xlsx").status_code
        == 200
    )
    assert _log(world.alpha) == []


def test_who_is_a_minor_is_decided_on_the_organisations_own_date(world):
    # 20:00 UTC on 14 March: still the 14th in Moscow (Alpha), already the 15th in Krasnoyarsk
    # (Beta). Born on 15 March eighteen years before: a minor in Alpha, an adult in Beta.
    with time_machine.travel(dt.datetime(2026, 3, 14, 20, 0, tzinfo=dt.UTC), tick=False):
        born = {"birth_date": dt.date(2008, 3, 15), "class_group": "11 «А»"}
        in_alpha = _person(world.alpha, **born)
        in_beta = _person(world.beta, **born)
        host_client("alpha.localhost", world.alice).get(f"/participants/{in_alpha.pk}/")
        host_client("beta.localhost", world.charlie).get(f"/participants/{in_beta.pk}/")
    assert len(_log(world.alpha)) == 1
    assert _log(world.beta) == []


def test_the_director_reads_the_log_filtered_by_person_and_date_and_paginated(world, director):
    minor = _person(world.alpha)
    with tenant_context(world.alpha):
        for _ in range(55):
            access_event_record(
                kind=AccessKind.CARD, user=world.bob, ip="10.0.0.7", participant=minor
            )
        old = access_event_record(
            kind=AccessKind.EXPORT_XLSX, user=world.alice, ip="10.0.0.8", minors=3
        )
        MinorDataAccess.objects.filter(pk=old.pk).update(
            at=dt.datetime(2025, 9, 2, 9, 0, tzinfo=dt.UTC)
        )
    client = host_client("alpha.localhost", director)
    page = client.get("/participants/audit/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Журнал доступа к данным несовершеннолетних" in text
    assert "Записей: 56" in text and "страница 1 из 2" in text
    assert "Борисов Борис Игоревич" in text and "10.0.0.7" in text and "Малышев П." in text
    second = client.get("/participants/audit/?page=2").content.decode()
    assert "несовершеннолетних: 3" in second  # the oldest row is on the last page

    only_alice = client.get(f"/participants/audit/?user={world.alice.pk}").content.decode()
    assert "Записей: 1" in only_alice and "выгрузка баз (XLSX)" in only_alice
    that_day = client.get("/participants/audit/?from=2025-09-02&to=2025-09-02").content.decode()
    assert "Записей: 1" in that_day and "02.09.2025 12:00" in that_day  # Moscow time
    whose = client.get(f"/participants/audit/?participant={minor.pk}").content.decode()
    assert "Записей: 55" in whose
    assert "Записей: 56" in client.get("/participants/audit/?from=завтра&user=x").content.decode()


def test_the_coordinator_reads_the_log_a_mentor_cannot(world):
    assert (
        host_client("alpha.localhost", world.alice).get("/participants/audit/").status_code == 200
    )
    assert host_client("alpha.localhost", world.bob).get("/participants/audit/").status_code == 403


def test_another_schools_coordinator_gets_403(world):
    assert (
        host_client("alpha.localhost", world.charlie).get("/participants/audit/").status_code == 403
    )


def test_reading_the_log_itself_is_not_a_read_of_a_minors_data(world):
    _person(world.alpha)
    host_client("alpha.localhost", world.alice).get("/participants/audit/")
    assert _log(world.alpha) == []


def test_the_log_keeps_the_readers_name_after_the_account_is_deleted(world):
    from accounts.services import user_delete

    reader = User.objects.create_user(
        "temp", password="x", last_name="Временная", first_name="Ирина"
    )
    Membership.objects.create(user=reader, role=Role.COORDINATOR, organization=world.alpha)
    minor = _person(world.alpha)
    host_client("alpha.localhost", reader).get(f"/participants/{minor.pk}/")
    user_delete(user=reader)
    [event] = _log(world.alpha)
    assert event.user_name == "Временная Ирина" and event.participant_id == minor.pk


def test_the_exported_file_is_the_same_with_the_log(world):
    # The log is a side record: the export's content does not change because of it.
    import openpyxl

    _person(world.alpha)
    response = host_client("alpha.localhost", world.alice).get("/participants/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 2
