"""Entry vs exit, satisfaction, outcomes typed and imported, the instruments a school adapts,
and the curator's analytic report — with no mark anywhere."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import tenant_context
from openpyxl import Workbook

from tenants.monitoring import catalogue
from tenants.monitoring.models import Instrument, Outcome, Response, Wave, WaveKind
from tenants.monitoring.selectors import pair_results, school_results
from tenants.monitoring.services import (
    instrument_adapt,
    outcomes_save,
    response_submit,
    wave_open_now,
)
from tests.monitoring.conftest import TODAY, YEAR, at


def _answer(response: Response, level: int, **open_answers: str) -> None:
    answers = {i["code"]: str(level) for i in response.instrument.items if i["kind"] == "scale"}
    response_submit(response=response, answers=answers | open_answers, user=None, now=at(TODAY))


def through_the_program(monitored) -> None:  # type: ignore[no-untyped-def]
    """The entry profile at level 1–2, then the final wave at 3 with satisfaction 4 and 3."""
    program = monitored.program
    for response in Response.objects.filter(
        wave__program=program, wave__kind="entry"
    ).select_related("instrument"):
        _answer(response, 1 if response.respondent == "mentee" else 2)
    final = Wave.objects.get(program=program, kind=WaveKind.FINAL)
    wave_open_now(
        wave=final, user=None, today=program.ends_on - dt.timedelta(days=3), now=at(TODAY)
    )
    for response in final.responses.select_related("instrument"):
        level = 4 if response.instrument.code == "satisfaction_mentee" else 3
        _answer(
            response,
            level,
            **({"sat.best": "Разговоры о профессии"} if response.respondent == "mentee" else {}),
        )


def test_the_pair_shows_entry_against_exit_and_satisfaction(world, monitored, client_for):
    with tenant_context(world.alpha):
        through_the_program(monitored)
        results = pair_results(monitored.program)
        self_view = next(v for v in results.profiles if v.respondent == "mentee")
        assert self_view.counts == {"up": 8}  # every characteristic from level 1 to 3
        assert (
            self_view.rows[0].entry_label == "проявляется редко"
            and self_view.rows[0].exit_label == "проявляется часто"
        )
        by_role = {s["respondent"]: s["index"] for s in results.satisfaction}
        assert by_role == {"наставляемый": 100, "наставник": 67}
        school = school_results(YEAR, TODAY)
        form_row = next(f for f in school.by_form if f["form"] == "учитель – ученик")
        assert (form_row["measured"], form_row["up"]) == (1, 1)
        final_rate = next(r for r in school.response_rates if r["kind"] == "final")
        assert (final_rate["invited"], final_rate["answered"], final_rate["share"]) == (5, 5, 100)
    page = (
        client_for("alpha.localhost", world.alice)
        .get(f"/monitoring/pairs/{monitored.pair.pk}/")
        .content.decode()
    )
    assert (
        "проявляется редко" in page
        and "проявляется часто" in page
        and "Разговоры о профессии" in page
    )
    # The mentor sees the comparison, not the open answers.
    mentor_page = client_for("alpha.localhost", monitored.mentor_user).get(
        f"/monitoring/pairs/{monitored.pair.pk}/"
    )
    mentor_text = mentor_page.content.decode()
    assert "проявляется часто" in mentor_text and "взгляд наставника" in mentor_text
    # Nor the mentee's self-assessment or her satisfaction (which is about the mentor too).
    assert (
        "Разговоры о профессии" not in mentor_text and "самооценка наставляемого" not in mentor_text
    )
    assert "из 100" not in mentor_text
    # Reading a minor's monitoring is in the access log.
    with tenant_context(world.alpha):
        from tenants.participants.models import MinorDataAccess

        assert MinorDataAccess.objects.filter(kind="monitoring").count() == 2


def test_outcomes_typed_with_their_problems_named_and_nothing_half_written(world, monitored):
    with tenant_context(world.alpha):
        program, mentee = monitored.program, monitored.mentee
        with pytest.raises(ValidationError) as refused:
            outcomes_save(program=program, mentee=mentee, stage="entry",
                          values={"avg_grade": "4,1", "exam": "120", "olympiads": "два"}, today=TODAY, user=None)  # fmt: skip
        messages = " ".join(refused.value.messages)
        assert (
            "ВПР / ОГЭ / ЕГЭ" in messages
            and "от 0 до 100" in messages
            and "нужно число" in messages
        )
        assert not Outcome.objects.exists()
        outcomes_save(program=program, mentee=mentee, stage="entry", values={"avg_grade": "3,6", "olympiads": "0"}, today=TODAY, user=None)  # fmt: skip
        outcomes_save(program=program, mentee=mentee, stage="exit", values={"avg_grade": "4,2", "olympiads": "2"}, today=TODAY, user=None)  # fmt: skip
        rows = {r.title: r for r in pair_results(program).outcomes[mentee.pk]}
        assert (
            rows["Средний балл (успеваемость)"].entry,
            rows["Средний балл (успеваемость)"].exit,
        ) == ("3,60", "4,20")
        assert rows["Средний балл (успеваемость)"].direction == "up"
        dynamics = {o["code"]: o for o in school_results(YEAR, TODAY).outcomes}
        assert dynamics["avg_grade"]["up"] == 1 and dynamics["olympiads"]["up"] == 1


def _journal(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["ФИО", "Класс", "Средний балл", "Олимпиады и конкурсы", "Курсы ПК"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_outcomes_imported_from_the_journal_preview_then_confirm(world, monitored, client_for):
    alice = client_for("alpha.localhost", world.alice)
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = _journal([
        ["Ученикова Уля Ивановна", "7А", "4,4", "3", ""],
        ["Неизвестная Ната", "7Б", "4", "1", ""],
        ["Ученикова Уля", "7А", "6", "1", ""],
        ["Ученикова Уля Ивановна", "7А", "", "", "2"],
    ])  # fmt: skip
    answer = alice.post(
        f"/monitoring/outcomes/import/?year={YEAR}",
        {"stage": "exit", "year": str(YEAR), "file": SimpleUploadedFile("journal.xlsx", content)},
    )
    assert answer.status_code == 302, answer.content.decode()[:500]
    preview = alice.get(answer["Location"]).content.decode()
    assert "Нет среди наставляемых программ этого учебного года" in preview
    assert "«6»: от 1 до 5." in preview
    assert "не для этой категории" in preview  # a pupil's row with a teacher's indicator
    with tenant_context(world.alpha):
        assert not Outcome.objects.exists()  # nothing before the confirmation
    confirmed = alice.post(answer["Location"] + "confirm/", follow=True)
    assert "Записано значений (на выходе): 2." in confirmed.content.decode()
    with tenant_context(world.alpha):
        stored = {o.indicator: o for o in Outcome.objects.filter(stage="exit")}
        assert set(stored) == {"avg_grade", "olympiads"} and stored["avg_grade"].imported


def test_a_school_adds_its_own_questions_the_core_stays_and_no_marks(world, monitored):
    with tenant_context(world.alpha):
        with pytest.raises(ValidationError) as refused:
            instrument_adapt(code="satisfaction_mentee", text="Как вам клуб? | 2; 3; 4; 5\nЗанятия | отлично; хорошо",
                             note="", user=None)  # fmt: skip
        problems = refused.value.messages
        assert (
            "Строка 1: «2» похоже на отметку" in problems[0]
            and "Строка 2: «отлично»" in problems[1]
        )
        for disguised in ("Учёба | 2 балла; 3 балла; 4 балла", "Учёба | 5 (отлично); 4 (хорошо); 3 (удовл.)",
                          "Учёба | не зачтено; зачтено"):  # fmt: skip
            with pytest.raises(ValidationError, match="похоже на отметку"):
                instrument_adapt(code="satisfaction_mentee", text=disguised, note="", user=None)
        with pytest.raises(ValidationError, match="нет шкалы"):
            instrument_adapt(code="satisfaction_mentee", text="Без шкалы", note="", user=None)
        adapted = instrument_adapt(code="satisfaction_mentee",
                                   text="Клуб наставников | не был(а); был(а) раз; бываю регулярно\n? Что ещё рассказать?",
                                   note="свои вопросы", user=None)  # fmt: skip
        assert adapted.version == 2
        core = catalogue.core_codes("satisfaction_mentee")
        assert [i["code"] for i in adapted.items if i["core"]] == core
        assert Instrument.objects.get(code="satisfaction_mentee", version=1).is_current is False
        # The entry wave's questionnaires keep the version they were given on.
        assert not Response.objects.filter(instrument=adapted).exists()


def test_no_built_in_scale_is_a_mark():
    words = ("отлично", "хорошо", "удовлетворительно", "неудовлетворительно", "отметк", "балл")
    for instrument in catalogue.BUILTIN:
        for item in instrument["items"]:
            for level in item["scale"]:
                assert not level.strip().isdigit() and not any(
                    level.lower().startswith(w) for w in words
                ), level


def test_the_analytic_report_is_assembled_from_the_system(world, monitored, client_for):
    from docx import Document

    with tenant_context(world.alpha):
        through_the_program(monitored)
    alice = client_for("alpha.localhost", world.alice)
    document = alice.get(f"/monitoring/report.docx?year={YEAR}")
    assert document.status_code == 200
    parsed = Document(io.BytesIO(document.content))
    cells = " ".join(
        cell.text for table in parsed.tables for row in table.rows for cell in row.cells
    )
    assert "учитель – ученик" in cells  # pairs by form, from the pairs
    assert (
        "Наставляемый" in cells or "наставляемый" in cells
    )  # the satisfaction index, from the waves
    assert "100" in cells  # her index
    text = "\n".join(p.text for p in parsed.paragraphs)
    assert "Проведено встреч" in text and "Мероприятий дорожной карты" in text


def test_the_programs_report_carries_its_entry_and_exit(world, monitored):
    from docx import Document

    from tenants.mentoring.documents import report_docx

    with tenant_context(world.alpha):
        through_the_program(monitored)
        parsed = Document(
            io.BytesIO(report_docx(program=monitored.program, organization=world.alpha))
        )
    text = "\n".join(p.text for p in parsed.paragraphs)
    assert (
        "Мониторинг (отметки не выставляются): входная диагностика («вход») — ответили 2 из 2"
        in text
    )
    assert "Удовлетворённость (итоговый): наставляемый: 100 из 100" in text
    rows = [[c.text for c in row.cells] for row in parsed.tables[1].rows]
    assert ["Ученикова У.И. (самооценка наставляемого)", "Интерес и мотивация к учёбе", "проявляется редко", "проявляется часто"] in rows  # fmt: skip
