"""The приказ as DOCX: its table rows are the approved pairs; names in the right case."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document

from tenants.mentoring.documents import agreement_docx, order_docx
from tenants.mentoring.models import Form, Kind, PairStatus
from tenants.mentoring.services import order_draft, order_sign, pair_create
from tenants.participants.models import Category
from tests.docx_text import docx_text
from tests.mentoring.conftest import TODAY, YEAR, person, pupil


def test_the_order_table_equals_the_approved_pairs(in_alpha):
    form = Form.objects.get(code="teacher_pupil")
    group_mentor = person(
        capacity=3, last_name="Соколов", first_name="Андрей", patronymic="Викторович"
    )
    mentees = [
        pupil(last_name="Алексеев"),
        pupil(last_name="Борисова"),
        pupil(last_name="Васильев"),
    ]
    group = pair_create(mentor=group_mentor, mentees=mentees, form=form, kind=Kind.GROUP, academic_year=YEAR,
                        starts_on=dt.date(2025, 10, 1), ends_on=dt.date(2026, 5, 31), user=None, today=TODAY)  # fmt: skip
    single = pair_create(mentor=person(last_name="Орлова"), mentees=[pupil(last_name="Гусев")], form=form,
                         kind=Kind.TRADITIONAL, academic_year=YEAR, starts_on=dt.date(2025, 10, 1),
                         ends_on=None, user=None, today=TODAY)  # fmt: skip
    order = order_draft(pairs=[group, single], user=None, curator_name="Белова Ольга Сергеевна",
                        director_name="Кравцова Ирина Николаевна")  # fmt: skip
    order_sign(order=order, number="45-о", signed_on=dt.date(2025, 9, 30), user=None, today=TODAY)

    content = order_docx(order=order, organization=in_alpha.alpha)
    document = Document(io.BytesIO(content))
    text = docx_text(content)
    assert "ПРИКАЗ" in text and "№ 45-о" in text and "30 сентября 2025 г." in text
    assert "Об утверждении наставнических пар/групп" in text
    assert "Р-145" in text
    assert "Назначить куратором реализации программ наставничества Белову Ольгу Сергеевну." in text
    assert "И.Н. Кравцова" in text
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "№")
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    approved = order.pairs.filter(status=PairStatus.APPROVED).order_by("pk")
    assert len(rows) == approved.count() == 2
    for row, pair in zip(rows, approved, strict=True):
        assert row[1].startswith(pair.mentor.full_name)
        assert row[2] == "; ".join(f"{m.full_name}, {m.class_group}" for m in pair.mentees.all())
        assert row[3] == "учитель – ученик"
        assert row[5] == f"{pair.starts_on:%d.%m.%Y} – {pair.ends_on:%d.%m.%Y}"
    assert rows[0][4] == "в группе" and rows[1][4] == "традиционное (один-на-один)"


def test_a_draft_order_leaves_the_number_and_date_to_fill_in(in_alpha):
    pair = pair_create(mentor=person(), mentees=[pupil()], form=Form.objects.get(code="teacher_pupil"),
                       kind=Kind.TRADITIONAL, academic_year=YEAR, starts_on=TODAY, ends_on=None, user=None,
                       today=TODAY)  # fmt: skip
    order = order_draft(pairs=[pair], user=None, curator_name="", director_name="")
    text = docx_text(order_docx(order=order, organization=in_alpha.alpha))
    assert "№ ______" in text and "«___» ________ 20__ г." in text


def test_the_cooperation_agreement_names_the_external_mentor(in_alpha):
    mentor = person(category=Category.EMPLOYER, is_external=True, workplace="АО «Северный завод»",
                    agreement_number="3-Н", agreement_date=dt.date(2025, 9, 5), last_name="Егоров",
                    first_name="Игорь", patronymic="Леонидович")  # fmt: skip
    text = docx_text(
        agreement_docx(mentor=mentor, organization=in_alpha.alpha, director_name="Кравцова Ирина Николаевна")
    )  # fmt: skip
    assert "ДОГОВОР № 3-Н" in text and "Егоров Игорь Леонидович (АО «Северный завод»)" in text
    assert "в лице директора Кравцовой Ирины Николаевны, действующего на основании Устава" in text
    assert "г.." not in text and "Реквизиты и подписи Сторон" in text
