"""Reminders of monitoring, through the organisation's outbox (exactly once by key): a wave
opening and closing to each respondent with an account, the late wave to the coordinator, and
the coordinator's own «Напомнить»."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from accounts.models import User
from core.russian import plural_ru
from tenants.monitoring.models import Response, Wave
from tenants.notifications.models import ReminderSettings
from tenants.participants.models import short_name_of

CATCH_UP_DAYS = 2
Add = Callable[[str, str, list[User], str, str, str, dt.datetime], None]


def answer_path(response: Response) -> str:
    return token_path(response.token)


def token_path(token: str) -> str:
    """The personal link of a questionnaire (no account needed)."""
    return f"/m/{token}/"


def _subject(response: Response, wave: Wave) -> str:
    subject = response.subject
    about = subject.short_name if subject is not None and response.respondent == "mentor" else ""
    return _subject_text(response.instrument.title, about)


def _subject_text(title: str, about: str) -> str:
    """«Мониторинг наставничества: «Анкета…» о Ивановой А.» (the mentor's view is of a mentee)."""
    return f"Мониторинг наставничества: «{title}»{f' о {about}' if about else ''}"[:300]


def _opening_body(wave: Wave) -> str:
    """The wave's opening message, the same from the morning's planner and «Открыть сейчас»."""
    return (
        f"{wave.get_kind_display().capitalize()}: ответьте, пожалуйста, до "
        f"{wave.closes_on:%d.%m.%Y}. Отметок нет, ответы видит куратор."
    )


def wave_drafts(*, today: dt.date, now: dt.datetime, settings: ReminderSettings, zone: ZoneInfo,
                coordinators: list[User], add: Add) -> None:  # fmt: skip
    """On the wave's first day, 3 days before its last and on it: each respondent with an
    account who has not answered; the day after its last day (and a week later) the
    coordinator, with the count of those who have not."""
    from django.db.models import Count, Q

    window = [today + dt.timedelta(days=n) for n in range(-CATCH_UP_DAYS - 7, 4)]
    waves = list(
        Wave.objects.filter(opened_at__isnull=False, closed_at__isnull=True,
                            program__pair__status__in=["approved", "active"])
        .filter(Q(opens_on__in=window) | Q(closes_on__in=window))
        .annotate(missing=Count("responses", filter=Q(responses__answered_at__isnull=True)))
        .filter(missing__gt=0)
    )  # fmt: skip
    if not waves:
        return

    def moment(day: dt.date) -> dt.datetime | None:
        at = dt.datetime.combine(day, dt.time(settings.morning_hour), tzinfo=zone)
        return at if today - dt.timedelta(days=CATCH_UP_DAYS) <= day <= today and at <= now else None  # fmt: skip

    by_pk = {w.pk: w for w in waves}
    # Plain values: a morning's wave is thousands of questionnaires, and only names and titles
    # are needed here.
    rows = (
        Response.objects.filter(wave__in=list(by_pk), answered_at__isnull=True,
                                participant__user__isnull=False, participant__anonymised_at__isnull=True)
        .order_by()
        .values_list("pk", "token", "wave_id", "respondent", "instrument__title", "participant__user_id",
                     "participant__user__email", "subject__last_name", "subject__first_name",
                     "subject__patronymic")
    )  # fmt: skip
    users: dict[int, User] = {}
    for pk, token, wave_id, respondent, title, user_id, email, last, first, patronymic in rows:
        wave = by_pk[wave_id]
        if user_id not in users:  # one object per respondent, not per questionnaire
            users[user_id] = User(pk=user_id, email=email)
        user = users[user_id]
        about = short_name_of(last, first, patronymic) if last and respondent == "mentor" else ""
        subject, path = _subject_text(title, about), token_path(token)
        opened = wave.opened_at.astimezone(zone).date()  # type: ignore[union-attr]
        at = moment(max(wave.opens_on, opened))
        if at is not None:
            add(f"wave-open:{pk}", "monitoring", [user], subject, _opening_body(wave), path, at)
        for lead in (3, 0):
            at = moment(wave.closes_on - dt.timedelta(days=lead))
            if at is not None and wave.closes_on - dt.timedelta(days=lead) > wave.opens_on:
                head = "Сегодня последний день" if lead == 0 else f"Осталось {lead} {plural_ru(lead, 'день', 'дня', 'дней')}"  # fmt: skip
                add(f"wave-due:{pk}:{lead}", "monitoring", [user], f"{head}. {subject}"[:300],
                    f"Анкета ждёт ответа до {wave.closes_on:%d.%m.%Y}.", path, at)  # fmt: skip
    for wave in waves:
        for days in (1, 7):
            at = moment(wave.closes_on + dt.timedelta(days=days))
            if at is None:
                continue
            n = wave.missing
            add(f"wave-late:{wave.pk}:{days}", "monitoring", coordinators,
                f"Мониторинг: не ответили {n} {plural_ru(n, 'участник', 'участника', 'участников')} — {wave.get_kind_display()}",
                f"Срок волны был {wave.closes_on:%d.%m.%Y}. Кто не ответил — на странице мониторинга пары.",
                f"/monitoring/waves/{wave.pk}/", at)  # fmt: skip


def nudge_drafts(*, wave: Wave, responses: Sequence[Response], now: dt.datetime,
                 opening: bool = False) -> tuple[list, list[int]]:  # fmt: skip
    """The coordinator's reminder now (or, `opening`, the wave's opening message, under the
    key the morning's planner would use, so it is sent once): drafts for respondents with an
    account, and their ids."""
    from messaging.models import Preference
    from tenants.notifications.planner import Draft, _channels

    users = [r.participant.user for r in responses if r.participant is not None and r.participant.user is not None]  # fmt: skip
    preferences = {
        p.user_id: p for p in Preference.objects.filter(user_id__in=[u.pk for u in users])
    }
    drafts: list[Draft] = []
    reached: list[int] = []
    from tenants.monitoring.services import _today

    day = _today(now).isoformat()  # the school's day, as «Напомнить» records it
    for response in responses:
        user = response.participant.user if response.participant is not None else None
        if user is None or response.participant.anonymised_at is not None:  # type: ignore[union-attr]
            continue
        reached.append(response.pk)
        for channel in _channels(user, preferences):
            if opening:
                key, subject = (
                    f"wave-open:{response.pk}:{user.pk}:{channel}",
                    _subject(response, wave),
                )
                body = _opening_body(wave)
            else:
                key, subject = (
                    f"wave-nudge:{response.pk}:{day}:{user.pk}:{channel}",
                    f"Напоминание куратора. {_subject(response, wave)}",
                )
                body = f"{wave.get_kind_display().capitalize()}: ответьте, пожалуйста, до {wave.closes_on:%d.%m.%Y}."
            drafts.append(Draft(key, "monitoring", user.pk, channel, subject[:300], body, answer_path(response), now))  # fmt: skip
    return drafts, reached
