"""The regional report (XLSX and CSV) keeps a formula-like name as text."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
from django_tenants.utils import tenant_context

from organizations.models import Municipality
from regional_dashboard import rollups
from tests.conftest import host_client

HOSTILE = '=HYPERLINK("http://evil","x")'


@pytest.fixture
def rolled(world):  # type: ignore[no-untyped-def]
    now = dt.datetime.now(dt.UTC)
    for organization in (world.alpha, world.beta):
        with tenant_context(organization):
            rollups.rollup_refresh(organization=organization, now=now)
    Municipality.objects.filter(pk=world.north.pk).update(name=HOSTILE)
    return world


def test_a_municipality_named_like_a_formula_is_text_in_the_xlsx_report(rolled):
    response = host_client("localhost", rolled.olga).get("/dashboard/report.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Организации"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2) if row[0].value == HOSTILE]
    assert cells and all(cell.data_type == "s" for cell in cells)


def test_a_municipality_named_like_a_formula_gets_an_apostrophe_in_the_csv_report(rolled):
    response = host_client("localhost", rolled.olga).get("/dashboard/report.csv")
    frame = pd.read_csv(io.StringIO(response.content.decode("utf-8-sig")), sep=";", dtype=str)
    assert "'" + HOSTILE in set(frame["Муниципалитет"])
