"""The region's common core: the regional operator adds, rewords or drops questions of the core;
every school takes the new core into its next questionnaires (locked, before its own questions)
and the region compares the schools by the core's codes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import tenant_context

from regional_dashboard.monitoring_core import core_current, core_publish, core_text
from tenants.monitoring.services import instrument_adapt, instruments_current
from tests.conftest import host_client


def test_the_operator_publishes_a_core_and_schools_take_it_keeping_their_own(world):
    with tenant_context(world.alpha):
        instrument_adapt(
            code="satisfaction_mentee", text="Клуб | не был(а); был(а)", note="", user=None
        )
    version, core = core_current(world.region.pk)
    assert version == 0 and [i["code"] for i in core["satisfaction_mentee"]][:2] == [
        "sat.overall",
        "sat.meetings",
    ]
    kept = core_text(core["satisfaction_mentee"]).splitlines()[1:]  # «sat.overall» dropped
    text = "\n".join([*kept, "Готов(а) в будущем стать наставником | не думал(а); возможно; да"])
    published = core_publish(
        region=world.region, code="satisfaction_mentee", text=text, note="", user=world.olga
    )
    assert published.version == 1
    with tenant_context(world.alpha):
        instrument = instruments_current()["satisfaction_mentee"]
        codes = [i["code"] for i in instrument.items]
        assert instrument.core_version == 1 and "sat.overall" not in codes
        assert "satisfaction_mentee.r1_1" in codes  # the new core question, comparable by its code
        assert (
            instrument.items[-1]["text"] == "Клуб" and not instrument.items[-1]["core"]
        )  # the school's own, after
        assert all(
            i["core"]
            for i in instrument.items
            if i["code"].startswith(("sat.", "satisfaction_mentee.r"))
        )
    with tenant_context(world.beta):  # the other school of the region too
        assert instruments_current()["satisfaction_mentee"].core_version == 1


def test_the_core_is_checked_line_by_line(world):
    with pytest.raises(ValidationError) as refused:
        core_publish(region=world.region, code="curator",
                     text="cur.plan: План | 1; 2; 3\nnope.code: Что-то | да; нет\n? Открытый", note="", user=None)  # fmt: skip
    problems = refused.value.messages
    assert any("Строка 1" in p and "отметку" in p for p in problems)
    assert any("Строка 2" in p and "«nope.code»" in p for p in problems)
    assert any("Строка 3" in p and "открытые вопросы" in p for p in problems)
    assert core_current(world.region.pk)[0] == 0  # nothing published


def test_only_the_regional_operator_sets_the_core(world):
    page = host_client("localhost", world.olga).get("/dashboard/monitoring-core/?code=curator")
    assert (
        page.status_code == 200
        and "cur.plan: План мероприятий программы выполняется в срок" in page.content.decode()
    )
    assert (
        host_client("localhost", world.maria).get("/dashboard/monitoring-core/").status_code == 403
    )
    posted = host_client("localhost", world.olga).post(
        "/dashboard/monitoring-core/",
        {
            "code": "curator",
            "text": "cur.plan: План мероприятий выполняется | нет; частично; да",
            "note": "короче",
        },
    )
    assert posted.status_code == 302 and core_current(world.region.pk)[0] == 1
