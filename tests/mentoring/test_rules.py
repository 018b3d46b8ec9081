"""Every rule a pair must satisfy, and the lifecycle with its history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tenants.mentoring.models import Form, Kind, Order, PairStatus
from tenants.mentoring.services import (
    check_pair,
    order_draft,
    order_sign,
    pair_create,
    pair_transition,
)
from tenants.participants.models import BankRole, Category
from tests.mentoring.conftest import TODAY, YEAR, person, pupil

START, END = dt.date(2025, 10, 1), dt.date(2026, 5, 31)


def _form(code: str) -> Form:
    return Form.objects.get(code=code)


def _check(mentor, mentees, code="teacher_pupil", kind=Kind.TRADITIONAL, **kwargs):  # type: ignore[no-untyped-def]
    return check_pair(mentor=mentor, mentees=mentees, form=_form(code), kind=kind,
                      starts_on=kwargs.get("starts_on", START), ends_on=kwargs.get("ends_on", END), today=TODAY)  # fmt: skip


def _pair(mentor, mentees, code="teacher_pupil", kind=Kind.TRADITIONAL, **kwargs):  # type: ignore[no-untyped-def]
    return pair_create(mentor=mentor, mentees=mentees, form=_form(code), kind=kind, academic_year=YEAR,
                       starts_on=kwargs.get("starts_on", START), ends_on=kwargs.get("ends_on", END),
                       user=None, today=TODAY)  # fmt: skip


def test_a_valid_pair_passes_every_rule(in_alpha):
    assert _check(person(capacity=2), [pupil()]) == []


def test_a_minor_without_a_parents_consent_cannot_be_paired(in_alpha):
    child = pupil(consent=False)
    problems = _check(person(), [child])
    assert any("нет согласия на обработку персональных данных" in p for p in problems)


def test_a_mentor_without_consent_cannot_be_paired(in_alpha):
    problems = _check(person(consent=False), [pupil()])
    assert any("(наставник): нет согласия" in p for p in problems)


def test_the_mentors_capacity_counts_mentees_in_overlapping_live_pairs(in_alpha):
    mentor = person(capacity=1)
    _pair(mentor, [pupil()])
    problems = _check(mentor, [pupil()])
    assert any("не больше 1 наставляемых, а в пересекающихся парах уже 1" in p for p in problems)
    later = _check(mentor, [pupil()], starts_on=dt.date(2026, 6, 1), ends_on=dt.date(2026, 8, 31))
    assert later == []  # no overlap, no clash


def test_the_forms_categories_decide_who_may_mentor_whom(in_alpha):
    child_mentor = person(
        category=Category.PUPIL, birth_date=dt.date(2009, 1, 1), class_group="10 А"
    )
    problems = _check(child_mentor, [pupil()], code="teacher_pupil")
    assert any("наставником не может быть обучающийся" in p for p in problems)
    assert _check(child_mentor, [pupil()], code="pupil_pupil") == []
    teacher_mentee = person(bank_role=BankRole.MENTEE, category=Category.YOUNG_SPECIALIST)
    assert any(
        "наставляемым не может быть" in p
        for p in _check(person(), [teacher_mentee], code="pupil_pupil")
    )


def test_a_mentee_cannot_be_in_two_overlapping_one_to_one_pairs(in_alpha):
    child = pupil()
    _pair(person(), [child], code="head_teacher" if False else "teacher_pupil")
    form = _form("teacher_pupil")
    form.allows_groups = False
    form.save()
    problems = _check(person(), [child])
    assert any("уже наставляемый в другой паре на те же даты" in p for p in problems)


def test_group_forms_allow_groups_and_others_need_the_group_kind(in_alpha):
    mentor = person(capacity=3)
    mentees = [pupil(), pupil(), pupil()]
    assert _check(mentor, mentees, code="teacher_pupil", kind=Kind.GROUP) == []
    head = person(capacity=3, category=Category.TEACHER)
    teachers = [
        person(bank_role=BankRole.MENTEE, category=Category.YOUNG_SPECIALIST) for _ in range(2)
    ]
    problems = _check(head, teachers, code="head_teacher")
    assert any("не предусматривает групп" in p for p in problems)


def test_an_external_mentor_needs_a_cooperation_agreement(in_alpha):
    employer = person(category=Category.EMPLOYER, is_external=True, workplace="АО «Завод»")
    problems = _check(employer, [pupil()], code="employer_pupil")
    assert any("нужен договор о сотрудничестве" in p for p in problems)
    signed = person(category=Category.EMPLOYER, is_external=True, agreement_number="3-Н",
                    agreement_date=dt.date(2025, 9, 5))  # fmt: skip
    assert _check(signed, [pupil()], code="employer_pupil") == []


def test_people_must_be_in_the_right_bank_and_dates_must_make_sense(in_alpha):
    not_a_mentor = person(bank_role=BankRole.MENTEE, category=Category.YOUNG_SPECIALIST)
    problems = _check(not_a_mentor, [pupil()], ends_on=START)
    assert "Окончание должно быть позже начала." in problems
    assert any("нет в базе наставников" in p for p in problems)


def test_the_lifecycle_goes_through_a_signed_order_and_keeps_history(in_alpha):
    pair = _pair(person(), [pupil()])
    assert pair.status == PairStatus.PROPOSED
    with pytest.raises(ValidationError, match="утверждается приказом"):
        pair_transition(pair=pair, to=PairStatus.APPROVED, user=None, today=TODAY)
    with pytest.raises(ValidationError, match="нельзя перейти"):
        pair_transition(pair=pair, to=PairStatus.COMPLETED, user=None, today=TODAY)
    order = order_draft(
        pairs=[pair],
        user=None,
        curator_name="Белова Ольга Сергеевна",
        director_name="Кравцова Ирина Николаевна",
    )
    order_sign(order=order, number="45-о", signed_on=TODAY, user=in_alpha.alice, today=TODAY)
    pair.refresh_from_db()
    assert pair.status == PairStatus.APPROVED
    pair_transition(pair=pair, to=PairStatus.ACTIVE, user=None, today=TODAY)
    with pytest.raises(ValidationError, match="Укажите причину"):
        pair_transition(pair=pair, to=PairStatus.TERMINATED, user=None, today=TODAY)
    pair_transition(
        pair=pair, to=PairStatus.TERMINATED, user=None, today=TODAY, reason="переезд наставляемого"
    )
    history = [e.summary for e in pair.events.order_by("at", "id")]
    assert history[0].startswith("Предложена пара")
    assert "Утверждена приказом № 45-о от 01.10.2025" in history
    assert history[-1] == "Статус: работает → прекращена (переезд наставляемого)"
    with pytest.raises(ValidationError, match="нельзя перейти"):
        pair_transition(pair=pair, to=PairStatus.ACTIVE, user=None, today=TODAY)


def test_an_order_takes_only_proposed_pairs_and_a_number_once(in_alpha):
    pair = _pair(person(), [pupil()])
    order = order_draft(pairs=[pair], user=None, curator_name="", director_name="")
    with pytest.raises(ValidationError, match="Дата приказа не может быть в будущем"):
        order_sign(
            order=order, number="1", signed_on=TODAY + dt.timedelta(days=1), user=None, today=TODAY
        )
    order_sign(order=order, number="1", signed_on=TODAY, user=None, today=TODAY)
    with pytest.raises(ValidationError, match="уже внесён"):
        order_sign(
            order=Order.objects.get(pk=order.pk),
            number="2",
            signed_on=TODAY,
            user=None,
            today=TODAY,
        )
    with pytest.raises(ValidationError, match="только предложенные"):
        order_draft(pairs=[pair], user=None, curator_name="", director_name="")


def test_a_withdrawn_consent_blocks_activation(in_alpha):
    from tenants.participants.services import consent_withdraw

    child = pupil()
    pair = _pair(person(), [child])
    order_sign(order=order_draft(pairs=[pair], user=None, curator_name="", director_name=""), number="2",
               signed_on=TODAY, user=None, today=TODAY)  # fmt: skip
    consent_withdraw(
        consent=child.consents.get(), user=None, on=TODAY, reason="", organization=in_alpha.alpha
    )
    pair.refresh_from_db()
    with pytest.raises(ValidationError, match="данные обезличены"):
        pair_transition(pair=pair, to=PairStatus.ACTIVE, user=None, today=TODAY)
