"""Withdrawal: the person leaves lists at once, the data are anonymised, an act is drawn up."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from tenants.participants.models import ConsentKind, EventKind, MenteeReason, Participant, Relation
from tenants.participants.selectors import BankFilters, bank_list
from tenants.participants.services import (
    consent_add,
    consent_check,
    consent_withdraw,
    participant_update,
)
from tests.participants.conftest import TODAY, YEAR, make_person


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _pupil_with_consents():  # type: ignore[no-untyped-def]
    pupil = make_person(requests=["математика"], phone="+7 900 000-00-00")
    scan = SimpleUploadedFile("согласие.pdf", b"%PDF scan")
    personal = consent_add(
        participant=pupil, kind=ConsentKind.PERSONAL_DATA, signed_on=TODAY, user=None, today=TODAY,
        representative_name="Сидорова Ольга Павловна", representative_relation=Relation.MOTHER, scan=scan,
    )  # fmt: skip
    return pupil, personal


def test_withdrawn_consent_removes_the_person_from_lists_and_anonymises(in_alpha):
    pupil, personal = _pupil_with_consents()
    assert pupil in bank_list(academic_year=YEAR, filters=BankFilters(), today=TODAY)
    scan_name = personal.scan.name
    storage = personal.scan.storage

    act = consent_withdraw(consent=personal, user=in_alpha.alice, on=TODAY, reason="заявление матери",
                           organization=in_alpha.alpha)  # fmt: skip

    assert list(bank_list(academic_year=YEAR, filters=BankFilters(), today=TODAY)) == []
    assert not Participant.objects.in_banks().filter(pk=pupil.pk).exists()
    pupil.refresh_from_db()
    assert pupil.last_name == f"Участник № {pupil.pk}"
    assert (pupil.first_name, pupil.patronymic, pupil.birth_date, pupil.phone) == ("", "", None, "")
    assert pupil.requests == [] and pupil.class_group == ""
    assert (pupil.category, pupil.bank_role, pupil.academic_year) == (
        "pupil",
        "mentee",
        YEAR,
    )  # counts survive
    personal.refresh_from_db()
    assert personal.representative_name == "" and personal.withdrawn_on == TODAY
    assert not storage.exists(scan_name)
    assert not consent_check(participant=pupil, today=TODAY).ok

    text = _docx_text(act.file.read())
    assert f"АКТ № {act.number}" in text
    assert "Сидорова Анна Игоревна" in text  # the act names whose data were destroyed
    assert "отзыв согласия на обработку персональных данных" in text
    assert "Получено согласие на обработку персональных данных" in text  # log extract
    assert "Персональные данные уничтожены (обезличены)" in text
    # The log keeps the kinds of what was done; its wording is anonymised, the act's entry kept.
    kinds = list(pupil.events.values_list("kind", "action"))
    assert [k for k, _ in kinds] == [EventKind.ADDED, EventKind.CONSENT_GIVEN,
                                     EventKind.CONSENT_WITHDRAWN, EventKind.DESTROYED]  # fmt: skip
    assert {a for k, a in kinds if k != EventKind.DESTROYED} == {"запись журнала обезличена"}


def test_the_same_person_can_be_added_again_after_withdrawal(in_alpha):
    pupil, personal = _pupil_with_consents()
    consent_withdraw(consent=personal, user=None, on=TODAY, reason="", organization=in_alpha.alpha)
    again = make_person()
    assert again.pk != pupil.pk


def test_withdrawing_the_health_consent_erases_only_ovz(in_alpha):
    pupil, _ = _pupil_with_consents()
    health = consent_add(
        participant=pupil, kind=ConsentKind.HEALTH, signed_on=TODAY, user=None, today=TODAY,
        representative_name="Сидорова Ольга Павловна", representative_relation=Relation.MOTHER,
    )  # fmt: skip
    from tenants.participants.services import ParticipantData

    data = ParticipantData(**{f: getattr(pupil, f) for f in ParticipantData.__dataclass_fields__})
    data.reasons = [MenteeReason.DISABILITY, MenteeReason.LOW_RESULTS]
    participant_update(participant=pupil, data=data, user=None, today=TODAY)
    assert consent_withdraw(consent=health, user=None, on=TODAY + dt.timedelta(days=1), reason="",
                            organization=in_alpha.alpha) is None  # fmt: skip
    pupil.refresh_from_db()
    assert pupil.reasons == [MenteeReason.LOW_RESULTS]
    assert pupil.last_name == "Сидорова"
    assert Participant.objects.in_banks().filter(pk=pupil.pk).exists()
