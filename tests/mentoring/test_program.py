"""The personalised program: 3 months to a year, plan, the five meetings, completion and report."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from docx import Document

from tenants.mentoring.documents import report_docx
from tenants.mentoring.models import Form, Kind, PairStatus
from tenants.mentoring.services import (
    meeting_cancel,
    meeting_held,
    meeting_log,
    order_draft,
    order_sign,
    pair_create,
    plan_item_add,
    plan_item_done,
    program_complete,
    program_save,
    progress,
)
from tests.mentoring.conftest import TODAY, YEAR, open_final_wave, person, pupil


def _approved_pair():  # type: ignore[no-untyped-def]
    pair = pair_create(mentor=person(capacity=2), mentees=[pupil(), pupil()], form=Form.objects.get(code="teacher_pupil"),
                       kind=Kind.GROUP, starts_on=TODAY, ends_on=None, academic_year=YEAR, user=None, today=TODAY)  # fmt: skip
    order_sign(order=order_draft(pairs=[pair], user=None, curator_name="", director_name=""), number="7",
               signed_on=TODAY, user=None, today=TODAY)  # fmt: skip
    return pair


def test_a_program_lasts_three_months_to_a_year(in_alpha):
    pair = _approved_pair()
    for days in (60, 400):
        with pytest.raises(ValidationError, match="от 3 месяцев до 1 года"):
            program_save(pair=pair, goals="x", expected_results="", starts_on=TODAY,
                         ends_on=TODAY + dt.timedelta(days=days), user=None)  # fmt: skip
    assert program_save(pair=pair, goals="x", expected_results="", starts_on=TODAY,
                        ends_on=TODAY + dt.timedelta(days=180), user=None).months > 5  # fmt: skip


def test_meetings_follow_the_rules_and_the_program_completes_with_a_report(in_alpha):
    pair = _approved_pair()
    mentees = list(pair.mentees.all())
    program = program_save(pair=pair, goals="Успеваемость по алгебре", expected_results="Отметки не ниже 4",
                           starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=150), user=None)  # fmt: skip
    item = plan_item_add(
        program=program, title="Диагностика", planned_on=TODAY + dt.timedelta(days=7)
    )
    with pytest.raises(ValidationError, match="вне сроков программы"):
        plan_item_add(program=program, title="Поздно", planned_on=TODAY + dt.timedelta(days=400))
    plan_item_done(item=item, done_on=TODAY)
    ahead = meeting_log(program=program, kind="organizational", held_on=TODAY + dt.timedelta(days=1),
                        meeting_format="in_person", notes="", attendees=[], user=None, today=TODAY)  # fmt: skip
    assert ahead.is_planned  # a date ahead plans the meeting; cancelled, it goes
    meeting_cancel(meeting=ahead, user=None)
    with pytest.raises(ValidationError, match="только участников этой пары"):
        meeting_log(program=program, kind="organizational", held_on=TODAY, meeting_format="in_person",
                    notes="", attendees=[pupil()], user=None, today=TODAY)  # fmt: skip
    for kind in ("organizational", "trial", "planning", "regular", "regular"):
        meeting_log(program=program, kind=kind, held_on=TODAY, meeting_format="online", notes=f"{kind}",
                    attendees=mentees, user=None, today=TODAY)  # fmt: skip
    with pytest.raises(ValidationError, match="уже отмечена"):
        meeting_log(program=program, kind="planning", held_on=TODAY, meeting_format="online", notes="",
                    attendees=[], user=None, today=TODAY)  # fmt: skip
    pair.refresh_from_db()
    assert pair.status == PairStatus.ACTIVE  # the first meeting started the work
    with pytest.raises(ValidationError, match="заключительную встречу"):
        program_complete(program=program, final_report="Итоги", user=None, today=TODAY)
    meeting_log(program=program, kind="final", held_on=TODAY, meeting_format="in_person", notes="Подвели итоги",
                attendees=mentees, user=None, today=TODAY)  # fmt: skip
    with pytest.raises(ValidationError, match="Сначала проведите итоговый мониторинг"):
        program_complete(program=program, final_report="Итоги", user=None, today=TODAY)
    final = open_final_wave(program)
    program_complete(
        program=program,
        final_report="Оба наставляемых улучшили результаты.",
        user=None,
        today=TODAY,
    )
    pair.refresh_from_db()
    final.refresh_from_db()
    assert (
        pair.status == PairStatus.COMPLETED and final.closed_at is not None
    )  # completion closes it
    # 2 mentees × (own profile, the mentor's view of them, satisfaction) + the mentor's + the curator's
    assert "Итоговый мониторинг: ответили 0 из 8." in program.final_report
    assert progress(program) == {
        "plan_total": 1,
        "plan_done": 1,
        "meetings": 6,
        "planned": 0,
        "stages_done": 5,
        "stages_total": 5,
    }
    document = Document(io.BytesIO(report_docx(program=program, organization=in_alpha.alpha)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Итоговый отчёт" in text and "Оба наставляемых улучшили результаты." in text
    assert "Выполнено мероприятий плана: 1 из 1; встреч проведено: 6." in text
    assert len(document.tables[0].rows) == 1 + 6


def test_a_meeting_planned_ahead_reminds_the_pair_and_is_marked_held_later(in_alpha):
    from accounts.models import User
    from tenants.notifications.planner import plan
    from tenants.roadmap.calendar import FeedAccess, calendar_feed_for, feed_ics

    pair = _approved_pair()
    mentor_user = User.objects.create_user("mentor.meet", last_name="Встречина", first_name="Вера")
    pair.mentor.user = mentor_user
    pair.mentor.save()
    program = program_save(pair=pair, goals="Адаптация", expected_results="", starts_on=TODAY,
                           ends_on=TODAY + dt.timedelta(days=150), user=None)  # fmt: skip
    day = TODAY + dt.timedelta(days=3)
    meeting = meeting_log(program=program, kind="organizational", held_on=day, time=dt.time(15, 30),
                          meeting_format="in_person", place="каб. 21", notes="", attendees=[],
                          user=None, today=TODAY)  # fmt: skip
    assert meeting.is_planned and str(meeting) == f"организационная встреча {day:%d.%m.%Y} 15:30"
    pair.refresh_from_db()
    assert pair.status == PairStatus.APPROVED  # the work starts when it has taken place
    # The day before at the morning hour, the mentor (who has an account) is reminded.
    zone = in_alpha.alpha.zone
    now = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(10), tzinfo=zone)
    drafts = [d for d in plan(organization=in_alpha.alpha, now=now) if d.kind == "meeting"]
    assert {d.recipient_id for d in drafts} == {mentor_user.pk}
    assert (
        drafts[0].subject
        == f"Завтра встреча наставничества: организационная встреча, {day:%d.%m.%Y} в 15:30"
    )
    assert "каб. 21" in drafts[0].body
    ics = feed_ics(access=FeedAccess(feed=calendar_feed_for(user=mentor_user), whole_organization=False),
                   organization=in_alpha.alpha).decode()  # fmt: skip
    assert f"DTSTART;TZID=Europe/Moscow:{day:%Y%m%d}T153000" in ics
    with pytest.raises(ValidationError, match="её дата впереди"):
        meeting_held(meeting=meeting, attendees=[], notes="", user=None, today=TODAY)
    meeting_held(meeting=meeting, attendees=list(pair.mentees.all()), notes="Познакомились",
                 user=None, today=day)  # fmt: skip
    meeting.refresh_from_db()
    pair.refresh_from_db()
    assert not meeting.is_planned and meeting.notes == "Познакомились"
    assert pair.status == PairStatus.ACTIVE
    with pytest.raises(ValidationError, match="Состоявшуюся встречу не отменить"):
        meeting_cancel(meeting=meeting, user=None)


def test_a_program_with_its_plan_unfinished_completes_only_with_a_reason(in_alpha):
    pair = _approved_pair()
    program = program_save(pair=pair, goals="Адаптация", expected_results="", starts_on=TODAY,
                           ends_on=TODAY + dt.timedelta(days=150), user=None)  # fmt: skip
    plan_item_add(program=program, title="Открытый урок", planned_on=TODAY + dt.timedelta(days=7))
    meeting_log(program=program, kind="final", held_on=TODAY, meeting_format="in_person", notes="",
                attendees=[], user=None, today=TODAY)  # fmt: skip
    open_final_wave(program)
    with pytest.raises(ValidationError) as refused:
        program_complete(program=program, final_report="Итоги", user=None, today=TODAY)
    assert "Не выполнено мероприятий плана: 1 («Открытый урок»…)" in refused.value.messages[0]
    program_complete(program=program, final_report="Итоги", unfinished_reason="Карантин в школе",
                     user=None, today=TODAY)  # fmt: skip
    program.refresh_from_db()
    assert program.final_report.endswith(
        "Не выполнены мероприятия плана: Открытый урок.\nПричина: Карантин в школе"
    )
