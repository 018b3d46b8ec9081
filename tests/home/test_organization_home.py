"""An organisation's home: its name, kind, municipality; navigation by role; its API."""

from __future__ import annotations

from tests.conftest import host_client


def test_home_shows_name_kind_municipality_and_academic_year(world):
    page = host_client("alpha.localhost", world.alice).get("/").content.decode()
    assert "МБОУ «Школа Альфа»" in page
    assert "Муниципальное бюджетное общеобразовательное учреждение «Школа Альфа»" in page
    assert "Общеобразовательная организация" in page
    assert "Северный район" in page
    assert "Учебный год" in page


def test_navigation_adapts_to_the_role(world):
    coordinator = host_client("alpha.localhost", world.alice).get("/").content.decode()
    mentor = host_client("alpha.localhost", world.bob).get("/").content.decode()
    assert "Базы наставников и наставляемых" in coordinator
    assert "Моя программа наставничества" not in coordinator
    assert "Моя программа наставничества" in mentor
    assert "Наставнические пары</span>" not in mentor


def test_home_figures_come_from_the_roadmap_and_later_sections_are_marked(world):
    from django_tenants.utils import tenant_context

    from tenants.roadmap.selectors import current_academic_year, roadmap_progress

    with tenant_context(world.alpha):
        from tenants.roadmap.models import Roadmap

        roadmap = Roadmap.objects.get(academic_year=current_academic_year(world.alpha))
        progress = roadmap_progress(roadmap=roadmap, today=world.alpha.local_today())
    page = host_client("alpha.localhost", world.alice).get("/").content.decode()
    assert f"Выполнено {progress.done} из {progress.total} ({progress.percent_done} %)" in page
    assert "Раздел готовится" in page


def test_current_organization_api_answers_with_the_callers_roles(world):
    data = host_client("alpha.localhost", world.bob).get("/api/v1/organization/").json()
    assert data["slug"] == "alpha"
    assert data["municipality"] == "Северный район"
    assert data["roles"] == ["mentor"]


def test_tenant_openapi_schema_is_served(world):
    response = host_client("alpha.localhost", world.alice).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/organization/" in response.content
