"""The banks' export (XLSX and CSV): a name typed as a formula comes out as literal text."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from tenants.participants.models import BankRole, Category
from tests.conftest import host_client
from tests.participants.test_pages import _add

NAMES = ['=HYPERLINK("http://evil","x")', "@SUM(1)", "-2+3"]


def _hostile_people(world) -> None:  # type: ignore[no-untyped-def]
    for name in NAMES:
        _add(world, last_name=name, first_name="Анна", capacity=3)
    _add(world, last_name="Обычная", first_name="Вера", category=Category.PUPIL,
         bank_role=BankRole.MENTEE, competencies=[])  # fmt: skip


def test_a_participant_named_like_a_formula_exports_as_text_in_xlsx(world):
    _hostile_people(world)
    response = host_client("alpha.localhost", world.alice).get("/participants/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    surname = header.index("Фамилия")
    capacity = header.index("Наставляемых не более")
    rows = {row[surname].value: row for row in sheet.iter_rows(min_row=2)}
    for name in NAMES:
        assert rows[name][surname].data_type == "s", name  # not "f": no formula to run
    assert rows[NAMES[0]][capacity].value == 3  # numbers stay numbers


def test_a_participant_named_like_a_formula_exports_with_an_apostrophe_in_csv(world):
    _hostile_people(world)
    response = host_client("alpha.localhost", world.alice).get("/participants/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    frame = pd.read_csv(
        io.StringIO(response.content.decode("utf-8-sig")), sep=";", dtype=str,
        keep_default_na=False,
    )  # fmt: skip
    surnames = set(frame["Фамилия"])
    assert {"'" + name for name in NAMES} <= surnames
    assert "Обычная" in surnames


def test_an_exported_csv_imports_back_with_the_names_as_they_were(world):
    from tenants.participants.importing import read_table

    _hostile_people(world)
    response = host_client("alpha.localhost", world.alice).get("/participants/export.csv")
    frame = read_table(response.content, "baza.csv")
    assert set(NAMES) <= set(frame["Фамилия"])


def test_a_mentor_cannot_export_the_banks(world):
    mentor = host_client("alpha.localhost", world.bob)
    assert mentor.get("/participants/export.csv").status_code == 403
