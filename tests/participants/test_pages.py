"""The banks as a coordinator uses them; what mentors, mentees and other schools see."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from tenants.participants.importing import COLUMNS
from tenants.participants.models import (
    BankRole,
    Category,
    Participant,
    Questionnaire,
)
from tenants.participants.services import ParticipantData, invitation_create, participant_create
from tests.conftest import host_client
from tests.participants.test_importing import GOOD_PUPIL, GOOD_TEACHER


def _year(world) -> int:
    return world.alpha.academic_year_of(world.alpha.local_today())


def _add(world, **values):  # type: ignore[no-untyped-def]
    data = {"last_name": "Орлова", "first_name": "Вера", "category": Category.TEACHER,
            "bank_role": BankRole.MENTOR, "competencies": ["ИКТ"]} | values  # fmt: skip
    with tenant_context(world.alpha):
        return participant_create(academic_year=_year(world), data=ParticipantData(**data), user=None,
                                  today=world.alpha.local_today())  # fmt: skip


def _xlsx(rows) -> bytes:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    pd.DataFrame(rows, columns=COLUMNS, dtype=object).fillna("").to_excel(buffer, index=False)
    return buffer.getvalue()


def test_coordinator_uploads_a_file_with_bad_rows_fixes_it_and_exports(world):
    client = host_client("alpha.localhost", world.alice)
    template = client.get("/participants/template.xlsx")
    assert template.status_code == 200
    assert list(pd.read_excel(io.BytesIO(template.content)).columns) == COLUMNS

    bad = [
        GOOD_PUPIL,
        {**GOOD_TEACHER, "Категория": "космонавт"},
        {**GOOD_TEACHER, "Фамилия": "Сидоров", "Дата рождения": "32.01.1980"},
    ]
    preview = client.post(
        "/participants/import/", {"file": SimpleUploadedFile("list.xlsx", _xlsx(bad))}, follow=True
    )
    page = preview.content.decode()
    assert 'С ошибками: <strong class="error-text">2</strong>' in page
    assert "«космонавт» — неизвестная категория" in page
    assert "«32.01.1980» — не дата" in page
    with tenant_context(world.alpha):
        assert Participant.objects.count() == 0

    fixed = [
        GOOD_PUPIL,
        GOOD_TEACHER,
        {**GOOD_TEACHER, "Фамилия": "Сидоров", "Дата рождения": "01.02.1980"},
    ]
    preview = client.post(
        "/participants/import/",
        {"file": SimpleUploadedFile("list.xlsx", _xlsx(fixed))},
        follow=True,
    )
    assert "Новых участников: 3, обновятся (уже есть в базе): 0." in preview.content.decode()
    job = preview.context["job"]
    done = client.post(f"/participants/import/{job.pk}/confirm/", follow=True)
    assert "Загружено: новых 3, обновлено 0." in done.content.decode()

    export = client.get("/participants/export.xlsx")
    frame = pd.read_excel(io.BytesIO(export.content), dtype=str)
    assert sorted(frame["Фамилия"]) == ["Иванова", "Петров", "Сидоров"]


def test_bank_lists_filter_by_category_reason_request_consent_and_capacity(world):
    _add(world, last_name="Белова", competencies=["ИКТ", "ОГЭ"], capacity=2)
    _add(world, last_name="Кедров", competencies=["история"], capacity=0)
    _add(world, last_name="Юнусова", category=Category.PUPIL, bank_role=BankRole.MENTEE,
         birth_date=dt.date(2012, 1, 1), class_group="7 А", reasons=["outstanding"], requests=["олимпиады"])  # fmt: skip
    client = host_client("alpha.localhost", world.alice)
    mentors = client.get("/participants/?bank=mentors").content.decode()
    assert "Белова" in mentors and "Кедров" in mentors and "Юнусова" not in mentors
    free = client.get("/participants/?bank=mentors&free=1").content.decode()
    assert "Белова" in free and "Кедров" not in free
    by_competency = client.get(
        "/participants/?bank=mentors&tag=ОГЭ", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert (
        "Белова" in by_competency and "Кедров" not in by_competency and "<html" not in by_competency
    )
    mentees = client.get(
        "/participants/?reason=outstanding&category=pupil&tag=олимп"
    ).content.decode()
    assert "Юнусова" in mentees
    missing = client.get("/participants/?consent=missing").content.decode()
    assert "Юнусова" in missing
    assert "Юнусова" not in client.get("/participants/?consent=ok").content.decode()


def test_card_adds_a_consent_with_a_scan_and_gives_the_forms_as_docx(world):
    teacher = _add(world)
    client = host_client("alpha.localhost", world.alice)
    card = client.get(f"/participants/{teacher.pk}/").content.decode()
    assert "нет согласия на обработку персональных данных" in card
    blank = client.get(f"/participants/{teacher.pk}/consents/blank.docx")
    assert blank.status_code == 200 and blank.content.startswith(b"PK")
    response = client.post(
        f"/participants/{teacher.pk}/consents/",
        {"kind": "personal_data", "signed_on": world.alpha.local_today().isoformat(), "form_version": "2025-1",
         "scan": SimpleUploadedFile("скан.pdf", b"%PDF-1.4")},
    )  # fmt: skip
    assert response.status_code == 302
    assert (
        "согласие на обработку ПДн есть"
        in client.get(f"/participants/{teacher.pk}/").content.decode()
    )
    with tenant_context(world.alpha):
        consent = teacher.consents.get()
    filled = client.get(f"/participants/{teacher.pk}/consents/{consent.pk}.docx")
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(filled.content)).paragraphs)
    assert "Я, Орлова Вера" in text and "152-ФЗ" in text
    assert (
        "даю согласие Муниципальному бюджетному общеобразовательному учреждению «Школа Альфа»"
        in text
    )


def test_withdrawal_from_the_card_leads_to_the_act(world):
    teacher = _add(world)
    client = host_client("alpha.localhost", world.alice)
    today = world.alpha.local_today()
    client.post(f"/participants/{teacher.pk}/consents/", {"kind": "personal_data", "signed_on": today.isoformat(),
                                                          "form_version": "2025-1"})  # fmt: skip
    with tenant_context(world.alpha):
        consent = teacher.consents.get()
    response = client.post(
        f"/participants/{teacher.pk}/consents/{consent.pk}/withdraw/",
        {"withdrawn_on": today.isoformat(), "reason": "заявление"}, follow=True,
    )  # fmt: skip
    page = response.content.decode()
    assert (
        "персональные данные обезличены" in page and "Акт № 1" not in page
    )  # list page shows numbers
    assert "Скачать DOCX" in page
    assert "Орлова" not in client.get("/participants/?bank=mentors").content.decode()
    assert client.get("/participants/acts/1.docx").status_code == 200
    assert client.get(f"/participants/{teacher.pk}/").status_code == 404


def test_mentor_and_mentee_see_only_their_own_card_and_other_schools_nothing(world):
    own = _add(world, last_name="Борисов", first_name="Борис")
    with tenant_context(world.alpha):
        Participant.objects.filter(pk=own.pk).update(user=world.bob)
    other = _add(world, last_name="Чужая", first_name="Карточка")
    bob = host_client("alpha.localhost", world.bob)
    assert bob.get("/participants/").status_code == 302  # to his own card
    assert bob.get(f"/participants/{own.pk}/").status_code == 200
    assert bob.get(f"/participants/{other.pk}/").status_code == 404
    assert bob.get("/participants/export.xlsx").status_code == 403
    assert bob.get("/api/v1/participants/").json()["results"][0]["id"] == own.pk
    charlie = host_client("alpha.localhost", world.charlie)
    assert charlie.get("/participants/").status_code == 403
    assert charlie.get(f"/participants/{own.pk}/").status_code == 403


def test_a_participant_answers_the_questionnaire_by_a_personal_link(world):
    mentor = _add(world, competencies=[])
    with tenant_context(world.alpha):
        questionnaire = Questionnaire.objects.get(kind="mentor")
        invitation = invitation_create(participant=mentor, questionnaire=questionnaire, user=None,
                                       today=world.alpha.local_today())  # fmt: skip
        questions = {q.profile_field: q for q in questionnaire.questions.all()}
    anonymous = host_client("alpha.localhost")
    form = anonymous.get(f"/q/{invitation.token}/")
    assert (
        form.status_code == 200
        and "Чем я могу быть полезен в качестве наставника?" in form.content.decode()
    )
    missing = anonymous.post(f"/q/{invitation.token}/", {})
    assert "Ответьте, пожалуйста, на этот вопрос." in missing.content.decode()
    answers = {
        str(questions["competencies"].pk): "ИКТ, проектная деятельность",
        str(questions["offer"].pk): "Помогу с электронным журналом",
        str(questions["capacity"].pk): "2",
        str(questions["forms"].pk): ["учитель – учитель"],
    }
    done = anonymous.post(f"/q/{invitation.token}/", answers)
    assert "Спасибо!" in done.content.decode()
    with tenant_context(world.alpha):
        mentor.refresh_from_db()
        invitation.refresh_from_db()
    assert mentor.competencies == ["ИКТ", "проектная деятельность"]
    assert (mentor.offer, mentor.capacity, mentor.forms) == (
        "Помогу с электронным журналом",
        2,
        ["teacher_teacher"],
    )
    assert invitation.answered_at is not None
    assert "уже заполнена" in anonymous.get(f"/q/{invitation.token}/").content.decode()
    assert anonymous.get("/q/wrong-token/").status_code == 404
    assert host_client("beta.localhost").get(f"/q/{invitation.token}/").status_code == 404


def test_coordinator_edits_a_question(world):
    client = host_client("alpha.localhost", world.alice)
    page = client.get("/participants/questionnaires/").content.decode()
    assert "Чем я могу быть полезен в качестве наставника?" in page
    created = client.post("/participants/questionnaires/mentee/new/",
                          {"text": "Ваш любимый предмет?", "kind": "choice", "choices": "", "profile_field": ""})  # fmt: skip
    assert "перечислите варианты" in created.content.decode()
    ok = client.post("/participants/questionnaires/mentee/new/",
                     {"text": "Ваш любимый предмет?", "kind": "choice", "choices": "математика; история",
                      "profile_field": ""})  # fmt: skip
    assert ok.status_code == 302
    with tenant_context(world.alpha):
        question = Questionnaire.objects.get(kind="mentee").questions.get(
            text="Ваш любимый предмет?"
        )
    assert question.choices == ["математика", "история"]


def test_api_lists_the_banks_and_exposes_the_pairing_check(world):
    teacher = _add(world)
    client = host_client("alpha.localhost", world.alice)
    listing = client.get("/api/v1/participants/?bank=mentors").json()
    assert [p["last_name"] for p in listing["results"]] == ["Орлова"]
    check = client.get(f"/api/v1/participants/{teacher.pk}/can-be-paired/").json()
    assert check == {"ok": False, "problems": ["нет согласия на обработку персональных данных"]}
    added = client.post(f"/api/v1/participants/{teacher.pk}/consents/",
                        {"kind": "personal_data", "signed_on": world.alpha.local_today().isoformat()},
                        content_type="application/json")  # fmt: skip
    assert added.status_code == 201, added.content
    assert client.get(f"/api/v1/participants/{teacher.pk}/can-be-paired/").json()["ok"] is True
    bad = client.post("/api/v1/participants/", {"last_name": "", "first_name": "X", "category": "pupil",
                                                "bank_role": "mentee"}, content_type="application/json")  # fmt: skip
    assert bad.status_code == 400


def test_bank_page_query_count_does_not_grow_with_rows(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = host_client("alpha.localhost", world.alice)
    for n in range(3):
        _add(world, last_name=f"Первый{n}", first_name="А", competencies=["x"])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get("/participants/?bank=mentors")
        return len(queries.captured_queries)

    count()  # warm-up: first requests load what later ones reuse
    before = count()
    for n in range(30):
        _add(world, last_name=f"Второй{n}", first_name="Б", competencies=["y"])
    assert count() == before


def test_an_external_mentors_agreement_is_recorded_with_its_scan(world):
    client = host_client("alpha.localhost", world.alice)
    response = client.post(
        "/participants/new/",
        {"last_name": "Внешний", "first_name": "Игорь", "category": "employer", "bank_role": "mentor",
         "is_external": "on", "workplace": "АО «Завод»", "agreement_number": "7-Н", "capacity": "2",
         "agreement_date": "2025-09-05", "agreement_scan": SimpleUploadedFile("договор.pdf", b"%PDF-1.4 d")},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    with tenant_context(world.alpha):
        mentor = Participant.objects.get(last_name="Внешний")
    page = client.get(f"/participants/{mentor.pk}/").content.decode()
    assert "№ 7-Н от 05.09.2025" in page
    assert client.get(f"/participants/{mentor.pk}/agreement/").status_code == 200


def test_a_number_answer_in_other_digits_is_a_russian_error_not_a_500(world):
    mentor = _add(world, competencies=[])
    with tenant_context(world.alpha):
        questionnaire = Questionnaire.objects.get(kind="mentor")
        invitation = invitation_create(participant=mentor, questionnaire=questionnaire, user=None,
                                       today=world.alpha.local_today())  # fmt: skip
        capacity = questionnaire.questions.get(profile_field="capacity")
    answered = host_client("alpha.localhost").post(
        f"/q/{invitation.token}/", {str(capacity.pk): "²"}
    )
    assert answered.status_code == 200
    assert "Нужно целое число." in answered.content.decode()


def test_a_nul_in_an_answer_or_an_invitations_kind_is_refused_not_a_500(world):
    mentor = _add(world, competencies=[])
    with tenant_context(world.alpha):
        questionnaire = Questionnaire.objects.get(kind="mentor")
        invitation = invitation_create(participant=mentor, questionnaire=questionnaire, user=None,
                                       today=world.alpha.local_today())  # fmt: skip
        offer = questionnaire.questions.get(profile_field="offer")
        competencies = questionnaire.questions.get(profile_field="competencies")
    anonymous = host_client("alpha.localhost")
    for question in (offer, competencies):
        answered = anonymous.post(f"/q/{invitation.token}/", {str(question.pk): "ИКТ\x00"})
        assert answered.status_code == 200
        assert "Ответ содержит недопустимый символ." in answered.content.decode()
    invited = host_client("alpha.localhost", world.alice).post(
        f"/participants/{mentor.pk}/invite/", {"kind": "mentor\x00"}
    )
    assert invited.status_code == 404


def test_an_anonymised_person_is_gone_from_edit_and_consent_forms(world):
    teacher = _add(world)
    with tenant_context(world.alpha):
        Participant.objects.filter(pk=teacher.pk).update(
            anonymised_at=dt.datetime(2025, 10, 1, tzinfo=dt.UTC)
        )
    client = host_client("alpha.localhost", world.alice)
    edit = client.post(f"/participants/{teacher.pk}/edit/", {
        "last_name": "Орлова", "first_name": "Вера", "category": Category.TEACHER,
        "bank_role": BankRole.MENTOR, "capacity": 1,
    })  # fmt: skip
    consent = client.post(f"/participants/{teacher.pk}/consents/", {
        "kind": "personal_data", "signed_on": "2025-10-01", "form_version": "2025-1",
    })  # fmt: skip
    assert (edit.status_code, consent.status_code) == (404, 404)
    with tenant_context(world.alpha):
        assert not Participant.objects.get(pk=teacher.pk).consents.exists()


def test_renamed_columns_are_listed_mapped_and_their_values_imported(world):
    """«Дата рожд.» and «Согласие ПДн» were imported without their values, silently."""
    client = host_client("alpha.localhost", world.alice)
    columns = [("Дата рожд." if c == "Дата рождения" else "Согласие ПДн" if c == "Согласие на обработку ПДн: дата"
                else c) for c in COLUMNS]  # fmt: skip
    rows = [{("Дата рожд." if k == "Дата рождения" else "Согласие ПДн" if k == "Согласие на обработку ПДн: дата"
              else k): v for k, v in row.items()} for row in (GOOD_PUPIL, GOOD_TEACHER)]  # fmt: skip
    buffer = io.BytesIO()
    pd.DataFrame(rows, columns=columns, dtype=object).fillna("").to_excel(buffer, index=False)
    preview = client.post("/participants/import/", {"file": SimpleUploadedFile("list.xlsx", buffer.getvalue())},
                          follow=True)  # fmt: skip
    page = preview.content.decode()
    assert "Столбцы, которых нет в шаблоне, не загружаются:</strong>" in page
    assert "«Дата рожд.», «Согласие ПДн»" in page
    # The closest template columns are offered first.
    assert '<option value="Дата рождения" selected>' in page
    assert '<option value="Согласие на обработку ПДн: дата" selected>' in page
    job = preview.context["job"]
    mapped = client.post(f"/participants/import/{job.pk}/columns/", {
        "column-0": "Дата рождения", "column-1": "Согласие на обработку ПДн: дата",
    }, follow=True)  # fmt: skip
    page = mapped.content.decode()
    assert "«Дата рожд.» → «Дата рождения»" in page and "не загружаются" not in page
    assert "Новых участников: 2" in page
    client.post(f"/participants/import/{job.pk}/confirm/")
    with tenant_context(world.alpha):
        pupil = Participant.objects.get(last_name="Иванова")
        assert pupil.birth_date == dt.date(2011, 3, 14)
        assert pupil.consents.get().signed_on == dt.date(2025, 9, 2)


def test_two_file_columns_cannot_be_mapped_onto_one(world):
    client = host_client("alpha.localhost", world.alice)
    columns = [*COLUMNS, "Дата рожд.", "Д.р."]
    columns.remove("Дата рождения")
    buffer = io.BytesIO()
    pd.DataFrame([{**GOOD_TEACHER}], columns=columns, dtype=object).fillna("").to_excel(
        buffer, index=False
    )
    job = client.post("/participants/import/", {"file": SimpleUploadedFile("list.xlsx", buffer.getvalue())},
                      follow=True).context["job"]  # fmt: skip
    page = client.post(f"/participants/import/{job.pk}/columns/",
                       {"column-0": "Дата рождения", "column-1": "Дата рождения"}, follow=True)  # fmt: skip
    assert "Один столбец шаблона выбран для двух столбцов файла." in page.content.decode()
