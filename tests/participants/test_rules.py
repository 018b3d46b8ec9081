"""Who may be in the banks and with which consents: categories, reasons, minors, ОВЗ."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tenants.participants.models import (
    PUPIL_REASONS,
    TEACHER_REASONS,
    BankRole,
    Category,
    ConsentKind,
    MenteeReason,
    Relation,
)
from tenants.participants.services import (
    ParticipantData,
    can_be_paired,
    consent_add,
    consent_check,
    participant_update,
    validate_participant_data,
)
from tests.participants.conftest import TODAY, make_person


def _data(**overrides) -> ParticipantData:  # type: ignore[no-untyped-def]
    values = {"last_name": "Орлов", "first_name": "Павел", "category": Category.TEACHER,
              "bank_role": BankRole.MENTOR}  # fmt: skip
    values.update(overrides)
    return ParticipantData(**values)


@pytest.mark.parametrize("category", Category.values)
def test_every_category_may_be_in_the_banks(category):
    assert validate_participant_data(_data(category=category), today=TODAY) == {}


def test_every_reason_belongs_to_pupils_or_teachers_as_in_the_polozhenie():
    assert set(PUPIL_REASONS) | set(TEACHER_REASONS) == set(MenteeReason.values)
    assert not set(PUPIL_REASONS) & set(TEACHER_REASONS)


@pytest.mark.parametrize("reason", [r for r in PUPIL_REASONS if r != MenteeReason.DISABILITY])
def test_pupil_reasons_are_accepted_for_pupils_and_refused_for_teachers(reason):
    pupil = _data(category=Category.PUPIL, bank_role=BankRole.MENTEE, reasons=[reason])
    teacher = _data(category=Category.TEACHER, bank_role=BankRole.MENTEE, reasons=[reason])
    assert validate_participant_data(pupil, today=TODAY) == {}
    assert "4.7" in validate_participant_data(teacher, today=TODAY)["reasons"]


@pytest.mark.parametrize("reason", TEACHER_REASONS)
def test_teacher_reasons_are_accepted_for_teachers_and_refused_for_pupils(reason):
    teacher = _data(category=Category.YOUNG_SPECIALIST, bank_role=BankRole.MENTEE, reasons=[reason])
    pupil = _data(category=Category.PUPIL, bank_role=BankRole.MENTEE, reasons=[reason])
    assert validate_participant_data(teacher, today=TODAY) == {}
    assert "4.6" in validate_participant_data(pupil, today=TODAY)["reasons"]


def test_obviously_wrong_data_is_refused_in_russian():
    errors = validate_participant_data(
        _data(last_name="", birth_date=dt.date(2030, 1, 1), capacity=50, email="not-an-email"),
        today=TODAY,
    )
    assert errors == {
        "last_name": "Укажите фамилию.",
        "birth_date": "Дата рождения в будущем.",
        "capacity": "Наставляемых у одного наставника — от 0 до 30.",
        "email": "«not-an-email» — не адрес электронной почты.",
    }


def test_a_minor_needs_a_parents_consent(in_alpha):
    pupil = make_person()
    assert consent_check(participant=pupil, today=TODAY).problems == [
        "нет согласия на обработку персональных данных"
    ]
    with pytest.raises(ValidationError, match="Участнику 14 лет: согласие подписывает родитель"):
        consent_add(
            participant=pupil,
            kind=ConsentKind.PERSONAL_DATA,
            signed_on=TODAY,
            user=None,
            today=TODAY,
        )
    consent_add(
        participant=pupil, kind=ConsentKind.PERSONAL_DATA, signed_on=TODAY, user=None, today=TODAY,
        representative_name="Сидорова Ольга Павловна", representative_relation=Relation.MOTHER,
    )  # fmt: skip
    assert can_be_paired(participant=pupil, today=TODAY).ok


def test_a_pupil_without_birth_date_counts_as_a_minor(in_alpha):
    pupil = make_person(birth_date=None)
    with pytest.raises(ValidationError, match="несовершеннолетний"):
        consent_add(
            participant=pupil,
            kind=ConsentKind.PERSONAL_DATA,
            signed_on=TODAY,
            user=None,
            today=TODAY,
        )


def test_an_adult_signs_for_themselves_and_an_expired_consent_stops_pairing(in_alpha):
    teacher = make_person(
        category=Category.TEACHER,
        birth_date=dt.date(1985, 1, 1),
        class_group="",
        bank_role=BankRole.MENTOR,
    )
    consent_add(participant=teacher, kind=ConsentKind.PERSONAL_DATA, signed_on=dt.date(2025, 9, 1),
                valid_until=dt.date(2025, 9, 30), user=None, today=TODAY)  # fmt: skip
    check = can_be_paired(participant=teacher, today=TODAY)
    assert not check.ok and check.problems == [
        "срок согласия на обработку персональных данных истёк"
    ]
    assert can_be_paired(participant=teacher, today=dt.date(2025, 9, 15)).ok


def test_ovz_needs_its_own_written_consent(in_alpha):
    pupil = make_person()
    consent_add(participant=pupil, kind=ConsentKind.PERSONAL_DATA, signed_on=TODAY, user=None, today=TODAY,
                representative_name="Сидоров Игорь Петрович", representative_relation=Relation.FATHER)  # fmt: skip
    data = ParticipantData(**{f: getattr(pupil, f) for f in ParticipantData.__dataclass_fields__})
    data.reasons = [MenteeReason.DISABILITY]
    with pytest.raises(ValidationError, match="только при действующем письменном согласии"):
        participant_update(participant=pupil, data=data, user=None, today=TODAY)
    pupil.refresh_from_db()
    assert pupil.reasons == []
    consent_add(participant=pupil, kind=ConsentKind.HEALTH, signed_on=TODAY, user=None, today=TODAY,
                representative_name="Сидоров Игорь Петрович", representative_relation=Relation.FATHER)  # fmt: skip
    participant_update(participant=pupil, data=data, user=None, today=TODAY)
    pupil.refresh_from_db()
    assert pupil.reasons == [MenteeReason.DISABILITY]
    assert can_be_paired(participant=pupil, today=TODAY).ok


def test_ovz_cannot_be_stored_when_adding_a_person(in_alpha):
    with pytest.raises(ValidationError, match="сначала добавьте участника и его согласие"):
        make_person(reasons=[MenteeReason.DISABILITY])


def test_a_consent_cannot_be_signed_in_the_future_or_end_before_it_starts(in_alpha):
    teacher = make_person(category=Category.TEACHER, birth_date=dt.date(1985, 1, 1), class_group="")
    with pytest.raises(ValidationError) as error:
        consent_add(participant=teacher, kind=ConsentKind.PERSONAL_DATA, signed_on=TODAY + dt.timedelta(days=1),
                    valid_until=TODAY, user=None, today=TODAY)  # fmt: skip
    assert set(error.value.message_dict) == {"signed_on", "valid_until"}


def test_the_same_person_twice_in_a_year_is_refused(in_alpha):
    make_person()
    with pytest.raises(ValidationError, match="уже есть в базе"):
        make_person(first_name="Анна ")
