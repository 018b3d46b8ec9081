"""Roadmap services: templates, progress with evidence, history, editing, rollover, import."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tenants.roadmap.catalogue import TEMPLATES
from tenants.roadmap.importing import parse_text
from tenants.roadmap.models import ItemStatus, Roadmap, RoadmapItem
from tenants.roadmap.services import (
    roadmap_create,
    roadmap_import,
    roadmap_item_create,
    roadmap_item_delete,
    roadmap_item_move,
    roadmap_item_set_status,
    roadmap_item_update,
    roadmap_rollover,
)
from tests.roadmap.seeds import DOU8, seed_text


def _item(roadmap: Roadmap, title: str) -> RoadmapItem:
    return roadmap.items.get(title=title)


def test_a_new_school_gets_the_school_template_with_dates_of_its_year(roadmap, in_alpha):
    assert roadmap.template_code == "school"
    assert roadmap.items.count() == len(TEMPLATES["school"].items)
    base = _item(roadmap, "Формирование базы наставляемых")
    assert base.deadline_text == "До 10.09. ежегодно"
    assert base.due_on == dt.date(roadmap.academic_year, 9, 10)
    selection = _item(roadmap, "Отбор и обучение наставников")
    assert selection.due_on == dt.date(roadmap.academic_year + 1, 1, 10)
    assert list(base.occurrences.values_list("due_on", flat=True)) == [base.due_on]


def test_a_kindergarten_gets_sections_with_items_under_them(world):
    from django_tenants.utils import tenant_context

    with tenant_context(world.beta):
        roadmap = Roadmap.objects.get()
        stages = list(roadmap.items.filter(is_stage=True).order_by("position"))
        assert stages[0].title == "Организационно-методическое сопровождение деятельности"
        assert stages[0].children.count() == 5
        first_child = stages[0].children.order_by("position").first()
        assert first_child.number == "1.1"
        assert first_child.position == stages[0].position + 1


def test_responsible_positions_link_to_the_organisations_people(roadmap, in_alpha):
    base = _item(roadmap, "Формирование базы наставляемых")  # «Куратор»
    assert list(base.responsible_users.all()) == [in_alpha.alice]
    pairs = _item(roadmap, "Организация работы наставнических пар/групп")  # «Куратор, наставники»
    assert set(pairs.responsible_users.all()) == {in_alpha.alice, in_alpha.bob}


def test_marking_done_with_evidence_records_who_what_and_when(roadmap, in_alpha):
    item = _item(roadmap, "Формирование базы наставляемых")
    today = dt.date(roadmap.academic_year, 9, 12)
    scan = SimpleUploadedFile("Приказ 12.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
    roadmap_item_set_status(
        item=item, user=in_alpha.alice, status=ItemStatus.DONE, completed_on=dt.date(roadmap.academic_year, 9, 9),
        order_number="12-о", order_date=dt.date(roadmap.academic_year, 9, 8), protocol="",
        comment="База сформирована", files=[scan], today=today,
    )  # fmt: skip
    item.refresh_from_db()
    assert (item.status, item.completed_on, item.order_number) == (
        "done",
        dt.date(roadmap.academic_year, 9, 9),
        "12-о",
    )
    [evidence] = item.evidence.all()
    assert evidence.name == "Приказ 12.pdf"
    assert evidence.file.read() == b"%PDF-1.4 scan"
    assert not item.is_overdue(today)
    [change] = item.changes.all()
    assert change.user == in_alpha.alice
    assert "Статус: запланировано → выполнено" in change.summary
    assert "«Приказ 12.pdf»" in change.summary


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("virus.exe", b"MZ"), "формат .exe здесь не принимается"),
        (SimpleUploadedFile("empty.pdf", b""), "пустой"),
    ],
)
def test_bad_evidence_is_refused_and_nothing_changes(roadmap, in_alpha, upload, message):
    item = _item(roadmap, "Формирование базы наставников")
    with pytest.raises(ValidationError, match=message):
        roadmap_item_set_status(item=item, user=in_alpha.alice, status="done", files=[upload])
    item.refresh_from_db()
    assert item.status == "planned" and not item.evidence.exists() and not item.changes.exists()


def test_completion_date_in_the_future_is_refused(roadmap, in_alpha):
    item = _item(roadmap, "Формирование базы наставников")
    today = dt.date(roadmap.academic_year, 9, 5)
    with pytest.raises(ValidationError, match="не может быть в будущем"):
        roadmap_item_set_status(
            item=item,
            user=None,
            status="done",
            completed_on=today + dt.timedelta(days=1),
            today=today,
        )


def test_editing_the_deadline_recomputes_dates_and_keeps_history(roadmap, in_alpha):
    item = _item(roadmap, "Формирование базы наставников")
    roadmap_item_update(
        item=item, organization=in_alpha.alpha, user=in_alpha.alice, deadline_text="до 20 сентября"
    )
    item.refresh_from_db()
    assert item.due_on == dt.date(roadmap.academic_year, 9, 20)
    assert item.changes.get().summary == "Изменено: сроки"
    roadmap_item_update(
        item=item, organization=in_alpha.alpha, user=in_alpha.alice, deadline_text="когда-нибудь"
    )
    item.refresh_from_db()
    assert not item.deadline_readable and item.due_on is None
    assert item.deadline_text == "когда-нибудь"  # kept as written


def test_items_are_added_reordered_and_deleted(roadmap, in_alpha):
    stage = roadmap_item_create(
        roadmap=roadmap, organization=in_alpha.alpha, user=in_alpha.alice,
        title="Информационное сопровождение", is_stage=True,
    )  # fmt: skip
    child = roadmap_item_create(
        roadmap=roadmap, organization=in_alpha.alpha, user=in_alpha.alice,
        title="Страница «Наставничество» на сайте", parent=stage, deadline_text="До 01.10",
    )  # fmt: skip
    assert child.number == f"{stage.number}.1"
    stage.refresh_from_db()
    child.refresh_from_db()
    assert child.position == stage.position + 1
    last_top = roadmap.items.filter(parent=None).exclude(pk=stage.pk).order_by("-position").first()
    roadmap_item_move(item=stage, offset=-1, user=in_alpha.alice)
    stage.refresh_from_db()
    child.refresh_from_db()
    last_top.refresh_from_db()
    assert stage.position < last_top.position
    assert child.position == stage.position + 1  # the stage moved with its items
    roadmap_item_delete(item=stage)
    assert not RoadmapItem.objects.filter(pk__in=[stage.pk, child.pk]).exists()
    positions = list(roadmap.items.order_by("position").values_list("position", flat=True))
    assert positions == list(range(len(positions)))


def test_rollover_regenerates_recurring_items_and_carries_unfinished_on_request(in_alpha):
    roadmap = roadmap_create(
        organization=in_alpha.alpha, academic_year=2030, template_code="school"
    )
    order = _item(roadmap, "Приказ директора о внедрении ЦМН, включающий")  # «До 01.12»: annual
    base = _item(roadmap, "Формирование базы наставляемых")
    roadmap_item_set_status(item=base, user=None, status="done", today=dt.date(2030, 9, 9))
    one_off = roadmap_item_create(
        roadmap=roadmap, organization=in_alpha.alpha, user=None,
        title="Конференция «Наставничество-2030»", deadline_text="Ноябрь 2030",
    )  # fmt: skip
    done_one_off = roadmap_item_create(
        roadmap=roadmap, organization=in_alpha.alpha, user=None,
        title="Семинар для кураторов", deadline_text="Октябрь 2030",
    )  # fmt: skip
    roadmap_item_set_status(item=done_one_off, user=None, status="done", today=dt.date(2030, 10, 5))

    new = roadmap_rollover(
        roadmap=roadmap, organization=in_alpha.alpha, user=None, carry_unfinished=True
    )
    assert new.academic_year == 2031
    titles = set(new.items.values_list("title", flat=True))
    assert {order.title, base.title, one_off.title} <= titles
    assert done_one_off.title not in titles
    new_base = _item(new, base.title)
    assert (new_base.status, new_base.due_on) == ("planned", dt.date(2031, 9, 10))
    assert _item(new, one_off.title).due_on == dt.date(2030, 11, 30)  # still due: overdue then
    assert "Перенесён невыполненным из 2030/2031" in _item(new, one_off.title).changes.get().summary

    without = roadmap_rollover(
        roadmap=new, organization=in_alpha.alpha, user=None, carry_unfinished=False
    )
    assert one_off.title not in set(without.items.values_list("title", flat=True))
    with pytest.raises(ValidationError, match="уже есть"):
        roadmap_rollover(
            roadmap=roadmap, organization=in_alpha.alpha, user=None, carry_unfinished=True
        )


def test_import_creates_stages_and_items_with_dates(in_alpha):
    roadmap = roadmap_create(organization=in_alpha.alpha, academic_year=2031, template_code="")
    created = roadmap_import(
        roadmap=roadmap,
        parsed=parse_text(seed_text(DOU8)),
        organization=in_alpha.alpha,
        user=in_alpha.alice,
    )
    assert len(created) == 12
    assert roadmap.items.filter(is_stage=True).count() == 5
    whole = roadmap.items.filter(deadline_text="В течение всего периода").first()
    assert (whole.starts_on, whole.due_on) == (dt.date(2031, 9, 1), dt.date(2032, 8, 31))
    assert created[0].changes.get().summary == "Пункт загружен из файла"
    assert created[0].parent.title == "Организационно-методическое сопровождение деятельности"


def test_a_second_roadmap_for_the_same_year_is_refused(roadmap, in_alpha):
    with pytest.raises(ValidationError, match="уже есть"):
        roadmap_create(organization=in_alpha.alpha, academic_year=roadmap.academic_year)
