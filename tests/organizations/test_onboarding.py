"""Bulk onboarding: row errors in Russian, nothing half-created, preview then confirm."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_exists

from organizations.models import Organization
from organizations.onboarding import (
    OnboardingFileError,
    onboarding_apply,
    onboarding_plan,
    read_table,
    template_workbook,
    validate_rows,
)
from tests.conftest import host_client

HEADER = "Полное наименование;Краткое наименование;Тип;Муниципальное образование;Поддомен;Часовой пояс;Число обучающихся;Число педагогов"


def _csv(*rows: str, encoding: str = "utf-8") -> bytes:
    return "\n".join([HEADER, *rows]).encode(encoding)


GOOD_ROWS = [
    "Муниципальное общеобразовательное учреждение «Школа № 1»;МОУ Школа № 1;школа;Северный район;school1;UTC+3;300;25",
    "Муниципальное дошкольное образовательное учреждение «Детский сад № 2»;МДОУ № 2;детский сад;Озёрный район;sad2;UTC+7;120;12",
]


# Pure validation (no database) ------------------------------------------------------------------


def test_rows_are_checked_and_errors_name_row_and_column():
    content = _csv(
        GOOD_ROWS[0],
        ";МОУ без полного;школа;Северный район;nofull;;;",
        "Полное;Краткое;университет;Северный район;uni;;;",
        "Полное;Краткое;школа;Северный район;Плохой адрес;UTC+15;-3;12.5",
        "Полное;Краткое;СПО;Северный район;school1;;;",
    )
    plan = validate_rows(read_table(content, "list.csv"), region_timezone="Europe/Moscow")
    messages = [str(error) for error in plan.errors]
    assert "Строка 3, «Полное наименование»: не заполнено." in messages
    assert any(m.startswith("Строка 4, «Тип»: «университет»") for m in messages)
    assert any(m.startswith("Строка 5, «Поддомен»") for m in messages)
    assert any(m.startswith("Строка 5, «Часовой пояс»: «UTC+15»") for m in messages)
    assert any(m.startswith("Строка 5, «Число обучающихся»") for m in messages)
    assert any(m.startswith("Строка 5, «Число педагогов»") for m in messages)
    assert "Строка 6, «Поддомен»: «school1» уже указан в строке 2." in messages
    assert [row.row for row in plan.rows] == [2]


def test_timezones_read_as_utc_offsets_msk_offsets_or_iana_names():
    content = _csv(
        "П;К;школа;М;aa1;UTC+7;;",
        "П;К;школа;М;aa2;МСК+4;;",
        "П;К;школа;М;aa3;Asia/Omsk;;",
        "П;К;школа;М;aa4;;;",
    )
    plan = validate_rows(read_table(content, "x.csv"), region_timezone="Europe/Samara")
    assert [row.timezone for row in plan.rows] == [
        "Asia/Krasnoyarsk",
        "Asia/Krasnoyarsk",
        "Asia/Omsk",
        "Europe/Samara",
    ]


def test_cp1251_csv_from_russian_excel_is_read():
    plan = validate_rows(
        read_table(_csv(GOOD_ROWS[0], encoding="cp1251"), "x.csv"), region_timezone="Europe/Moscow"
    )
    assert plan.is_valid and plan.rows[0].short_name == "МОУ Школа № 1"


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "a.csv", "Файл «a.csv» пустой"),
        (b"%PDF-1.4 not a table", "a.pdf", "XLSX или CSV"),
        (b"not a zip", "a.xlsx", "не таблица Excel"),
        ("Название;Адрес\nшкола;x\n".encode(), "a.csv", "нет столбцов"),
        (HEADER.encode() + b"\n", "a.csv", "нет ни одной организации"),
        (b"x" * (5 * 1024 * 1024 + 1), "a.csv", "больше 5 МБ"),
    ],
)
def test_unreadable_files_get_a_clear_message(content, filename, message):
    with pytest.raises(OnboardingFileError, match=message):
        read_table(content, filename)


def test_the_template_reads_back_as_a_valid_list():
    frame = read_table(template_workbook(), "template.xlsx")
    assert validate_rows(frame, region_timezone="Europe/Moscow").is_valid


# With the registry -------------------------------------------------------------------------------


def test_a_plan_with_errors_creates_nothing(world):
    content = _csv(GOOD_ROWS[0], "П;К;школа;М;alpha;;;")  # alpha is taken
    plan = onboarding_plan(content=content, filename="x.csv", region=world.region)
    assert [str(e) for e in plan.errors] == [
        "Строка 3, «Поддомен»: «alpha» уже занят другой организацией."
    ]
    before = Organization.objects.count()
    with pytest.raises(ValueError):
        onboarding_apply(plan=plan, region=world.region)
    assert Organization.objects.count() == before
    assert not schema_exists("school1")


def test_a_valid_xlsx_provisions_every_row_and_creates_municipalities(world):
    frame = read_table(_csv(*GOOD_ROWS), "x.csv")
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    plan = onboarding_plan(content=buffer.getvalue(), filename="list.xlsx", region=world.region)
    assert plan.is_valid
    created = onboarding_apply(plan=plan, region=world.region)
    assert [o.slug for o in created] == ["school1", "sad2"]
    assert schema_exists("school1") and schema_exists("sad2")
    sad = Organization.objects.get(slug="sad2")
    assert (sad.kind, sad.timezone, sad.municipality.name) == (
        "kindergarten",
        "Asia/Krasnoyarsk",
        "Озёрный район",
    )


def test_operator_previews_then_confirms_on_the_onboarding_page(world):
    client = host_client("localhost", world.olga)
    upload = SimpleUploadedFile("list.csv", _csv(*GOOD_ROWS), content_type="text/csv")
    preview = client.post(
        "/organizations/onboarding/", {"region": world.region.pk, "file": upload}, follow=True
    )
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "Подтвердить и подключить (2)" in page and "school1.localhost" in page
    assert not Organization.objects.filter(slug="school1").exists()
    job = preview.context["job"]
    confirm = client.post(f"/organizations/onboarding/{job.pk}/confirm/")
    assert confirm.status_code == 302 and confirm["Location"] == "/"
    assert Organization.objects.filter(slug__in=["school1", "sad2"]).count() == 2


def test_onboarding_page_shows_row_errors_and_no_confirm_button(world):
    client = host_client("localhost", world.olga)
    upload = SimpleUploadedFile("list.csv", _csv("П;К;вуз;М;bad1;;;"), content_type="text/csv")
    page = client.post(
        "/organizations/onboarding/", {"region": world.region.pk, "file": upload}, follow=True
    ).content.decode()
    assert "<b>Тип</b>: «вуз» — укажите: школа" in page
    assert "пока они есть, ничего не записывается" in page
    assert "Подтвердить и подключить" not in page


def test_onboarding_is_for_regional_operators_only(world):
    assert (
        host_client("localhost", world.maria).get("/organizations/onboarding/").status_code == 403
    )
    assert host_client("localhost", world.olga).get("/organizations/onboarding/").status_code == 200
    template = host_client("localhost", world.olga).get("/organizations/onboarding/template.xlsx")
    assert template.status_code == 200
    assert pd.read_excel(io.BytesIO(template.content)).columns[0] == "Полное наименование"


def test_a_list_over_500_organisations_is_refused_naming_both_counts():
    rows = [GOOD_ROWS[0].replace("school1", f"school{n}") for n in range(501)]
    with pytest.raises(OnboardingFileError, match="больше 500 организаций"):
        read_table(_csv(*rows), "list.csv")


def test_an_overlong_municipality_and_absurd_counts_are_refused_in_the_preview(world):
    content = _csv(
        *GOOD_ROWS,
        f"Школа № 3;Школа № 3;школа;{'Р' * 250};school3;;1e12;inf",
        "Школа № 4;Школа № 4;школа;Район;school4;;1e400;nan",
    )
    plan = onboarding_plan(content=content, filename="list.csv", region=world.region)
    assert [str(e) for e in plan.errors] == [
        "Строка 4, «Муниципальное образование»: длиннее 200 символов.",
        "Строка 4, «Число обучающихся»: «1e12» — слишком большое число (не больше 1\u00a0000\u00a0000).",
        "Строка 4, «Число педагогов»: «inf» — не число.",
        "Строка 5, «Число обучающихся»: «1e400» — не число.",
        "Строка 5, «Число педагогов»: «nan» — не число.",
    ]
    before = Organization.objects.count()
    with pytest.raises(ValueError):
        onboarding_apply(plan=plan, region=world.region)
    assert Organization.objects.count() == before


def _schemas() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        return {row[0] for row in cursor.fetchall()}


def test_a_row_that_fails_to_provision_removes_the_organisations_created_before_it(world):
    from django.db import connection

    content = _csv(*GOOD_ROWS, "Школа № 3;Школа № 3;школа;Новый район;school3;;10;2")
    plan = onboarding_plan(content=content, filename="list.csv", region=world.region)
    assert plan.is_valid
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA school3")  # left behind by something else: row 4 fails
    schemas, organizations = _schemas(), Organization.objects.count()
    municipalities = set(world.region.municipalities.values_list("name", flat=True))
    with pytest.raises(Exception):  # noqa: B017 (whatever the database said)
        onboarding_apply(plan=plan, region=world.region)
    assert _schemas() == schemas and Organization.objects.count() == organizations
    assert set(world.region.municipalities.values_list("name", flat=True)) == municipalities


def test_the_confirmed_list_is_all_or_nothing_on_the_page_too(world):
    from django.db import connection

    client = host_client("localhost", world.olga)
    content = _csv(*GOOD_ROWS, "Школа № 3;Школа № 3;школа;Новый район;school3;;10;2")
    upload = SimpleUploadedFile("list.csv", content, content_type="text/csv")
    job = client.post("/organizations/onboarding/", {"region": world.region.pk, "file": upload},
                      follow=True).context["job"]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA school3")
    schemas, organizations = _schemas(), Organization.objects.count()
    page = client.post(f"/organizations/onboarding/{job.pk}/confirm/", follow=True)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Организация из строки 4 не создана" in text and "Ничего не подключено" in text
    assert _schemas() == schemas and Organization.objects.count() == organizations


# The people a new organisation starts with, suggested subdomains, zones as people write them --

PEOPLE_HEADER = (
    "Полное наименование;Краткое наименование;Тип;Муниципальное образование;Часовой пояс;"
    "Руководитель (ФИО);E-mail руководителя;Куратор (ФИО);E-mail куратора"
)


def _people_csv(*rows: str) -> bytes:
    return "\n".join([PEOPLE_HEADER, *rows]).encode()


def test_subdomains_are_suggested_from_the_name_when_the_column_is_missing(world):
    content = _people_csv(
        "Муниципальное бюджетное общеобразовательное учреждение «СОШ № 7»;МБОУ СОШ № 7;школа;"
        "Северный район;Москва;;;;",
        "Другая школа;МБОУ СОШ № 7;школа;Северный район;МСК;;;;",
        "Школа Альфа-2;Альфа;школа;Северный район;UTC+7;;;;",
    )
    plan = onboarding_plan(content=content, filename="x.csv", region=world.region)
    assert plan.is_valid, plan.errors
    assert [r.slug for r in plan.rows] == ["sosh-7", "sosh-7-2", "alfa"]
    assert [r.timezone for r in plan.rows] == ["Europe/Moscow", "Europe/Moscow", "Asia/Krasnoyarsk"]


@pytest.mark.parametrize(
    ("written", "zone"),
    [
        ("Москва", "Europe/Moscow"), ("МСК", "Europe/Moscow"), ("мск+4", "Asia/Krasnoyarsk"),
        ("UTC+7", "Asia/Krasnoyarsk"), ("Europe/Moscow", "Europe/Moscow"), ("+5", "Asia/Yekaterinburg"),
        ("Новосибирск", "Asia/Krasnoyarsk"), ("Asia/Novosibirsk", "Asia/Krasnoyarsk"),
        ("МСК−1", "Europe/Kaliningrad"), ("екатеринбург", "Asia/Yekaterinburg"),
        ("UTC+03:00", "Europe/Moscow"), ("Марс", None), ("UTC+1", None), ("America/New_York", None),
    ],
)  # fmt: skip
def test_time_zones_are_read_as_people_write_them(written, zone):
    from organizations.onboarding import parse_timezone

    assert parse_timezone(written) == zone


def test_director_and_coordinator_columns_are_checked(world):
    content = _people_csv(
        "Школа 1;Школа 1;школа;Северный район;;Иванова Мария Петровна;;;",
        "Школа 2;Школа 2;школа;Северный район;;Петров;petrov@example.ru;;",
        "Школа 3;Школа 3;школа;Северный район;;Сидорова Анна;не-адрес;;",
    )
    plan = onboarding_plan(content=content, filename="x.csv", region=world.region)
    assert [str(e) for e in plan.errors] == [
        "Строка 2, «E-mail руководителя»: не заполнено: на этот адрес придёт приглашение.",
        "Строка 3, «Руководитель (ФИО)»: укажите фамилию и имя (и отчество, если есть).",
        "Строка 4, «E-mail руководителя»: «не-адрес» — не адрес электронной почты.",
    ]


def test_confirming_a_list_invites_each_director_and_coordinator(world):
    from django.core import mail

    from accounts.invitations import invitation_send
    from accounts.models import Invitation, Membership, Role

    client = host_client("localhost", world.olga)
    content = _people_csv(
        "МБОУ «Средняя школа № 11»;МБОУ СОШ № 11;школа;северный  район;Самара;"
        "Смирнова Елена Викторовна;smirnova@s11.example.ru;Кузнецов Игорь Андреевич;kuznetsov@s11.example.ru",
        "МБДОУ «Детский сад № 5»;МБДОУ № 5;детский сад;Заречный округ;UTC+3;"
        "Орлова Нина Ивановна;orlova@ds5.example.ru;;",
    )
    upload = SimpleUploadedFile("list.csv", content, content_type="text/csv")
    preview = client.post("/organizations/onboarding/", {"region": world.region.pk, "file": upload},
                          follow=True)  # fmt: skip
    page = preview.content.decode()
    assert "sosh-11.localhost (предложен)" in page
    assert "Руководитель: Смирнова Елена Викторовна &lt;smirnova@s11.example.ru&gt;" in page
    assert "«Заречный округ» нет в реестре региона: при подтверждении оно будет добавлено." in page
    assert "Северный район" in page  # the registry's spelling, not «северный  район»
    job = preview.context["job"]
    client.post(f"/organizations/onboarding/{job.pk}/confirm/")
    school = Organization.objects.get(slug="sosh-11")
    assert school.municipality == world.north and school.timezone == "Europe/Samara"
    roles = set(
        Membership.objects.filter(organization=school).values_list("user__username", "role")
    )
    assert roles == {("smirnova@s11.example.ru", Role.DIRECTOR),
                     ("kuznetsov@s11.example.ru", Role.COORDINATOR)}  # fmt: skip
    invitations = Invitation.objects.filter(organization__slug__in=["sosh-11", "mbdou-5"])
    assert invitations.count() == 3
    for invitation in invitations:
        invitation_send(invitation_id=invitation.pk)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "kuznetsov@s11.example.ru", "orlova@ds5.example.ru", "smirnova@s11.example.ru",
    ]  # fmt: skip
    assert any("http://sosh-11.localhost:8000/accounts/invitation/" in m.body for m in mail.outbox)
