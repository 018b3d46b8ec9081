"""The curator's analytic report as it is signed: DOCX checked as PDF (LibreOffice)."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from tests.documents.test_pdf import pdf_text
from tests.monitoring.conftest import YEAR
from tests.monitoring.test_results import through_the_program


@pytest.mark.e2e
def test_the_analytic_report_is_assembled_and_reads_as_pdf(world, monitored, client_for, tmp_path):
    with tenant_context(world.alpha):
        through_the_program(monitored)
    alice = client_for("alpha.localhost", world.alice)
    page = alice.get(f"/monitoring/report/?year={YEAR}")
    assert "вводить не нужно" in page.content.decode()
    alice.post(f"/monitoring/report/?year={YEAR}",
               {"year": str(YEAR), "conclusions": "Программы работают", "proposals": "Расширить форму «ученик – ученик»"})  # fmt: skip
    document = alice.get(f"/monitoring/report.docx?year={YEAR}")
    assert document.status_code == 200
    text = " ".join(pdf_text(document.content, tmp_path, "analytic").split())
    assert "ИТОГОВЫЙ АНАЛИТИЧЕСКИЙ ОТЧЁТ" in text and f"{YEAR}/{YEAR + 1}" in text
    assert "Программы работают" in text and "Расширить форму" in text
    assert "Итоговый мониторинг («выход»)" in text or "итоговый мониторинг («выход»)" in text
    assert "учитель – ученик" in text
