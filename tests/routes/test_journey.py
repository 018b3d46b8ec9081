"""The route as its people use it: the teacher on the school's host, the tutor on the regional
host, the curator once the teacher shares the route with the curator."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from cnppm.models import Assignment, RouteStatus
from cnppm.services import instrument_for
from tenants.routes.models import (
    Activity,
    ActivityStatus,
    Approval,
    Change,
    Recipient,
    Route,
    RouteAccess,
    Step,
)
from tests.routes.conftest import YEAR, form_answers

ALPHA = "alpha.localhost"
PUBLIC = "localhost"


def test_a_teacher_builds_a_route_through_the_seven_steps(world, client_for):
    bob = client_for(ALPHA, world.bob)
    page = bob.get("/routes/")
    assert page.status_code == 200
    assert "Самоопределение" in page.content.decode()
    started = bob.post(
        "/routes/", {"started_on": "2026-09-01", "years": "5", "position": "учитель"}
    )
    assert started.status_code == 302
    with tenant_context(world.alpha):
        route = Route.objects.get(teacher_id=world.bob.pk)
        assert route.step == Step.SELF_DETERMINATION
        assert route.cycle_years() == [2026, 2027, 2028, 2029, 2030]
    base = f"/routes/{route.pk}/"
    bob.post(
        base + "describe/",
        {"desired_image": "Учитель-методист", "years": "5", "position": "учитель"},
    )
    with tenant_context(world.alpha):
        instrument = instrument_for(world.alpha)
        form = instrument.content
    answered = bob.post(base + "diagnosis/self/", form_answers(form, low=("ict",)))
    assert answered.status_code == 302
    assert "suggest=ict" in answered["Location"]
    suggested = bob.get(answered["Location"]).content.decode()
    assert "ИКТ-компетенции</strong>" in suggested
    bob.post(base + "deficits/", {"area": "ict", "description": "Не владею конструктором тестов"})
    with tenant_context(world.alpha):
        route.refresh_from_db()
        deficit = route.deficits.get()
        assert route.step == Step.ROADMAP
    course = {
        "section": "courses", "title": "Цифровые инструменты учителя", "academic_year": str(YEAR),
        "deadline_text": "ноябрь 2026", "expected_product": "банк тестов", "deficits": [deficit.pk],
        "provider": "ИРО", "hours": "36", "course_format": "distance", "certificate": "удостоверение",
    }  # fmt: skip
    assert bob.post(base + "activities/new/", course).status_code == 302
    trial = {
        "section": "trials", "title": "Серия уроков со смешанным обучением", "academic_year": str(YEAR),
        "deadline_text": "до 20.12.2026", "expected_product": "разработки уроков", "deficits": [deficit.pk],
    }  # fmt: skip
    assert bob.post(base + "activities/new/", trial).status_code == 302
    with tenant_context(world.alpha):
        activities = {a.section: a for a in Activity.objects.filter(route=route)}
        assert str(activities["courses"].due_on) == "2026-11-30"
        assert str(activities["trials"].due_on) == "2026-12-20"
    product = bob.post(
        base + f"activities/{activities['trials'].pk}/product/",
        {
            "product_kind": "lesson", "product_title": "Разработки трёх уроков",
            "product_file": SimpleUploadedFile("уроки.pdf", b"%PDF-1.4\n%...\n", "application/pdf"),
            "done_on": "2026-10-10", "attitude": "Получилось: ученики работали увлечённо",
        },
    )  # fmt: skip
    assert product.status_code == 302, product.content.decode()[:2000]
    page = bob.get(base).content.decode()
    assert "Разработки трёх уроков" in page
    assert "36 ч" in page
    file = bob.get(base + f"activities/{activities['trials'].pk}/product/file/")
    assert file.status_code == 200
    assert b"".join(file.streaming_content).startswith(b"%PDF")
    status = RouteStatus.objects.get(organization=world.alpha, route_id=route.pk)
    assert status.deficit_areas == ["ict"]
    assert status.planned_hours == {"ict": 36}
    assert (status.activities, status.done) == (2, 1)


def test_the_tutor_returns_the_roadmap_and_the_teacher_corrects_it_with_a_reason(
    world, client_for, bob_route
):
    bob = client_for(ALPHA, world.bob)
    base = f"/routes/{bob_route.pk}/"
    with tenant_context(world.alpha):
        deficit = bob_route.deficits.get()
    bob.post(base + "activities/new/", {
        "section": "courses", "title": "Смешанное обучение", "academic_year": str(YEAR),
        "deadline_text": "декабрь 2026", "deficits": [deficit.pk], "provider": "ЦНППМ", "hours": "24",
    })  # fmt: skip
    assert bob.post(base + "submit/").status_code == 302
    tanya = client_for(PUBLIC, world.tanya)
    workspace = tanya.get("/cnppm/").content.decode()
    assert "Борисов Борис Игоревич" in workspace
    assert "на согласовании" in workspace
    tutor_base = f"/cnppm/routes/{world.alpha.pk}/{bob_route.pk}/"
    opened = tanya.get(tutor_base)
    assert opened.status_code == 200
    assert "Смешанное обучение" in opened.content.decode()
    returned = tanya.post(
        tutor_base + "review/", {"verdict": "returned", "text": "Добавьте пробные уроки"}
    )
    assert returned.status_code == 302
    with tenant_context(world.alpha):
        bob_route.refresh_from_db()
        assert bob_route.approval == Approval.RETURNED
        activity = Activity.objects.get(route=bob_route)
        assert RouteAccess.objects.filter(route=bob_route, user_id=world.tanya.pk).exists()
    # A change now needs a reason, and is kept with it.
    edit = {
        "section": "courses", "title": "Смешанное обучение", "academic_year": str(YEAR),
        "deadline_text": "январь 2027", "deficits": [deficit.pk], "provider": "ЦНППМ", "hours": "36",
    }  # fmt: skip
    refused = bob.post(base + f"activities/{activity.pk}/", edit)
    assert refused.status_code == 200
    assert "Укажите причину изменения" in refused.content.decode()
    edit |= {"reason": "review", "reason_text": "По замечанию тьютора"}
    assert bob.post(base + f"activities/{activity.pk}/", edit).status_code == 302
    with tenant_context(world.alpha):
        change = Change.objects.filter(route=bob_route).first()
        assert change is not None and change.reason == "review"
        assert change.changes["сроки"] == ["декабрь 2026", "январь 2027"]
        bob_route.refresh_from_db()
        assert bob_route.approval == Approval.SUBMITTED
    history = bob.get(base).content.decode()
    assert "замечания тьютора или куратора" in history and "По замечанию тьютора" in history
    assert (
        tanya.post(tutor_base + "review/", {"verdict": "approved", "text": ""}).status_code == 302
    )
    with tenant_context(world.alpha):
        bob_route.refresh_from_db()
        assert bob_route.approval == Approval.APPROVED
        assert bob_route.step == Step.IMPLEMENTATION


def test_the_tutor_sees_only_assigned_teachers_with_consent(world, client_for, bob_route):
    tanya = client_for(PUBLIC, world.tanya)
    tutor_base = f"/cnppm/routes/{world.alpha.pk}/{bob_route.pk}/"
    assert tanya.get(tutor_base).status_code == 200
    with tenant_context(world.alpha):
        from tenants.routes.services import consent_withdraw

        consent_withdraw(route=bob_route, organization=world.alpha, recipient=Recipient.TUTOR)
    assert tanya.get(tutor_base).status_code == 403
    with tenant_context(world.alpha):
        from tenants.routes.services import consent_give

        consent_give(route=bob_route, organization=world.alpha, recipient=Recipient.TUTOR)
    assert tanya.get(tutor_base).status_code == 200
    Assignment.objects.filter(teacher=world.bob).update(ended_at="2026-10-14T10:00:00Z")
    assert tanya.get(tutor_base).status_code == 403
    assert tanya.get(tutor_base + "review/").status_code in (403, 405)
    assert "Борисов" not in tanya.get("/cnppm/").content.decode()


def test_the_tutor_is_no_member_of_the_school(world, client_for, bob_route):
    tanya = client_for(ALPHA, world.tanya)
    for path in (
        "/participants/",
        "/pairs/",
        "/roadmap/",
        f"/routes/{bob_route.pk}/",
        "/routes/school/",
    ):
        assert tanya.get(path).status_code == 403, path


def test_a_route_is_the_teachers_until_shared_with_the_curator(world, client_for, bob_route):
    alice = client_for(ALPHA, world.alice)  # Alpha's coordinator
    base = f"/routes/{bob_route.pk}/"
    assert alice.get(base).status_code == 404
    school = alice.get("/routes/school/").content.decode()
    shared = school.split("Реестр согласий")[0]
    assert "Борисов" not in shared and "не открытых куратору: 1" in shared
    assert (
        'Борисов Борис Игоревич</td><td data-label="Кому">тьютору ЦНППМ' in school
    )  # the register
    client_for(ALPHA, world.bob).post(base + "consent/", {"recipient": "curator", "action": "give"})
    assert alice.get(base).status_code == 200
    assert "Борисов" in alice.get("/routes/school/").content.decode()
    with tenant_context(world.alpha):
        assert RouteAccess.objects.filter(
            route=bob_route, user_id=world.alice.pk, role="curator"
        ).exists()
    page = client_for(ALPHA, world.bob).get(base).content.decode()
    assert "Кто открывал маршрут" in page and "Алексеева Алиса Петровна" in page
    # The curator reads and comments, never edits the teacher's route.
    assert alice.post(base + "describe/", {"desired_image": "x", "years": "5"}).status_code == 403
    assert (
        alice.post(base + "review/", {"verdict": "comment", "text": "Хороший план"}).status_code
        == 302
    )
    client_for(ALPHA, world.bob).post(
        base + "consent/", {"recipient": "curator", "action": "withdraw"}
    )
    assert alice.get(base).status_code == 404


def test_another_school_sees_nothing(world, client_for, bob_route):
    charlie = client_for("beta.localhost", world.charlie)
    assert charlie.get(f"/routes/{bob_route.pk}/").status_code == 404
    assert client_for(ALPHA, world.charlie).get(f"/routes/{bob_route.pk}/").status_code == 403


def test_the_regional_operator_assigns_tutors(world, client_for, bob_route):
    olga = client_for(PUBLIC, world.olga)
    page = olga.get(f"/cnppm/assignments/?organization={world.alpha.pk}").content.decode()
    assert "Алексеева Алиса Петровна" in page  # Alpha's staff to choose from
    assert olga.post("/cnppm/assignments/new/", {
        "organization": world.alpha.pk, "tutor": world.tanya.pk, "teachers": [world.alice.pk],
        "review_every_days": "91",
    }).status_code == 302  # fmt: skip
    assert Assignment.objects.filter(
        teacher=world.alice, tutor=world.tanya, ended_at__isnull=True
    ).exists()
    refused = client_for(PUBLIC, world.maria).get("/cnppm/assignments/")
    assert refused.status_code == 403
    assert client_for(PUBLIC, world.maria).get("/cnppm/").status_code == 403
    assert ActivityStatus.PLANNED  # the module's names stay imported for the other tests


def test_the_api_gives_each_their_scope(world, client_for, bob_route):
    bob = client_for(ALPHA, world.bob)
    listed = bob.get("/api/v1/routes/").json()
    assert [r["id"] for r in listed["results"]] == [bob_route.pk]
    detail = bob.get(f"/api/v1/routes/{bob_route.pk}/").json()
    assert (
        detail["deficits"][0]["area"] == "digital" and detail["step_label"] == "Дорожная карта ИОМ"
    )
    alice = client_for(ALPHA, world.alice)
    assert alice.get("/api/v1/routes/").json()["results"] == []
    assert alice.get(f"/api/v1/routes/{bob_route.pk}/").status_code == 404
    tanya = client_for(PUBLIC, world.tanya)
    case = tanya.get("/api/v1/cnppm/caseload/").json()
    assert case[0]["teacher"] == "Борисов Борис Игоревич" and case[0]["deficit_areas"] == [
        "digital"
    ]
    route = tanya.get(f"/api/v1/cnppm/routes/{world.alpha.pk}/{bob_route.pk}/")
    assert route.status_code == 200 and route.json()["desired_image"].startswith("Учитель")
    with tenant_context(world.alpha):
        assert RouteAccess.objects.filter(route=bob_route, what="api").exists()
    assert client_for(PUBLIC, world.olga).get("/api/v1/cnppm/caseload/").status_code == 403
    other = tanya.get(f"/api/v1/cnppm/routes/{world.beta.pk}/{bob_route.pk}/")
    assert other.status_code == 403


def test_the_caseload_downloads_as_xlsx_and_the_curator_gives_their_view(
    world, client_for, bob_route
):
    import io

    import openpyxl

    response = client_for(PUBLIC, world.tanya).get("/cnppm/caseload.xlsx?only=no_consent")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:4] == [
        "Педагог",
        "Организация",
        "Муниципалитет",
        "Шаг маршрута",
    ]
    assert sheet.max_row == 1  # Bob consented: nobody without consent
    everyone = openpyxl.load_workbook(
        io.BytesIO(client_for(PUBLIC, world.tanya).get("/cnppm/caseload.xlsx").content)
    ).active
    assert (
        everyone["A2"].value == "Борисов Борис Игоревич"
        and everyone["F2"].value == "Цифровизация образования"
    )
    client_for(ALPHA, world.bob).post(
        f"/routes/{bob_route.pk}/consent/", {"recipient": "curator", "action": "give"}
    )
    alice = client_for(ALPHA, world.alice)
    form = alice.get(f"/routes/{bob_route.pk}/diagnosis/curator/")
    assert form.status_code == 200 and "Оценка куратора" in form.content.decode()
    assert alice.get(f"/routes/{bob_route.pk}/diagnosis/self/").status_code == 403


def test_before_consent_the_tutor_learns_only_that_a_route_exists(world, client_for, bob_route):
    with tenant_context(world.alpha):
        from tenants.routes.services import consent_withdraw

        consent_withdraw(route=bob_route, organization=world.alpha, recipient=Recipient.TUTOR)
    tanya = client_for(PUBLIC, world.tanya)
    page = tanya.get("/cnppm/").content.decode()
    assert "Борисов Борис Игоревич" in page and "нет согласия на передачу маршрута" in page
    rows = page.split("<tbody>")[1]
    assert (
        "Цифровизация образования" not in rows and "Дорожная карта ИОМ" not in rows
    )  # no deficits, no step
    case = tanya.get("/api/v1/cnppm/caseload/").json()[0]
    assert (case["route"], case["step"], case["deficit_areas"], case["shared_with_tutor"]) == (
        None,
        None,
        [],
        False,
    )
