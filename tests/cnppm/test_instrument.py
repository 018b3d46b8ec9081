"""The ЦНППМ edits its instrument as a new version; answers keep the version they were given on."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from cnppm.instrument import areas_text, parse_areas, parse_scale, scale_text
from cnppm.models import Instrument
from cnppm.services import instrument_current
from tenants.routes import services

PUBLIC = "localhost"


def test_text_round_trip_and_problems_by_line():
    from cnppm.catalogue import AREAS, SCALE

    areas, problems = parse_areas(areas_text(AREAS))
    assert problems == [] and [a["code"] for a in areas] == [a["code"] for a in AREAS]
    assert parse_scale(scale_text(SCALE)) == (SCALE, [])
    _, problems = parse_areas(
        "- показатель без направления\n[ict] ИКТ\nпросто строка\n[ict] ещё раз\n- x"
    )
    assert problems[0].startswith("Строка 1: показатель до первого направления")
    assert (
        "Строка 3: «просто строка»" in problems[1] and "Строка 4: код «ict» уже есть." in problems
    )
    assert "Направление «ИКТ»: нет ни одного показателя." in problems
    assert parse_scale("1 — мало\n1 — много")[1] == ["Шкала: значения уровней повторяются."]


def test_a_new_version_applies_to_new_diagnoses_only(world, client_for, bob_route):
    with tenant_context(world.alpha):
        old = services.diagnosis_for(route=bob_route, organization=world.alpha, kind="curator",
                                     academic_year=2026, author=world.alice)  # fmt: skip
    olga = client_for(PUBLIC, world.olga)
    page = olga.get("/cnppm/instrument/").content.decode()
    assert "[digital] Цифровизация образования" in page
    merged = areas_text(
        [a for a in instrument_current(world.region.pk).areas if a["code"] != "ict"]
    )
    refused = olga.post(
        "/cnppm/instrument/", {"title": "Самодиагностика", "areas": "строка", "scale": "1 — а"}
    )
    assert "Строка 1: «строка»" in refused.content.decode()
    assert Instrument.objects.filter(region=world.region).count() == 1
    published = olga.post("/cnppm/instrument/", {
        "title": "Самодиагностика-2027", "areas": merged, "scale": scale_text(instrument_current(world.region.pk).scale),
        "note": "ИКТ и цифровизация — одно направление",
    })  # fmt: skip
    assert published.status_code == 302
    assert instrument_current(world.region.pk).version == 2
    with tenant_context(world.alpha):
        new = services.diagnosis_for(route=bob_route, organization=world.alpha, kind="curator",
                                     academic_year=2027, author=world.alice)  # fmt: skip
        old.refresh_from_db()
    assert (old.instrument_version, new.instrument_version) == (1, 2)
    assert "ict" in [a["code"] for a in old.instrument["areas"]]
    assert "ict" not in [a["code"] for a in new.instrument["areas"]]
    assert client_for(PUBLIC, world.tanya).get("/cnppm/instrument/").status_code == 403
