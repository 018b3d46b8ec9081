"""The route as the Положение defines it, and bad input answered in Russian with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django_tenants.utils import tenant_context

from cnppm.catalogue import AREAS
from tenants.routes import services
from tenants.routes.models import Activity, Route, Step

SEED_AREAS = [
    "Научно-теоретические", "Нормативные правовые", "Предметно-профессиональные",
    "Психолого-педагогические (ориентированные на обучающихся и их родителей)",
    "Методические (содержание образования, методики и технологии обучения)", "ИКТ-компетенции",
    "Цифровизация образования", "Внеурочная и воспитательная деятельность", "Здоровьесбережение обучающихся",
]  # fmt: skip


def test_the_seven_steps_and_the_areas_of_the_seed():
    assert [s.label for s in Step] == [
        "Самоопределение", "Диагностика достижений и ресурсов", "Диагностика затруднений и дефицитов",
        "Дорожная карта ИОМ", "Реализация", "Корректировка", "Рефлексивный анализ",
    ]  # fmt: skip
    assert [a["title"] for a in AREAS] == SEED_AREAS


def test_a_route_spans_four_or_five_years_in_yearly_cycles(world):
    with tenant_context(world.alpha):
        with pytest.raises(ValidationError, match="4 или 5 лет"):
            services.route_start(
                organization=world.alpha, teacher=world.bob, started_on=dt.date(2026, 9, 1), years=3
            )
        route = services.route_start(
            organization=world.alpha, teacher=world.bob, started_on=dt.date(2027, 1, 10), years=4
        )
        assert route.cycle_years() == [2026, 2027, 2028, 2029]
        assert route.ends_on == dt.date(2031, 1, 9)
        with pytest.raises(ValidationError, match="уже есть действующий маршрут"):
            services.route_start(
                organization=world.alpha,
                teacher=world.bob,
                started_on=dt.date(2027, 1, 10),
                years=5,
            )
        with transaction.atomic(), pytest.raises(IntegrityError):
            Route.objects.filter(pk=route.pk).update(years=7)


def test_bad_activities_are_refused_in_russian_and_nothing_is_written(world, bob_route, client_for):
    bob = client_for("alpha.localhost", world.bob)
    base = f"/routes/{bob_route.pk}/activities/new/"
    cases = [
        ({"deadline_text": "когда-нибудь потом"}, "Срок «когда-нибудь потом» не распознан"),
        ({"deadline_text": "до 01.12.2040"}, "вне маршрута"),
        ({"academic_year": "2040"}, "Выберите корректный вариант"),
        ({"section": "courses", "provider": ""}, "Укажите организацию ДПО"),
        ({"hours": "2999999"}, "3000"),
        ({"hours": "5000"}, "не больше 3000 часов"),
        (
            {"course_starts_on": "2026-11-10", "course_ends_on": "2026-11-01"},
            "Окончание обучения раньше его начала",
        ),
        ({"title": "x\x00"}, "запрещённый символ"),
    ]
    for change, message in cases:
        data = {"section": "courses", "title": "Курс", "academic_year": "2026", "deadline_text": "ноябрь",
                "provider": "ИРО", "hours": "36"} | change  # fmt: skip
        page = bob.post(base, data)
        assert page.status_code == 200, change
        assert message in page.content.decode(), (change, page.content.decode()[:3000])
    with tenant_context(world.alpha):
        assert not Activity.objects.filter(route=bob_route).exists()


JUNK = ["²", "\x00", "9" * 30, "-1", "<script>", "1e9", ""]


def test_junk_in_every_route_form_never_gives_a_server_error(world, bob_route, client_for):
    bob = client_for("alpha.localhost", world.bob)
    tanya = client_for("localhost", world.tanya)
    with tenant_context(world.alpha):
        deficit = bob_route.deficits.get()
    base = f"/routes/{bob_route.pk}/"
    tutor_base = f"/cnppm/routes/{world.alpha.pk}/{bob_route.pk}/"
    for junk in JUNK:
        posts = [
            (bob, base + "describe/", {"desired_image": junk, "years": junk}),
            (
                bob,
                base + "diagnosis/self/",
                {"action": "submit", "r-digital.1": junk, "a-digital": junk},
            ),
            (bob, base + "deficits/", {"area": junk, "description": junk}),
            (bob, base + f"deficits/{deficit.pk}/close/", {"reason": junk, "reason_text": junk}),
            (
                bob,
                base + "reflection/",
                {f"degree-{deficit.pk}": junk, "image_distance": junk, "is_final": junk},
            ),
            (bob, base + "consent/", {"recipient": junk, "action": junk}),
            (
                bob,
                base + "activities/new/",
                {"section": junk, "deficits": junk, "academic_year": junk},
            ),
            (
                tanya,
                tutor_base + "review/",
                {"verdict": junk, "text": junk, "step": junk, "activity": junk},
            ),
            (
                tanya,
                tutor_base + "recommend/",
                {"title": junk, "hours": junk, "deficits": junk, "academic_year": junk},
            ),
            (
                tanya,
                tutor_base + "diagnosis/tutor/",
                {"action": "submit", "r-digital.1": junk, "c-digital": junk},
            ),
        ]
        for client, path, data in posts:
            response = client.post(path, data)
            assert response.status_code < 500, (path, junk)
        for client, path in [(tanya, f"/cnppm/?organization={junk}&step={junk}&area={junk}&only={junk}&q={junk}"),
                             (tanya, f"/cnppm/caseload.xlsx?step={junk}"),
                             (bob, base + f"?suggest={junk}")]:  # fmt: skip
            assert client.get(path).status_code < 500, (path, junk)


def test_long_or_nul_reasons_and_answers_are_no_server_error(world, bob_route, client_for):
    bob = client_for("alpha.localhost", world.bob)
    with tenant_context(world.alpha):
        deficit = bob_route.deficits.get()
    closed = bob.post(
        f"/routes/{bob_route.pk}/deficits/{deficit.pk}/close/",
        {"reason": "x" * 40, "reason_text": "a\x00b"},
    )
    assert closed.status_code == 302
    answered = bob.post(
        f"/routes/{bob_route.pk}/diagnosis/self/", {"action": "draft", "a-digital": "a\x00b"}
    )
    assert answered.status_code == 302
    tutor = client_for("localhost", world.tanya).post(
        f"/cnppm/routes/{world.alpha.pk}/{bob_route.pk}/diagnosis/tutor/",
        {"action": "draft", "c-digital": "a\x00b"},
    )
    assert tutor.status_code == 302


def test_the_tutor_loses_access_with_the_role_or_when_the_teacher_leaves(
    world, bob_route, client_for
):
    from accounts.models import Membership, Role

    tanya = client_for("localhost", world.tanya)
    path = f"/cnppm/routes/{world.alpha.pk}/{bob_route.pk}/"
    assert tanya.get(path).status_code == 200
    Membership.objects.filter(user=world.bob, organization=world.alpha).delete()
    assert tanya.get(path).status_code == 403
    Membership.objects.create(user=world.bob, role=Role.MENTOR, organization=world.alpha)
    assert tanya.get(path).status_code == 200
    Membership.objects.filter(user=world.tanya, role=Role.TUTOR).delete()
    assert tanya.get(path).status_code == 403


def test_strong_areas_show_as_resources_and_low_ones_as_suggested_deficits(world, client_for):
    from tests.routes.conftest import answers_all

    with tenant_context(world.alpha):
        route = services.route_start(
            organization=world.alpha, teacher=world.bob, started_on=dt.date(2026, 9, 1), years=5
        )
        diagnosis = services.diagnosis_for(route=route, organization=world.alpha, kind="self", academic_year=2026,
                                           author=world.bob)  # fmt: skip
        suggested = services.diagnosis_save(
            diagnosis=diagnosis, organization=world.alpha, author=world.bob, submit=True,
            answers=answers_all(diagnosis.instrument, level=4, low=("health",)),
        )  # fmt: skip
    assert suggested == ["health"]
    page = client_for("alpha.localhost", world.bob).get(f"/routes/{route.pk}/").content.decode()
    assert page.count('badge-done">ресурс') == 8
