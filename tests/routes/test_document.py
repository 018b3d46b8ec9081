"""The route as the DOCX the teacher, the tutor and the director sign; and as its PDF."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from cnppm.services import instrument_for
from tenants.routes import services
from tenants.routes.documents import route_docx
from tenants.routes.models import Activity, ChangeReason, Section
from tenants.routes.selectors import route_overview
from tests.docx_text import docx_text
from tests.routes.conftest import YEAR


def _document(world, route) -> bytes:  # type: ignore[no-untyped-def]
    with tenant_context(world.alpha):
        deficit = route.deficits.get()
        activity = services.activity_save(
            route=route, organization=world.alpha, deficits=[deficit], user=world.bob,
            activity=Activity(section=Section.COURSES, title="Смешанное обучение: практикум",
                              provider="ЦНППМ", hours=36, academic_year=YEAR, deadline_text="ноябрь"),
        )  # fmt: skip
        services.roadmap_submit(route=route, organization=world.alpha, user=world.bob)
        services.review_add(route=route, organization=world.alpha, reviewer=world.tanya, role="tutor",
                            verdict="returned", text="Уточните сроки")  # fmt: skip
        activity.deadline_text = "декабрь"
        services.activity_save(
            route=route, organization=world.alpha, activity=activity, deficits=[deficit], user=world.bob,
            reason=ChangeReason.REVIEW, reason_text="по замечанию тьютора",
        )  # fmt: skip
        instrument = instrument_for(world.alpha)
        overview = route_overview(
            route, today=world.alpha.local_today(), academic_year=YEAR,
            instrument=instrument.content,
        )  # fmt: skip
        return route_docx(
            overview=overview, organization=world.alpha, tutor_name=world.tanya.display_name
        )


def test_the_route_document_has_the_seven_sections_and_the_signatures(world, bob_route):
    text = docx_text(_document(world, bob_route))
    for heading in ("1. Самоопределение", "2–3. Диагностика", "4. Дорожная карта", "5. Реализация",
                    "6. Корректировка", "7. Рефлексивный анализ"):  # fmt: skip
        assert heading in text, heading
    assert "Борисов Борис Игоревич" in text and "Учитель, у которого учатся коллеги" in text
    assert "Цифровизация образования\t1,00" in text
    assert "Смешанное обучение: практикум" in text and "декабрь (до 31.12.2026)" in text
    assert "замечания тьютора или куратора — по замечанию тьютора" in text
    assert "Тьютор ЦНППМ\t______________\tТ. Танина" in text
    assert "{{" not in text and "{%" not in text


def test_the_teacher_and_the_tutor_download_it(world, client_for, bob_route):
    bob = client_for("alpha.localhost", world.bob).get(f"/routes/{bob_route.pk}/route.docx")
    assert bob.status_code == 200 and bob["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    tutor = client_for("localhost", world.tanya).get(
        f"/cnppm/routes/{world.alpha.pk}/{bob_route.pk}/route.docx"
    )
    assert tutor.status_code == 200
    assert "Борисов Борис Игоревич" in docx_text(tutor.content)


@pytest.mark.e2e
def test_the_route_document_reads_as_pdf(world, bob_route, tmp_path):
    from tests.documents.test_pdf import pdf_text

    text = pdf_text(_document(world, bob_route), tmp_path, "route-iom")
    assert "ИНДИВИДУАЛЬНЫЙ ОБРАЗОВАТЕЛЬНЫЙ МАРШРУТ" in text
    assert "7. Рефлексивный анализ" in text and "Борисов Борис Игоревич" in text
    assert "Смешанное обучение:" in text
