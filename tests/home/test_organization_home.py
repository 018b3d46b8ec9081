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
    assert "Раздел готовится" not in page
    assert "Наставников: <strong>" in page and "ждут приказа: <strong>" in page


def test_current_organization_api_answers_with_the_callers_roles(world):
    data = host_client("alpha.localhost", world.bob).get("/api/v1/organization/").json()
    assert data["slug"] == "alpha"
    assert data["municipality"] == "Северный район"
    assert data["roles"] == ["mentor"]


def test_tenant_openapi_schema_is_served(world):
    response = host_client("alpha.localhost", world.alice).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/organization/" in response.content


def test_a_new_schools_checklist_ticks_what_the_school_did(world):
    from django_tenants.utils import tenant_context

    from tenants.mentoring.models import Form

    client = host_client("alpha.localhost", world.alice)
    page = client.get("/").content.decode()
    assert "С чего начать" in page
    assert '<a href="/profile/">Проверьте сведения об организации</a>' in page
    assert "Готово 0 из 6" in page  # Alpha's roadmap is the template's, not yet reviewed
    saved = client.post("/profile/", {
        "full_name": world.alpha.full_name, "short_name": world.alpha.short_name,
        "address": "190000, г. Северный, ул. Школьная, д. 1", "locality": "г. Северный",
        "timezone": "Europe/Moscow", "pupils_count": 500, "teachers_count": 40,
    })  # fmt: skip
    assert saved.status_code == 302
    with tenant_context(world.alpha):
        from tenants.roadmap.models import Roadmap
        from tenants.roadmap.selectors import current_academic_year

        roadmap = Roadmap.objects.get(academic_year=current_academic_year(world.alpha))
    client.post(f"/roadmap/settings/?year={roadmap.academic_year}", {
        "year": roadmap.academic_year, "title": roadmap.title, "approval": "приказ № 30-о от 29.08.2026",
    })  # fmt: skip
    world.alpha.refresh_from_db()
    assert world.alpha.locality == "г. Северный" and world.alpha.profile_confirmed_at
    with tenant_context(world.alpha):
        from tenants.participants.services import ParticipantData, participant_create
        from tenants.roadmap.selectors import current_academic_year

        year, today = current_academic_year(world.alpha), world.alpha.local_today()
        for bank_role, last_name in (("mentor", "Учителева"), ("mentee", "Молодцова")):
            data = ParticipantData(last_name=last_name, first_name="Анна", category="teacher",
                                   bank_role=bank_role, position="учитель")  # fmt: skip
            participant_create(academic_year=year, data=data, user=None, today=today)
    with tenant_context(world.alpha):
        first = Form.objects.order_by("pk").first()
    client.post("/pairs/forms/", {"action": "in_use", "in_use": [str(first.pk)]})
    with tenant_context(world.alpha):
        assert list(Form.objects.filter(in_use=True)) == [first]
    page = client.get("/").content.decode()
    assert "Готово 4 из 6" in page  # profile, roadmap, banks, forms; staff and a pair to go
    assert "Пригласите сотрудников" in page


def test_the_checklist_is_for_managers_and_hides_when_all_is_done(world):
    page = host_client("alpha.localhost", world.bob).get("/").content.decode()
    assert "С чего начать" not in page and "Наставников: <strong>" not in page
