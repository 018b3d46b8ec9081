"""The upload → preview → confirm flow: stored in PostgreSQL, read by the real worker when big,
paginated, confirmed once, never after it expired."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from accounts.models import User
from config.celery import app
from core.imports import (
    import_job_confirm,
    import_job_process,
    import_job_start,
    import_jobs_cleanup,
)
from core.models import ImportJob, ImportRow, ImportStatus
from organizations.models import Organization
from tenants.participants.importing import COLUMNS, ParticipantsImporter
from tenants.participants.models import Participant
from tests.conftest import host_client
from tests.core.xlsx import fast_xlsx

YEAR = 2031  # a year no other test uses: the worker's writes are committed


def person(n: int, *, bad: bool = False) -> list[str]:
    values = {
        "Фамилия": f"Фамилия{n}", "Имя": "Анна", "Отчество": "Ивановна",
        "Дата рождения": f"{n % 28 + 1:02d}.{n % 12 + 1:02d}.1980",
        "Категория": "учитель года" if bad else "педагог", "Должность": "учитель",
        "Роль в базе": "наставник", "Наставляемых не более": "2",
        "Согласие на обработку ПДн: дата": "01.09.2025",
    }  # fmt: skip
    return [values.get(column, "") for column in COLUMNS]


def bank_file(rows: int, *, bad_every: int = 100) -> bytes:
    return fast_xlsx(COLUMNS, (person(n, bad=n % bad_every == 7) for n in range(rows)))


@pytest.fixture(scope="module")
def committed(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """No test transaction: the worker (another connection) must see what the test wrote.
    Everything written here is deleted afterwards."""
    with django_db_blocker.unblock():
        alpha = Organization.objects.get(slug="alpha")
        yield alpha, User.objects.get(username="alice")
        with tenant_context(alpha):
            ImportJob.objects.all().delete()
            Participant.objects.filter(academic_year=YEAR).delete()


@pytest.fixture(scope="module")
def celery_worker(committed, django_db_blocker):  # type: ignore[no-untyped-def]
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(app.conf, "CELERY_DB_REUSE_MAX", None)  # see tests/tasks/test_tenant_tasks.py
        with django_db_blocker.unblock(), start_worker(app, pool="solo", perform_ping_check=False,
                                                       shutdown_timeout=10) as worker:  # fmt: skip
            yield worker


def _wait(job: ImportJob, status: str, seen: list[int]) -> ImportJob:
    deadline = time.monotonic() + 120
    while True:
        job.refresh_from_db()
        seen.append(job.percent)
        if job.status == status:
            return job
        assert job.status != ImportStatus.FAILED, job.error
        assert time.monotonic() < deadline, (job.status, job.progress_done, job.progress_total)
        time.sleep(0.05)


@pytest.mark.celery_worker
def test_a_2000_row_list_is_read_by_the_worker_paged_and_confirmed_once(committed, celery_worker):
    alpha, alice = committed
    content = bank_file(2000)
    assert len(content) > 32 * 1024  # over IMPORT_INLINE_BYTES: the task reads it
    with tenant_context(alpha):
        job = import_job_start(
            importer=ParticipantsImporter(), upload=SimpleUploadedFile("bank.xlsx", content),
            params={"academic_year": YEAR}, user=alice,
        )  # fmt: skip
        assert job.status == ImportStatus.QUEUED
        seen: list[int] = []
        job = _wait(job, ImportStatus.READY, seen)
    assert seen[-1] == 100 and seen == sorted(seen)
    assert (job.progress_done, job.progress_total) == (2000, 2000)
    assert (job.summary["total"], job.summary["valid"], job.summary["errors"]) == (2000, 1980, 20)

    client = host_client("alpha.localhost", alice)
    url = f"/participants/import/{job.pk}/"
    first = client.get(url)
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].paginator.num_pages == 40
    assert "Импортировать 1980 строк" in first.content.decode()
    last = client.get(url + "?page=40").context["page"]
    assert [r.number for r in last.object_list][-1] == 2001  # row 1 is the header
    errors = client.get(url + "?errors=1")
    assert [r.number for r in errors.context["page"].object_list][:2] == [9, 109]
    assert "«учитель года» — неизвестная категория" in errors.content.decode()
    done = client.get(url + "?progress=1", HTTP_HX_REQUEST="true")
    assert done.headers["HX-Refresh"] == "true"  # the poller reloads into the preview

    confirmed = client.post(url + "confirm/", follow=True)
    assert "Загрузка подтверждена: строки записываются." in confirmed.content.decode()
    again = client.post(url + "confirm/", follow=True)  # a double submit
    assert "повторное подтверждение ничего не изменило" in again.content.decode()
    with tenant_context(alpha):
        job = _wait(job, ImportStatus.APPLIED, [])
        assert job.result == {"created": 1980, "updated": 0, "consents": 1980}
        assert Participant.objects.filter(academic_year=YEAR).count() == 1980
        assert import_job_confirm(job=job, user=alice).ok is False
        assert Participant.objects.filter(academic_year=YEAR).count() == 1980
    page = client.get(url).content.decode()
    assert "Загружено: новых 1980, обновлено 0; строк с ошибками пропущено: 20." in page


def test_a_preview_survives_the_worker_and_a_redelivered_task_reads_it_again(committed):
    """What a worker that died half-way leaves (READING, some rows) is read again whole."""
    alpha, alice = committed
    with tenant_context(alpha):
        job = import_job_start(
            importer=ParticipantsImporter(), upload=SimpleUploadedFile("bank.xlsx", bank_file(60)),
            params={"academic_year": YEAR}, user=alice,
        )  # fmt: skip
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.READING)
        ImportRow.objects.create(job=job, position=10_000, number=2, cells={"name": "обрывок"})
        assert import_job_process(job_id=job.pk) == ImportStatus.READY
        assert import_job_process(job_id=job.pk) == ImportStatus.READY  # delivered twice
        assert job.rows.count() == 60 and not job.rows.filter(cells__name="обрывок").exists()


def test_an_expired_preview_cannot_be_confirmed_and_is_cleaned_up(world):
    with tenant_context(world.alpha):
        job = import_job_start(
            importer=ParticipantsImporter(), upload=SimpleUploadedFile("bank.xlsx", bank_file(20)),
            params={"academic_year": 2025}, user=world.alice,
        )  # fmt: skip
        assert job.status == ImportStatus.READY  # small: read in the request
        ImportJob.objects.filter(pk=job.pk).update(
            expires_at=timezone.now() - dt.timedelta(minutes=1)
        )
    client = host_client("alpha.localhost", world.alice)
    page = client.post(f"/participants/import/{job.pk}/confirm/", follow=True).content.decode()
    assert "Срок подтверждения истёк: проверка файла хранится 24 ч. Загрузите файл ещё раз." in page
    with tenant_context(world.alpha):
        assert Participant.objects.count() == 0
        assert import_jobs_cleanup() == 1 + 20  # the job and its preview rows
        assert not ImportJob.objects.exists()


def test_only_the_uploader_sees_a_preview(world):
    with tenant_context(world.alpha):
        job = import_job_start(
            importer=ParticipantsImporter(), upload=SimpleUploadedFile("bank.xlsx", bank_file(5)),
            params={"academic_year": 2025}, user=world.alice,
        )  # fmt: skip
    url = f"/participants/import/{job.pk}/"
    assert host_client("alpha.localhost", world.alice).get(url).status_code == 200
    assert host_client("alpha.localhost", world.bob).get(url).status_code == 403  # a mentor
    assert (
        host_client("beta.localhost", world.charlie).get(url).status_code == 404
    )  # not in beta's schema
    with schema_context("public"):
        assert not ImportJob.objects.filter(pk=job.pk, importer="participants").exists()


def test_a_subdomain_taken_while_the_list_waited_creates_nothing(world):
    from organizations.services import OrganizationData, organization_provision
    from tests.organizations.test_onboarding import GOOD_ROWS, _csv

    client = host_client("localhost", world.olga)
    upload = SimpleUploadedFile("list.csv", _csv(*GOOD_ROWS), content_type="text/csv")
    preview = client.post(
        "/organizations/onboarding/", {"region": world.region.pk, "file": upload}, follow=True
    )
    job = preview.context["job"]
    organization_provision(
        data=OrganizationData(full_name="Школа", short_name="Школа", slug="school1", kind="school",
                              municipality=world.north)
    )  # fmt: skip
    page = client.post(f"/organizations/onboarding/{job.pk}/confirm/", follow=True).content.decode()
    assert "заняты поддомены: school1. Ничего не создано" in page
    assert not Organization.objects.filter(slug="sad2").exists()
