"""Every roadmap item maps to a stage of the target model: suggested from its wording at
creation, import and from templates, editable, «Прочие мероприятия» when nothing fits."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from tenants.roadmap.catalogue import TEMPLATES
from tenants.roadmap.stages import Stage, label, suggest_stage
from tests.conftest import host_client

# The seed roadmaps' items (and sections) and the stage each is counted under.
SEED_ITEMS = {
    "Приказ директора о внедрении ЦМН, включающий": Stage.PREPARATION,
    "Разработка положения о программе наставничества": Stage.PREPARATION,
    "Подготовка условий запуска программы наставничества": Stage.PREPARATION,
    "Подготовка условий для реализации системы наставничества": Stage.PREPARATION,
    "Подготовка нормативной базы реализации целевой модели наставничества в ДОУ": Stage.PREPARATION,
    "Формирование базы наставляемых": Stage.MENTEE_BASE,
    "Формирование банка наставляемых": Stage.MENTEE_BASE,
    "Формирование базы наставников": Stage.MENTOR_BASE,
    "Формирование банка наставников": Stage.MENTOR_BASE,
    "Отбор и обучение наставников": Stage.MENTOR_TRAINING,
    "Отбор и обучение": Stage.MENTOR_TRAINING,
    "Формирование наставнических пар/групп": Stage.PAIRING,
    "Организация работы наставнических пар/групп": Stage.PAIR_WORK,
    "Организация и осуществление работы наставнических пар": Stage.PAIR_WORK,
    "Промежуточный мониторинг программы наставничества": Stage.MONITORING,
    "Итоговый мониторинг программы наставничества": Stage.MONITORING,
    "Мониторинг личной удовлетворенности участием в программе наставничества": Stage.MONITORING,
    "Завершение наставничества": Stage.COMPLETION,
    "Завершение персонализированных программ наставничества": Stage.COMPLETION,
    "Информационная поддержка системы наставничества": Stage.INFORMATION,
    "Информационное сопровождение деятельности": Stage.INFORMATION,
    "Создание специальных рубрик в официальной группе в социальной сети «ВКонтакте»": Stage.INFORMATION,
}


@pytest.mark.parametrize(("title", "stage"), SEED_ITEMS.items())
def test_seed_wordings_map_to_their_stage(title, stage):
    assert suggest_stage(title) == stage


def test_two_wordings_of_one_stage_are_one_stage():
    assert suggest_stage("Формирование банка наставляемых") == suggest_stage(
        "  Формирование   базы наставляемых "
    )


def test_an_item_with_nothing_to_go_by_takes_its_sections_stage_or_others():
    assert suggest_stage("Субботник") == Stage.OTHER
    assert suggest_stage("Субботник", parent_stage=Stage.INFORMATION) == Stage.INFORMATION
    assert label("no-such-code") == "Прочие мероприятия"


def test_every_template_item_gets_a_stage_and_most_a_real_one():
    for template in TEMPLATES.values():
        codes = []
        for item in template.items:
            section = suggest_stage(item.title)
            codes += [suggest_stage(c.title, parent_stage=section) for c in item.children] or [
                section
            ]
        assert Stage.OTHER not in codes, template.code


def test_items_from_the_template_creation_and_import_carry_a_stage(world):
    from tenants.roadmap.importing import parse_text
    from tenants.roadmap.models import RoadmapItem
    from tenants.roadmap.services import roadmap_create, roadmap_import, roadmap_item_create

    with tenant_context(world.alpha):
        roadmap = roadmap_create(organization=world.alpha, academic_year=2031)
        stages = set(roadmap.items.filter(is_stage=False).values_list("stage", flat=True))
        assert {Stage.MENTEE_BASE, Stage.PAIRING, Stage.COMPLETION} <= stages
        item = roadmap_item_create(roadmap=roadmap, organization=world.alpha, user=None,
                                   title="Размещение новости на сайте школы")  # fmt: skip
        assert item.stage == Stage.INFORMATION
        chosen = roadmap_item_create(roadmap=roadmap, organization=world.alpha, user=None,
                                     title="Субботник", stage=Stage.PAIR_WORK)  # fmt: skip
        assert chosen.stage == Stage.PAIR_WORK
        parsed = parse_text(
            "№\tНаименование\tСроки\tОтветственный\n1\tФормирование банка наставников\tДо 10.09\tКуратор"
        )
        imported = roadmap_import(
            roadmap=roadmap, parsed=parsed, organization=world.alpha, user=None
        )
        assert [i.stage for i in imported] == [Stage.MENTOR_BASE]
        assert RoadmapItem.objects.filter(roadmap=roadmap, stage="").count() == 0


def test_the_coordinator_changes_an_items_stage_on_its_form(world):
    from tenants.roadmap.models import RoadmapItem
    from tenants.roadmap.services import roadmap_create

    with tenant_context(world.alpha):
        roadmap = roadmap_create(organization=world.alpha, academic_year=2032)
        item = roadmap.items.filter(is_stage=False).first()
    client = host_client("alpha.localhost", world.alice)
    form = client.get(f"/roadmap/items/{item.pk}/edit/")
    assert "Этап целевой модели" in form.content.decode()
    response = client.post(f"/roadmap/items/{item.pk}/edit/", {
        "number": item.number, "title": item.title, "stage": Stage.INFORMATION,
        "deadline_text": item.deadline_text, "responsible_text": item.responsible_text,
    })  # fmt: skip
    assert response.status_code == 302
    with tenant_context(world.alpha):
        assert RoadmapItem.objects.get(pk=item.pk).stage == Stage.INFORMATION
    page = client.get(f"/roadmap/items/{item.pk}/").content.decode()
    assert "Этап целевой модели: Информационная поддержка" in page
