"""Every generated document as the person who signs it sees it: converted to PDF by LibreOffice
headless (Debian's package, installed by `make e2e`) and checked by the text of the PDF.

Words must not break inside a table cell («Наставляе/мый»), names must be declined and filled,
and nothing a person writes by hand may come pre-filled.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django_tenants.utils import tenant_context

from accounts.models import Membership, Role, User
from tenants.mentoring.documents import agreement_docx, order_docx, report_docx
from tenants.mentoring.models import Form, Kind
from tenants.mentoring.services import (
    meeting_log,
    order_draft,
    order_sign,
    pair_create,
    program_complete,
    program_save,
)
from tenants.participants.documents import blank_consent_docx, consent_docx
from tenants.participants.models import Category, ConsentKind, DestructionAct
from tenants.participants.services import consent_withdraw
from tests.mentoring.conftest import TODAY, YEAR, open_final_wave, person, pupil

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def pdf_text(content: bytes, tmp_path: Path, name: str) -> str:
    """The DOCX converted by `soffice --headless --convert-to pdf`, its text read back."""
    from pypdf import PdfReader

    assert SOFFICE, "LibreOffice is not installed (make e2e installs it)"
    source = tmp_path / f"{name}.docx"
    source.write_bytes(content)
    subprocess.run(
        [SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = tmp_path / f"{name}.pdf"
    artifacts = Path(__file__).resolve().parents[1] / "e2e" / "artifacts"
    artifacts.mkdir(exist_ok=True)
    shutil.copy(pdf, artifacts / f"document-{name}.pdf")  # to look at
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def school(in_alpha):  # type: ignore[no-untyped-def]
    """Alpha with its address and place of issue, a director and a curator."""
    alpha = in_alpha.alpha
    alpha.address = "190000, Северная обл., г. Северный, ул. Школьная, д. 1"
    alpha.locality = "г. Северный"
    alpha.save(update_fields=["address", "locality"])
    director = User.objects.create_user("dir.pdf", last_name="Кравцова", first_name="Ирина",
                                        patronymic="Николаевна")  # fmt: skip
    Membership.objects.create(user=director, role=Role.DIRECTOR, organization=alpha)
    return in_alpha


def test_the_order_reads_as_signed(school, tmp_path):
    mentor = person(last_name="Кузнецова", first_name="Валентина", patronymic="Викторовна",
                    position="учитель начальных классов", capacity=2)  # fmt: skip
    mentees = [pupil(last_name="Наставляемова", first_name="Александра", class_group="5 «А»"),
               pupil(last_name="Петров", first_name="Артём", patronymic="Сергеевич", class_group="5 «А»")]  # fmt: skip
    pair = pair_create(mentor=mentor, mentees=mentees, form=Form.objects.get(code="teacher_pupil"),
                       kind=Kind.GROUP, academic_year=YEAR, starts_on=TODAY, ends_on=None, user=None,
                       today=TODAY)  # fmt: skip
    order = order_draft(pairs=[pair], user=None, curator_name="", director_name="")
    order_sign(order=order, number="12-н", signed_on=TODAY, user=None, today=TODAY)
    text = pdf_text(order_docx(order=order, organization=school.alpha), tmp_path, "order")
    flat = _flat(text)
    assert "ПРИКАЗ" in text and "ПРИКАЗЫВАЮ:" in text and "№ 12-н" in flat
    assert "1 октября 2025 г." in flat and "г. Северный" in flat
    assert "Кузнецова Валентина Викторовна, учитель начальных классов" in flat
    assert "Петров Артём Сергеевич, 5 «А»" in flat
    assert "Назначить куратором реализации программ наставничества Алексееву Алису Петровну" in flat
    assert "Директор" in flat and "И.Н. Кравцова" in flat
    assert "С приказом ознакомлены" in flat
    for name in (
        "Алексеева Алиса Петровна",
        "Кузнецова Валентина Викторовна",
        "Петров Артём Сергеевич",
    ):
        assert name in flat
    # No word broken inside a table cell: in the table's part of the PDF each comes out whole.
    table = text.split("согласно таблице:")[1].split("2. Наставникам")[0]
    for word in ("Наставник", "Наставляемый", "наставляемые", "наставничества", "Кузнецова", "Валентина",
                 "Викторовна", "Наставляемова", "Александра", "Сергеевич", "учитель", "группе"):  # fmt: skip
        assert word in table, f"«{word}» is broken across lines in the table:\n{table}"


def test_the_consent_of_a_parent_names_everyone_in_the_right_case(school, tmp_path):
    from tenants.participants.services import consent_add

    child = pupil(last_name="Петров", first_name="Артём", patronymic="Сергеевич", consent=False,
                  birth_date=dt.date(2012, 4, 1))  # fmt: skip
    consent = consent_add(participant=child, kind=ConsentKind.PERSONAL_DATA, signed_on=TODAY, user=None,
                          today=TODAY, representative_name="Петрова Ольга Ивановна",
                          representative_relation="mother")  # fmt: skip
    flat = _flat(
        pdf_text(consent_docx(consent=consent, organization=school.alpha), tmp_path, "consent")
    )
    assert "Я, Петрова Ольга Ивановна, паспорт серия" in flat
    assert "являясь матерью (законным представителем) Петрова Артёма Сергеевича" in flat
    assert "в соответствии со статьёй 9 Федерального закона" in flat
    assert (
        "даю согласие Муниципальному бюджетному общеобразовательному учреждению «Школа Альфа»"
        in flat
    )
    assert (
        "расположенному по адресу: 190000, Северная обл., г. Северный, ул. Школьная, д. 1" in flat
    )
    assert "зарегистрированный(ая) по адресу" in flat
    assert not re.search(r"\b(\w{3,}) \1\b", flat), "a word is repeated"
    blank = _flat(pdf_text(blank_consent_docx(participant=child, organization=school.alpha,
                                              kind=ConsentKind.PERSONAL_DATA, today=TODAY), tmp_path, "consent-blank"))  # fmt: skip
    assert "«___» ________ 20__ г." in blank and "1 октября 2025" not in blank
    assert (
        "являясь законным представителем Петрова Артёма Сергеевича" in blank
    )  # no «(законным …)» twice


def test_the_agreement_with_an_external_mentor(school, tmp_path):
    mentor = person(category=Category.EMPLOYER, is_external=True, workplace="АО «Северный завод»",
                    agreement_number="3-Н", agreement_date=TODAY, last_name="Егоров", first_name="Игорь",
                    patronymic="Леонидович", phone="+7 900 000-00-00")  # fmt: skip
    flat = _flat(pdf_text(agreement_docx(mentor=mentor, organization=school.alpha,
                                         director_name="Кравцова Ирина Николаевна"), tmp_path, "agreement"))  # fmt: skip
    assert "в лице директора Кравцовой Ирины Николаевны, действующего на основании Устава" in flat
    assert "Реквизиты и подписи Сторон" in flat and "190000, Северная обл." in flat
    assert "+7 900 000-00-00" in flat and "И.Н. Кравцова" in flat
    assert "г.." not in flat


def test_the_destruction_act_is_dated_at_the_destruction_and_signed(school, tmp_path):
    teacher = person(last_name="Уходящева", first_name="Анна")
    earlier = TODAY - dt.timedelta(days=20)
    consent_withdraw(consent=teacher.consents.get(), user=None, on=earlier, reason="заявление",
                     organization=school.alpha)  # fmt: skip
    act = DestructionAct.objects.order_by("-number").first()
    assert act is not None and act.created_on >= school.alpha.local_today()
    with act.file.open("rb") as handle:
        flat = _flat(pdf_text(handle.read(), tmp_path, "act"))
    assert "АКТ №" in flat and "Комиссия в составе: " in flat
    assert "Кравцова Ирина Николаевна (руководитель)" in flat
    assert "Алексеева Алиса Петровна (куратор наставничества)" in flat
    assert "190000, Северная обл., г. Северный" in flat
    assert "Кравцова И. Н." in flat and "Алексеева А. П." in flat  # both signatures filled


def test_the_final_report_names_the_curator(school, tmp_path):
    pair = pair_create(mentor=person(), mentees=[pupil()], form=Form.objects.get(code="teacher_pupil"),
                       kind=Kind.TRADITIONAL, academic_year=YEAR, starts_on=TODAY, ends_on=None, user=None,
                       today=TODAY)  # fmt: skip
    order_sign(order=order_draft(pairs=[pair], user=None, curator_name="", director_name=""), number="1",
               signed_on=TODAY, user=None, today=TODAY)  # fmt: skip
    program = program_save(pair=pair, goals="Адаптация", expected_results="", starts_on=TODAY,
                           ends_on=TODAY + dt.timedelta(days=120), user=None)  # fmt: skip
    meeting_log(program=program, kind="final", held_on=TODAY, meeting_format="in_person", notes="Итоги",
                attendees=[], user=None, today=TODAY)  # fmt: skip
    open_final_wave(program)
    program_complete(program=program, final_report="Цели достигнуты", user=None, today=TODAY)
    with tenant_context(school.alpha):
        flat = _flat(
            pdf_text(report_docx(program=program, organization=school.alpha), tmp_path, "report")
        )
    assert "Итоговый отчёт" in flat and "Цели достигнуты" in flat
    assert "Куратор ______________ / А.П. Алексеева /" in flat
