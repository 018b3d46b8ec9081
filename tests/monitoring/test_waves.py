"""Waves of a program: planned from its dates, opened on their first day (by the program's
save or the reminder sweep), answered by the personal link or in the cabinet, followed up by
reminders, and closed by the program's completion."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import tenant_context

from tenants.monitoring.models import Response, Wave, WaveKind
from tenants.monitoring.services import (
    nudge,
    response_submit,
    wave_dates_set,
    waves_open_due,
    waves_plan,
)
from tenants.notifications.models import InboxMessage, Outbox
from tenants.notifications.planner import plan
from tests.monitoring.conftest import TODAY, at


def _answers(response: Response, level: int = 2) -> dict[str, str]:
    return {
        i["code"]: str(level) if i["kind"] == "scale" else "" for i in response.instrument.items
    }


def test_waves_are_planned_from_the_program_and_the_entry_opens_on_its_first_day(world, monitored):
    with tenant_context(world.alpha):
        waves = {w.kind: w for w in Wave.objects.filter(program=monitored.program)}
        assert set(waves) == {WaveKind.ENTRY, WaveKind.INTERMEDIATE, WaveKind.FINAL}
        end = monitored.program.ends_on
        assert (waves["entry"].opens_on, waves["entry"].closes_on) == (
            TODAY,
            TODAY + dt.timedelta(days=14),
        )
        assert waves["intermediate"].opens_on == TODAY + dt.timedelta(days=75)  # the middle
        assert (waves["final"].opens_on, waves["final"].closes_on) == (
            end - dt.timedelta(days=21),
            end,
        )
        # The program starts today: its entry profile is there at once, the others wait.
        assert waves["entry"].opened_at is not None and waves["final"].opened_at is None
        entry = list(waves["entry"].responses.select_related("instrument"))
        assert sorted((r.respondent, r.instrument.code) for r in entry) == [
            ("mentee", "profile_pupil"), ("mentor", "profile_pupil")]  # fmt: skip
        assert all(r.subject_id == monitored.mentee.pk for r in entry)


def test_moving_the_program_moves_its_planned_waves_but_not_the_ones_set_by_hand(world, monitored):
    with tenant_context(world.alpha):
        program = monitored.program
        middle = Wave.objects.get(program=program, kind=WaveKind.INTERMEDIATE)
        wave_dates_set(wave=middle, opens_on=TODAY + dt.timedelta(days=60), closes_on=TODAY + dt.timedelta(days=70),
                       user=None, now=at(TODAY))  # fmt: skip
        program.ends_on = TODAY + dt.timedelta(days=200)
        program.save()
        waves = {w.kind: w for w in waves_plan(program=program)}
        assert waves["final"].closes_on == TODAY + dt.timedelta(days=200)
        assert waves["intermediate"].opens_on == TODAY + dt.timedelta(days=60)  # kept as set
        with pytest.raises(ValidationError, match="Порядок волн"):
            wave_dates_set(wave=waves["final"], opens_on=TODAY + dt.timedelta(days=30),
                           closes_on=TODAY + dt.timedelta(days=40), user=None, now=at(TODAY))  # fmt: skip
        with pytest.raises(ValidationError, match="в сроки программы"):
            wave_dates_set(wave=waves["final"], opens_on=TODAY + dt.timedelta(days=190),
                           closes_on=TODAY + dt.timedelta(days=400), user=None, now=at(TODAY))  # fmt: skip


def test_the_intermediate_wave_opens_by_the_sweep_and_reminds_respondents_with_accounts(
    world, monitored
):
    with tenant_context(world.alpha):
        middle = Wave.objects.get(program=monitored.program, kind=WaveKind.INTERMEDIATE)
        day = middle.opens_on
        assert (
            waves_open_due(today=day - dt.timedelta(days=1), now=at(day - dt.timedelta(days=1)))
            == 0
        )
        assert waves_open_due(today=day, now=at(day)) == 1
        assert waves_open_due(today=day, now=at(day)) == 0  # once
        middle.refresh_from_db()
        kinds = sorted(
            (r.respondent, r.instrument.code) for r in middle.responses.select_related("instrument")
        )
        assert kinds == [("curator", "curator"), ("mentee", "satisfaction_mentee"),
                         ("mentor", "profile_pupil"), ("mentor", "satisfaction_mentor")]  # fmt: skip
        drafts = [d for d in plan(organization=world.alpha, now=at(day)) if d.kind == "monitoring"]
        by_user = {(d.recipient_id, d.channel) for d in drafts}
        assert (monitored.mentee_user.pk, "inbox") in by_user
        assert (monitored.mentor_user.pk, "email") in by_user  # she has an e-mail address
        mentee_draft = next(d for d in drafts if d.recipient_id == monitored.mentee_user.pk)
        assert mentee_draft.url.startswith("/m/") and "Отметок нет" in mentee_draft.body
        assert plan(organization=world.alpha, now=at(day)) == plan(
            organization=world.alpha, now=at(day)
        )


def test_a_mentee_answers_by_the_personal_link_without_an_account(world, monitored, client_for):
    with tenant_context(world.alpha):
        response = Response.objects.get(wave__kind="entry", respondent="mentee")
    client = client_for("alpha.localhost")
    page = client.get(f"/m/{response.token}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "проявляется редко" in body and "отметок здесь нет" in body
    refused = client.post(f"/m/{response.token}/", {"pupil.motivation": "9"})
    assert refused.status_code == 200 and "Выберите одно из описаний" in refused.content.decode()
    with tenant_context(world.alpha):
        assert not Response.objects.get(pk=response.pk).answered_at  # nothing half-written
        answers = _answers(Response.objects.select_related("instrument").get(pk=response.pk), 2)
    answers["pupil.note"] = "Стала увереннее"
    done = client.post(f"/m/{response.token}/", answers)
    assert "Спасибо" in done.content.decode()
    again = client.post(f"/m/{response.token}/", answers)
    assert "уже заполнена" in again.content.decode()
    assert client_for("alpha.localhost").get("/m/not-a-token/").status_code == 404
    assert (
        client_for("beta.localhost").get(f"/m/{response.token}/").status_code == 404
    )  # another school


def test_the_curators_questionnaire_needs_a_manager(world, monitored, client_for):
    with tenant_context(world.alpha):
        middle = Wave.objects.get(program=monitored.program, kind=WaveKind.INTERMEDIATE)
        waves_open_due(today=middle.opens_on, now=at(middle.opens_on))
        curator = Response.objects.get(wave=middle, respondent="curator")
    assert (
        client_for("alpha.localhost").get(f"/m/{curator.token}/").status_code == 302
    )  # to the login
    assert client_for("alpha.localhost", world.bob).get(f"/m/{curator.token}/").status_code == 403
    page = client_for("alpha.localhost", world.alice).get(f"/m/{curator.token}/")
    assert page.status_code == 200 and "встреч проведено" in page.content.decode()


def test_the_coordinator_sees_who_has_not_answered_and_reminds_them(world, monitored, client_for):
    with tenant_context(world.alpha):
        entry = Wave.objects.get(program=monitored.program, kind=WaveKind.ENTRY)
        mentee_response = Response.objects.select_related("instrument").get(
            wave=entry, respondent="mentee"
        )
        response_submit(
            response=mentee_response, answers=_answers(mentee_response), user=None, now=at(TODAY)
        )
    alice = client_for("alpha.localhost", world.alice)
    page = alice.get(f"/monitoring/waves/{entry.pk}/").content.decode()
    assert "не ответили: <strong>1</strong>" in page and "Наставникова Н." in page
    assert (
        client_for("alpha.localhost", world.bob).get(f"/monitoring/waves/{entry.pk}/").status_code
        == 403
    )
    sent = alice.post(f"/monitoring/waves/{entry.pk}/action/", {"action": "nudge"}, follow=True)
    assert "Напоминание отправлено: 1." in sent.content.decode()
    with tenant_context(world.alpha):
        nudges = Outbox.objects.filter(key__startswith="wave-nudge:")
        assert {o.recipient_id for o in nudges} == {monitored.mentor_user.pk}
        assert (
            InboxMessage.objects.filter(user=monitored.mentor_user, url__startswith="/m/").count()
            == 1
        )
        # A second click the same day reaches nobody twice.
        assert nudge(wave=entry, user=None, now=at(TODAY, 11))["reached"] == 0
    # The day after the wave's last day the coordinator hears who is missing.
    late = entry.closes_on + dt.timedelta(days=1)
    with tenant_context(world.alpha):
        drafts = [
            d
            for d in plan(organization=world.alpha, now=at(late))
            if d.key.startswith("wave-late:")
        ]
    assert {d.recipient_id for d in drafts} == {world.alice.pk}
    assert "не ответили 1 участник" in drafts[0].subject


def test_the_own_page_lists_the_questionnaires_waiting(world, monitored, client_for):
    mentee = client_for("alpha.localhost", monitored.mentee_user)
    body = mentee.get("/").content.decode()
    assert "Ждут ваших ответов" in body and "Характеристики наставляемого-обучающегося" in body
    # The mentee does not see the pair's monitoring (the mentor and the curator do).
    assert mentee.get(f"/monitoring/pairs/{monitored.pair.pk}/").status_code == 403
    assert client_for("alpha.localhost", monitored.mentor_user).get(f"/monitoring/pairs/{monitored.pair.pk}/").status_code == 200  # fmt: skip


def test_an_absurd_answer_is_a_named_error_not_a_failure(world, monitored, client_for):
    with tenant_context(world.alpha):
        response = Response.objects.get(wave__kind="entry", respondent="mentee")
    page = client_for("alpha.localhost").post(
        f"/m/{response.token}/", {"pupil.motivation": "1" * 5000, "pupil.note": "\x00"}
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert "Выберите одно из описаний" in body and "недопустимый символ" in body


def test_a_terminated_pair_stops_its_monitoring(world, monitored):
    from tenants.mentoring.services import pair_transition

    with tenant_context(world.alpha):
        pair_transition(
            pair=monitored.pair, to="terminated", user=None, today=TODAY, reason="Переезд"
        )
        waves = {w.kind: w for w in Wave.objects.filter(program=monitored.program)}
        assert waves["entry"].closed_at is not None and set(waves) == {
            "entry"
        }  # unopened ones gone
        response = Response.objects.select_related("instrument").get(
            wave__kind="entry", respondent="mentee"
        )
        with pytest.raises(ValidationError, match="закрыта"):
            response_submit(response=response, answers=_answers(response), user=None, now=at(TODAY))
        later = TODAY + dt.timedelta(days=3)
        assert not [
            d for d in plan(organization=world.alpha, now=at(later)) if d.kind == "monitoring"
        ]


def test_the_coordinators_reminder_is_once_a_local_day(world, monitored):
    with tenant_context(world.alpha):
        entry = Wave.objects.get(program=monitored.program, kind=WaveKind.ENTRY)
        afternoon = dt.datetime(2025, 10, 1, 10, 0, tzinfo=dt.UTC)  # 13:00 in Moscow
        night = dt.datetime(2025, 10, 1, 22, 30, tzinfo=dt.UTC)  # 01:30 of the next Moscow day
        assert (
            nudge(wave=entry, user=None, now=afternoon)["reached"] == 2
        )  # the mentee and the mentor
        again = nudge(wave=entry, user=None, now=night)
        assert again["reached"] == 2 and again["written"] > 0  # a new day: it goes, really


def test_withdrawn_consent_takes_the_persons_questionnaires(world, monitored):
    from tenants.participants.services import participant_anonymise

    with tenant_context(world.alpha):
        mentee_response = Response.objects.select_related("instrument").get(
            wave__kind="entry", respondent="mentee"
        )
        response_submit(response=mentee_response, answers=_answers(mentee_response) | {"pupil.note": "Личное"},
                        user=None, now=at(TODAY))  # fmt: skip
        participant_anonymise(participant=monitored.mentee, user=None, on=TODAY, organization=world.alpha,
                              reason="Отзыв согласия")  # fmt: skip
        left = list(Response.objects.filter(wave__program=monitored.program))
        assert [r.respondent for r in left] == [
            "mentee"
        ]  # the mentor's view of her, unanswered, went
        assert "pupil.note" not in left[0].answers and left[0].answers  # levels stay, words go
