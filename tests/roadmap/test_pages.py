"""Roadmap pages as a coordinator uses them; members read, managers write; the API."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from tenants.roadmap.models import ItemStatus, Roadmap, RoadmapItem
from tenants.roadmap.selectors import current_academic_year
from tests.conftest import host_client
from tests.roadmap.seeds import DOU8, docx_from_rows, seed_table_rows


def _roadmap(world) -> Roadmap:
    return Roadmap.objects.get(academic_year=current_academic_year(world.alpha))


def _item(world, title: str) -> RoadmapItem:
    with tenant_context(world.alpha):
        return _roadmap(world).items.get(title=title)


def test_roadmap_page_lists_items_with_deadlines_and_progress(world):
    page = host_client("alpha.localhost", world.alice).get("/roadmap/").content.decode()
    assert "Формирование базы наставляемых" in page
    assert "До 10.09. ежегодно" in page
    assert "Выполнено 0 из 14" in page
    assert "Загрузить из DOCX" in page


def test_an_implausible_year_in_the_address_shows_the_current_one(world):
    client = host_client("alpha.localhost", world.alice)
    for year in ("²", "40000", "1", "-2025", "abc"):
        page = client.get(f"/roadmap/?year={year}")
        assert page.status_code == 200, year
        assert "Формирование базы наставляемых" in page.content.decode(), year


def test_filters_by_status_stage_and_responsible_and_the_timeline_view(world):
    client = host_client("alpha.localhost", world.alice)
    item = _item(world, "Формирование базы наставляемых")
    with tenant_context(world.alpha):
        RoadmapItem.objects.filter(pk=item.pk).update(status=ItemStatus.DONE)
    done = client.get("/roadmap/?status=done", HTTP_HX_REQUEST="true").content.decode()
    assert "Формирование базы наставляемых" in done
    assert "Формирование базы наставников" not in done
    assert "<html" not in done
    by_person = client.get("/roadmap/?responsible=наставник").content.decode()
    assert "Организация работы наставнических пар/групп" in by_person
    assert "Разработка положения о программе наставничества" not in by_person
    timeline = client.get("/roadmap/?view=timeline").content.decode()
    assert 'class="timeline"' in timeline and "cell on" in timeline


def test_overdue_filter_shows_only_overdue_items(world):
    item = _item(world, "Формирование базы наставников")
    later = world.alpha.local_today() + dt.timedelta(days=100)
    with tenant_context(world.alpha):
        _roadmap(world).items.update(due_on=later)  # nothing else is overdue, whatever the date
        RoadmapItem.objects.filter(pk=item.pk).update(due_on=dt.date(2000, 1, 1))
    page = (
        host_client("alpha.localhost", world.alice).get("/roadmap/?status=overdue").content.decode()
    )
    assert "Формирование базы наставников" in page
    assert "Формирование базы наставляемых" not in page
    assert "просрочено" in page


def test_coordinator_marks_an_item_done_with_a_file(world):
    item = _item(world, "Формирование базы наставляемых")
    table = _xlsx_bytes()
    client = host_client("alpha.localhost", world.alice)
    response = client.post(
        f"/roadmap/items/{item.pk}/status/",
        {
            "status": "done",
            "completed_on": world.alpha.local_today().isoformat(),
            "order_number": "15",
            "files": [SimpleUploadedFile("база.xlsx", table)],
        },
    )
    assert response.status_code == 302
    with tenant_context(world.alpha):
        item.refresh_from_db()
        evidence = item.evidence.get()
    assert item.status == "done" and item.order_number == "15"
    page = client.get(f"/roadmap/items/{item.pk}/").content.decode()
    assert "база.xlsx" in page and "Статус: запланировано → выполнено" in page
    download = client.get(f"/roadmap/evidence/{evidence.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == table
    assert (
        host_client("alpha.localhost", world.charlie)
        .get(f"/roadmap/evidence/{evidence.pk}/")
        .status_code
        == 403
    )


def _xlsx_bytes() -> bytes:
    import io

    import pandas as pd

    buffer = io.BytesIO()
    pd.DataFrame({"Фамилия": ["Иванова"]}).to_excel(buffer, index=False)
    return buffer.getvalue()


def test_a_bad_file_is_reported_and_the_status_stays(world):
    item = _item(world, "Формирование базы наставляемых")
    client = host_client("alpha.localhost", world.alice)
    response = client.post(
        f"/roadmap/items/{item.pk}/status/",
        {"status": "done", "files": [SimpleUploadedFile("script.exe", b"MZ")]},
        follow=True,
    )
    assert "Файл «script.exe»: формат .exe здесь не принимается" in response.content.decode()
    with tenant_context(world.alpha):
        item.refresh_from_db()
    assert item.status == "planned"


def test_a_mentor_reads_the_roadmap_but_cannot_change_it(world):
    item = _item(world, "Формирование базы наставляемых")
    client = host_client("alpha.localhost", world.bob)
    assert client.get("/roadmap/").status_code == 200
    assert "Отметить выполнение" not in client.get(f"/roadmap/items/{item.pk}/").content.decode()
    assert client.post(f"/roadmap/items/{item.pk}/status/", {"status": "done"}).status_code == 403
    assert client.get("/roadmap/import/").status_code == 403


def test_coordinator_edits_adds_moves_and_deletes_items(world):
    client = host_client("alpha.localhost", world.alice)
    item = _item(world, "Формирование базы наставников")
    form = client.get(f"/roadmap/items/{item.pk}/edit/")
    assert "Сроки (как написано)" in form.content.decode()
    response = client.post(
        f"/roadmap/items/{item.pk}/edit/",
        {
            "number": "8",
            "title": item.title,
            "deadline_text": "до 20 сентября",
            "responsible_text": "Куратор",
        },
    )
    assert response.status_code == 302
    with tenant_context(world.alpha):
        item.refresh_from_db()
    assert item.due_on.month == 9 and item.due_on.day == 20
    year = _roadmap_year(world)
    new = client.post(
        f"/roadmap/items/new/?year={year}",
        {"title": "Фестиваль наставников", "deadline_text": "Апрель"},
    )
    assert new.status_code == 302
    created = _item(world, "Фестиваль наставников")
    assert client.post(f"/roadmap/items/{created.pk}/move/", {"direction": "up"}).status_code == 302
    assert client.post(f"/roadmap/items/{created.pk}/delete/").status_code == 302
    with tenant_context(world.alpha):
        assert not RoadmapItem.objects.filter(pk=created.pk).exists()


def _roadmap_year(world) -> int:
    return current_academic_year(world.alpha)


def test_import_page_previews_then_creates(world):
    client = host_client("alpha.localhost", world.alice)
    year = _roadmap_year(world) + 1
    upload = SimpleUploadedFile("dou8.docx", docx_from_rows(seed_table_rows(DOU8)))
    preview = client.post(
        f"/roadmap/import/?year={year}", {"file": upload, "year": year}, follow=True
    )
    page = preview.content.decode()
    assert "Проверка: пунктов 12, разделов 5" in page
    assert "Ноябрь 2023-январь 2024" in page
    assert "взят из строки выше" in page  # the merged deadline cell is pointed out
    with tenant_context(world.alpha):
        assert not Roadmap.objects.filter(academic_year=year).exists()
    confirm = client.post(f"/roadmap/import/{preview.context['job'].pk}/confirm/")
    assert confirm.status_code == 302 and confirm["Location"] == f"/roadmap/?year={year}"
    with tenant_context(world.alpha):
        roadmap = Roadmap.objects.get(academic_year=year)
        assert roadmap.items.filter(is_stage=False).count() == 12


def test_import_page_explains_a_broken_file(world):
    client = host_client("alpha.localhost", world.alice)
    upload = SimpleUploadedFile("roadmap.docx", b"definitely not a docx")
    page = client.post("/roadmap/import/", {"file": upload}).content.decode()
    assert "не документ Word" in page
    empty = client.post("/roadmap/import/", {}).content.decode()
    assert "Выберите файл или вставьте текст таблицы" in empty


def test_home_shows_the_nearest_deadlines(world):
    item = _item(world, "Формирование базы наставников")
    today = world.alpha.local_today()
    with tenant_context(world.alpha):
        _roadmap(world).items.update(due_on=today + dt.timedelta(days=100))
        RoadmapItem.objects.filter(pk=item.pk).update(due_on=today + dt.timedelta(days=3))
        from tenants.roadmap.models import ItemOccurrence

        ItemOccurrence.objects.update(due_on=today + dt.timedelta(days=100))
        item.occurrences.update(due_on=today + dt.timedelta(days=3))
        RoadmapItem.objects.filter(pk=item.pk).update(due_on=today + dt.timedelta(days=3))
    page = host_client("alpha.localhost", world.alice).get("/").content.decode()
    assert "Ближайшие сроки" in page
    assert "Формирование базы наставников" in page
    assert "через 3 дня" in page


def test_api_lists_filters_and_changes_status(world):
    client = host_client("alpha.localhost", world.alice)
    listing = client.get("/api/v1/roadmap-items/").json()
    assert listing["count"] == 14
    first = listing["results"][0]
    assert {"deadline_text", "deadline", "occurrences", "overdue", "status"} <= set(first)
    item = _item(world, "Формирование базы наставляемых")
    changed = client.post(
        f"/api/v1/roadmap-items/{item.pk}/status/",
        {"status": "done", "comment": "готово"},
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["status"] == "done"
    done = client.get("/api/v1/roadmap-items/?status=done").json()
    assert [i["id"] for i in done["results"]] == [item.pk]
    refused = host_client("alpha.localhost", world.bob).post(
        f"/api/v1/roadmap-items/{item.pk}/status/",
        {"status": "planned"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    parsed = client.get(
        "/api/v1/deadlines/parse/", {"text": "До 10.01. ежегодно", "academic_year": 2025}
    ).json()
    assert parsed["occurrences"] == [{"start": None, "due": "2026-01-10"}]


def test_api_edit_validates_in_russian(world):
    client = host_client("alpha.localhost", world.alice)
    item = _item(world, "Формирование базы наставляемых")
    response = client.patch(
        f"/api/v1/roadmap-items/{item.pk}/", {"title": ""}, content_type="application/json"
    )
    assert response.status_code == 400
    ok = client.patch(
        f"/api/v1/roadmap-items/{item.pk}/",
        {"deadline_text": "до 15 сентября"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["due_on"].endswith("-09-15")


def test_changing_the_program_start_moves_relative_deadlines(world):
    client = host_client("alpha.localhost", world.alice)
    year = _roadmap_year(world)
    new = client.post(
        f"/roadmap/items/new/?year={year}",
        {"title": "Формирование банка наставляемых", "deadline_text": "В течение первого месяца"},
    )
    assert new.status_code == 302
    start = dt.date(year, 10, 15)
    response = client.post(
        "/roadmap/settings/",
        {
            "year": year,
            "title": "Дорожная карта",
            "approval": "приказ № 5 от 01.09",
            "program_start": start.isoformat(),
        },
    )
    assert response.status_code == 302
    item = _item(world, "Формирование банка наставляемых")
    assert (item.starts_on, item.due_on) == (start, dt.date(year, 11, 14))
    assert (
        "утверждена: приказ № 5 от 01.09" in client.get(f"/roadmap/?year={year}").content.decode()
    )


def test_roadmap_page_query_count_does_not_grow_with_items(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tenants.roadmap.services import roadmap_item_create

    client = host_client("alpha.localhost", world.alice)
    client.get("/roadmap/")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/roadmap/").status_code == 200
        return len(queries.captured_queries)

    before = count()
    with tenant_context(world.alpha):
        roadmap = _roadmap(world)
        for n in range(30):
            roadmap_item_create(
                roadmap=roadmap, organization=world.alpha, user=None,
                title=f"Встреча наставников № {n}", deadline_text="ежемесячно",
                responsible_text="Куратор",
            )  # fmt: skip
    assert count() == before


def test_a_status_change_returns_to_a_page_of_this_host_and_never_to_another_site(world):
    client = host_client("alpha.localhost", world.alice)
    item = _item(world, "Формирование базы наставляемых")
    url = f"/roadmap/items/{item.pk}/status/"
    data = {"status": "in_progress", "completed_on": "", "order_number": "", "protocol": ""}
    inside = client.post(url, {**data, "next": "/roadmap/?status=overdue"})
    assert inside.status_code == 302 and inside["Location"] == "/roadmap/?status=overdue"
    for target in ("https://evil.example/phish", "//evil.example/", "http://beta.localhost/"):
        response = client.post(url, {**data, "next": target})
        assert response.status_code == 302
        assert response["Location"] == f"/roadmap/items/{item.pk}/", target


def test_a_number_longer_than_its_column_is_an_error_of_its_row_and_the_rest_is_written(world):
    client = host_client("alpha.localhost", world.alice)
    year = _roadmap_year(world) + 2
    pasted = ("№\tМероприятие\tСроки\tОтветственный\n"
              "1.1.1.1.1.1.1.1.1.1.1.1\tВстреча наставников\tсентябрь\tКуратор\n"
              "2\tАнкетирование наставляемых\tоктябрь\tКуратор\n")  # fmt: skip
    preview = client.post(
        f"/roadmap/import/?year={year}", {"text": pasted, "year": year}, follow=True
    )
    page = preview.content.decode()
    assert "не длиннее 20 символов (сейчас 23)" in page
    confirm = client.post(f"/roadmap/import/{preview.context['job'].pk}/confirm/")
    assert confirm.status_code == 302
    with tenant_context(world.alpha):
        items = Roadmap.objects.get(academic_year=year).items.filter(is_stage=False)
        assert list(items.values_list("title", flat=True)) == ["Анкетирование наставляемых"]


def test_a_deleted_item_keeps_its_history_with_the_deletion_recorded(world):
    client = host_client("alpha.localhost", world.alice)
    year = _roadmap_year(world)
    client.post(
        f"/roadmap/items/new/?year={year}", {"title": "Ярмарка наставников", "deadline_text": "Май"}
    )
    item = _item(world, "Ярмарка наставников")
    client.post(f"/roadmap/items/{item.pk}/edit/", {"title": "Ярмарка наставников", "deadline_text": "Апрель",
                                                    "responsible_text": "Куратор"})  # fmt: skip
    assert client.post(f"/roadmap/items/{item.pk}/delete/").status_code == 302
    with tenant_context(world.alpha):
        history = list(Roadmap.objects.get(academic_year=year).changes.order_by("at", "id"))
    assert [c.kind for c in history][-3:] == ["added", "edited", "deleted"]
    deleted = history[-1]
    assert deleted.item is None and deleted.user == world.alice
    assert deleted.item_label.endswith("Ярмарка наставников")
    assert deleted.changes["deleted"]["deadline_text"] == "Апрель"
    page = client.get(f"/roadmap/history/?year={year}").content.decode()
    assert "Ярмарка наставников" in page and "(удалён)" in page and "Пункт удалён" in page


def test_replacing_the_roadmap_by_an_import_keeps_the_old_items_history(world):
    client = host_client("alpha.localhost", world.alice)
    year = _roadmap_year(world)
    with tenant_context(world.alpha):
        roadmap = Roadmap.objects.get(academic_year=year)
        before = roadmap.items.count()
        entries = roadmap.changes.count()
    pasted = "№\tМероприятие\tСроки\tОтветственный\n1\tВстреча наставников\tсентябрь\tКуратор\n"
    preview = client.post(
        f"/roadmap/import/?year={year}",
        {"text": pasted, "year": year, "replace": "on"},
        follow=True,
    )
    client.post(f"/roadmap/import/{preview.context['job'].pk}/confirm/")
    with tenant_context(world.alpha):
        assert roadmap.items.count() == 1
        deletions = roadmap.changes.filter(kind="deleted")
        assert deletions.count() == before
        assert roadmap.changes.count() == entries + before + 1  # the deletions, the import
        assert {d.summary for d in deletions} == {
            "Удалён: дорожная карта заменена загруженным файлом"
        }
