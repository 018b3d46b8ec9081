"""The committee's dashboard: scoping by role, small cells suppressed, drill-down, heatmap, and
no personal data in any page; the pages read rollups only (a fixed number of queries)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from organizations.models import Municipality, Organization
from regional_dashboard import rollups
from regional_dashboard.models import OrganizationRollup
from tests.conftest import host_client

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def rolled(world):  # type: ignore[no-untyped-def]
    from regional_dashboard.publication import publish_due

    for organization in (world.alpha, world.beta):
        with tenant_context(organization):
            rollups.rollup_refresh(organization=organization, now=NOW)
    publish_due(now=NOW)
    return world


def _year(world) -> int:
    return world.alpha.academic_year_of(world.alpha.local_today(NOW))


def test_anonymous_goes_to_login_and_a_mentor_is_refused(rolled):
    assert host_client("localhost").get("/dashboard/").status_code == 302
    response = host_client("localhost", rolled.bob).get("/dashboard/")
    assert response.status_code == 403


def test_the_regional_operator_sees_the_region_and_drills_down(rolled):
    client = host_client("localhost", rolled.olga)
    page = client.get("/dashboard/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Мониторинг внедрения целевой модели наставничества" in text
    assert "Северный район" in text and "Южный район" in text
    assert "Тепловая карта" in text and "МБОУ «Школа Альфа»" in text
    municipality = client.get(f"/dashboard/municipalities/{rolled.north.pk}/")
    assert municipality.status_code == 200
    assert "МБОУ «Школа Альфа»" in municipality.content.decode()
    assert "МБДОУ «Бета»" not in municipality.content.decode()
    organization = client.get(f"/dashboard/organizations/{rolled.alpha.pk}/")
    assert organization.status_code == 200
    assert "Дорожная карта по этапам" in organization.content.decode()


def test_the_municipal_specialist_sees_only_their_municipality(rolled):
    client = host_client("localhost", rolled.maria)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/municipalities/{rolled.north.pk}/"
    assert client.get(response["Location"]).status_code == 200
    assert client.get(f"/dashboard/municipalities/{rolled.south.pk}/").status_code == 403
    elsewhere = client.get(f"/dashboard/organizations/{rolled.beta.pk}/")
    assert elsewhere.status_code == 403  # the site's own page, saying why
    assert "в другом муниципальном образовании (Южный район)" in elsewhere.content.decode()
    assert client.get(f"/dashboard/organizations/{rolled.alpha.pk}/").status_code == 200


def test_cells_under_five_people_are_suppressed(rolled):
    from regional_dashboard.publication import publish_due

    year = _year(rolled)
    OrganizationRollup.objects.filter(organization=rolled.alpha, academic_year=year).update(
        mentors=3, mentees=40, pairs_total=2, consents_missing=1, meetings_held=0,
        programs_completed=0, pupils_involved=0, teachers_involved=0,
        computed_at=NOW + dt.timedelta(minutes=1),
        breakdown={"mentees_by_category": {"обучающийся": 4, "педагог": 12, "студент": 24},
                   "mentors_by_category": {"педагог": 3}},
    )  # fmt: skip
    OrganizationRollup.objects.filter(organization=rolled.beta, academic_year=year).update(
        mentors=0, mentees=0, pairs_total=0, consents_missing=0, breakdown={},
        computed_at=NOW + dt.timedelta(seconds=1),
    )  # fmt: skip
    assert publish_due(now=NOW) == 1  # the rows changed: published anew
    client = host_client("localhost", rolled.olga)
    text = client.get(f"/dashboard/organizations/{rolled.alpha.pk}/").content.decode()
    assert text.count(">…<") >= 3  # mentors, pairs, consents
    assert ">40<" in text  # a big enough count is shown
    summary = client.get(f"/api/v1/monitoring/summary/?municipality={rolled.north.pk}").json()
    assert summary["totals"]["mentors"] is None and summary["totals"]["mentees"] == 40
    mentees = summary["breakdowns"]["mentees_by_category"]
    assert mentees["обучающийся"] is None  # small
    assert None in (mentees["педагог"], mentees["студент"])  # and one more: 40 − 12 − 24 = 4


def test_the_page_reads_rollups_only_with_a_fixed_number_of_queries(rolled):
    client = host_client("localhost", rolled.olga)
    client.get("/dashboard/")  # warm the session and tenant caches
    with CaptureQueriesContext(connection) as small:
        assert client.get("/dashboard/").status_code == 200
    municipality = Municipality.objects.get(pk=rolled.north.pk)
    from organizations.services import OrganizationData, organization_provision

    for n in range(3):
        organization = organization_provision(data=OrganizationData(
            full_name=f"Школа {n}", short_name=f"Школа {n}", slug=f"dash{n}", kind="school",
            municipality=municipality))  # fmt: skip
        with tenant_context(organization):
            rollups.rollup_refresh(organization=organization, now=NOW)
    with CaptureQueriesContext(connection) as large:
        assert client.get("/dashboard/").status_code == 200
    assert len(large) == len(small)
    schemas = {Organization.objects.get(slug=s).schema_name for s in ("alpha", "beta", "dash0")}
    touched = [
        q["sql"] for q in large.captured_queries if any(f'"{s}"' in q["sql"] for s in schemas)
    ]
    assert touched == []  # no tenant schema on a page request


def test_no_personal_data_on_any_dashboard_page_of_the_demo(db):
    from tenants.participants.models import Participant

    call_command("load_demo")
    names: set[str] = set()
    for organization in Organization.objects.filter(municipality__region__code="99"):
        with tenant_context(organization):
            for last, first, patronymic in Participant.objects.values_list(
                "last_name", "first_name", "patronymic"
            ):
                names.update(n for n in (last, first, patronymic) if len(n) > 3)
    from accounts.models import User

    client = host_client("localhost", User.objects.get(username="admin"))
    pages = ["/dashboard/"]
    pages += [
        f"/dashboard/municipalities/{m.pk}/" for m in Municipality.objects.filter(region__code="99")
    ]
    pages += [
        f"/dashboard/organizations/{o.pk}/"
        for o in Organization.objects.filter(municipality__region__code="99")
    ]
    assert names
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        found = sorted(n for n in names if f">{n}" in text or f" {n} " in text or f"{n}<" in text)
        assert not found, (url, found)


def _workbook(response):  # type: ignore[no-untyped-def]
    import io

    import openpyxl

    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_the_region_report_is_a_tidy_workbook(rolled):
    book = _workbook(host_client("localhost", rolled.olga).get("/dashboard/report.xlsx"))
    assert book.sheetnames == ["Сводка", "Муниципалитеты", "Организации", "Этапы дорожных карт"]
    organizations = book["Организации"]
    header = [c.value for c in organizations[1]]
    assert header[:3] == ["Муниципалитет", "Организация", "Тип организации"]
    names = {row[1] for row in organizations.iter_rows(min_row=2, values_only=True)}
    assert names == {"МБОУ «Школа Альфа»", "МБДОУ «Бета»"}
    assert organizations.freeze_panes == "A2"
    summary = dict(book["Сводка"].iter_rows(min_row=2, values_only=True))
    assert summary["Учебный год"] == f"{_year(rolled)}/{_year(rolled) + 1}"
    stages = list(book["Этапы дорожных карт"].iter_rows(min_row=2, values_only=True))
    assert stages and all(row[3] >= row[4] for row in stages)  # done never above total
    # It prints: landscape, one page wide, the header on every page.
    assert organizations.page_setup.orientation == "landscape"
    assert (
        organizations.page_setup.fitToWidth == 1
        and organizations.sheet_properties.pageSetUpPr.fitToPage
    )
    assert organizations.print_title_rows == "$1:$1"


def test_suppressed_cells_of_the_workbook_are_empty_with_a_note_so_sums_work(rolled):
    from regional_dashboard.publication import publish_due

    OrganizationRollup.objects.filter(organization=rolled.alpha).update(
        mentors=2, breakdown={"mentors_by_category": {"педагог": 2}},
        computed_at=NOW + dt.timedelta(minutes=1),
    )  # fmt: skip
    publish_due(now=NOW)
    sheet = _workbook(host_client("localhost", rolled.olga).get("/dashboard/report.xlsx"))[
        "Организации"
    ]
    header = [c.value for c in sheet[1]]
    mentors = header.index("Наставников в базе") + 1
    cells = [sheet.cell(row=r, column=mentors) for r in range(2, sheet.max_row + 1)]
    hidden = [c for c in cells if c.value is None]
    assert hidden and all("Значение скрыто" in c.comment.text for c in hidden)
    assert all(isinstance(c.value, int) for c in cells if c.value is not None)
    assert not any(c.value == "…" for row in sheet.iter_rows() for c in row)


def test_the_municipal_report_stays_in_the_specialists_municipality(rolled):
    client = host_client("localhost", rolled.maria)
    book = _workbook(client.get("/dashboard/report.xlsx"))
    names = {row[1] for row in book["Организации"].iter_rows(min_row=2, values_only=True)}
    assert names == {"МБОУ «Школа Альфа»"}
    assert client.get(f"/dashboard/report.xlsx?municipality={rolled.south.pk}").status_code == 403
    municipal = _workbook(client.get(f"/dashboard/report.xlsx?municipality={rolled.north.pk}"))
    assert "Муниципалитеты" not in municipal.sheetnames


def test_the_csv_opens_in_russian_excel_and_suppresses_small_cells(rolled):
    from regional_dashboard.publication import publish_due

    OrganizationRollup.objects.filter(organization=rolled.alpha).update(
        mentors=2,
        breakdown={"mentors_by_category": {"педагог": 2}},
        computed_at=NOW + dt.timedelta(minutes=1),
    )
    publish_due(now=NOW)
    response = host_client("localhost", rolled.olga).get("/dashboard/report.csv")
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[:2] == ["Муниципалитет", "Организация"]
    alpha = next(line for line in lines if "Альфа" in line)
    header = lines[0].split(";")
    cells = dict(zip(header, alpha.split(";"), strict=True))
    # A suppressed figure is an empty cell (the column stays numeric), named in the flag column.
    print("CELLS", cells)
    assert cells["Наставников в базе"] == "" and "Наставников в базе" in cells["Скрытые значения"]
    assert "…" not in alpha
    assert cells["Выполнено, %"].replace(",", "").isdigit() and "." not in cells["Выполнено, %"]


def test_no_personal_data_in_the_demo_reports(db):
    from accounts.models import User
    from tenants.participants.models import Participant

    call_command("load_demo")
    names: set[str] = set()
    for organization in Organization.objects.filter(municipality__region__code="99"):
        with tenant_context(organization):
            for last, first in Participant.objects.values_list("last_name", "first_name"):
                names.update(n for n in (last, first) if len(n) > 3)
    client = host_client("localhost", User.objects.get(username="admin"))
    book = _workbook(client.get("/dashboard/report.xlsx"))
    cells = {
        str(v)
        for sheet in book
        for row in sheet.iter_rows(values_only=True)
        for v in row
        if v is not None
    }
    csv_text = client.get("/dashboard/report.csv").content.decode("utf-8-sig")
    api_text = "".join(
        client.get(url).content.decode()
        for url in ("/api/v1/monitoring/summary/", "/api/v1/monitoring/organizations/")
    )
    assert names
    assert not names & cells
    assert not [n for n in names if n in csv_text]
    assert not [n for n in names if f'"{n}' in api_text or f" {n}" in api_text]


def test_the_api_gives_the_same_figures_scoped_and_suppressed(rolled):
    from regional_dashboard.publication import publish_due

    OrganizationRollup.objects.filter(organization=rolled.alpha).update(
        mentees=3,
        breakdown={"mentees_by_category": {"обучающийся": 3}},
        computed_at=NOW + dt.timedelta(minutes=1),
    )
    publish_due(now=NOW)
    olga = host_client("localhost", rolled.olga)
    rows = olga.get("/api/v1/monitoring/organizations/").json()
    assert rows["count"] == 2
    alpha = next(r for r in rows["results"] if r["id"] == rolled.alpha.pk)
    assert alpha["mentees"] is None  # withheld
    assert alpha["organization"] == "МБОУ «Школа Альфа»"
    summary = olga.get("/api/v1/monitoring/summary/").json()
    assert {m["name"] for m in summary["municipalities"]} == {"Северный район", "Южный район"}
    assert summary["totals"]["organizations"] == 2
    maria = host_client("localhost", rolled.maria)
    assert [r["id"] for r in maria.get("/api/v1/monitoring/organizations/").json()["results"]] == [
        rolled.alpha.pk
    ]
    assert (
        maria.get(f"/api/v1/monitoring/summary/?municipality={rolled.south.pk}").status_code == 403
    )
    assert (
        host_client("localhost", rolled.bob).get("/api/v1/monitoring/summary/").status_code == 403
    )
    assert host_client("localhost").get("/api/v1/monitoring/summary/").status_code in (401, 403)
    schema = olga.get("/api/schema/").content.decode()
    assert "/api/v1/monitoring/summary/" in schema


def test_the_weekly_trend_counts_each_organisation_by_its_newest_row(rolled):
    from regional_dashboard.dashboard import trend

    year = _year(rolled)
    day = dt.date(year, 12, 1)  # a fixed point of the year, whatever the date of the run
    OrganizationRollup.objects.filter(organization__in=[rolled.alpha, rolled.beta]).delete()

    def row(organization, on, done):  # type: ignore[no-untyped-def]
        OrganizationRollup.objects.create(organization=organization, academic_year=year, day=on,
                                          computed_at=NOW, items_total=10, items_done=done)  # fmt: skip

    row(rolled.alpha, day - dt.timedelta(days=14), 0)  # two weeks ago alpha had done nothing
    row(rolled.alpha, day, 10)
    row(rolled.beta, day, 5)  # beta has rows only from that day
    from regional_dashboard.dashboard import dashboard_scope, select

    selection = select(scope=dashboard_scope(user=rolled.olga), params={"year": str(year)})  # type: ignore[arg-type]
    points = trend(selection, day)
    by_day = {p["day"]: p for p in points}
    assert by_day[day]["organizations"] == 2
    assert by_day[day]["items_done_share"] == 75.0
    assert by_day[day - dt.timedelta(days=14)]["organizations"] == 1
    assert by_day[day - dt.timedelta(days=14)]["items_done_share"] == 0
    assert by_day[day - dt.timedelta(days=7)]["items_done_share"] == 0  # carried forward
    import time_machine

    with time_machine.travel(dt.datetime(year, 12, 1, 12, 0, tzinfo=dt.UTC)):  # the page's today
        page = host_client("localhost", rolled.olga).get("/dashboard/trend/")
    assert page.status_code == 200 and "chart-trend" in page.content.decode()
    maria = host_client("localhost", rolled.maria)
    assert maria.get(f"/dashboard/trend/?municipality={rolled.south.pk}").status_code == 403
