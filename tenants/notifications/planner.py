"""Which reminders are due now in one organisation, and their natural Russian texts.

Deterministic: the same organisation, data and moment give the same drafts with the same keys,
so planning twice (two beats, a re-delivered task, a sweep after a crash) adds nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from accounts.models import Membership, Role, User
from core.russian import plural_ru
from organizations.models import Organization
from tenants.notifications.models import Channel, ReminderSettings
from tenants.roadmap.importing import split_people
from tenants.roadmap.models import OPEN_STATUSES, RoadmapItem

CATCH_UP_DAYS = 2  # a reminder missed by this much (the system was down) still goes out


@dataclass(frozen=True)
class Draft:
    key: str
    kind: str
    recipient_id: int
    channel: str
    subject: str
    body: str
    url: str
    send_after: dt.datetime


def _days(n: int) -> str:
    return f"{n} {plural_ru(n, 'день', 'дня', 'дней')}"


def reminder_text(*, title: str, due: dt.date, offset: int, responsible: str) -> tuple[str, str]:
    """offset > 0: days before; 0: the day itself; < 0: days overdue."""
    if offset > 0:
        head = f"Через {_days(offset)} срок"
    elif offset == 0:
        head = "Сегодня срок"
    else:
        head = f"Просрочено на {_days(-offset)}"
    subject = f"{head}: {title}"
    # The body adds to the subject (it is shown under it), never repeats it.
    body = f"Срок — до {due:%d.%m.%Y}." if offset >= 0 else f"Срок был {due:%d.%m.%Y}."
    if responsible:
        body += f" Ответственный: {responsible}."
    return subject[:300], body


def _moment(day: dt.date, hour: int, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zone)


def _channels(user: User, preferences: Mapping[int, object]) -> list[str]:
    channels: list[str] = [Channel.INBOX]
    preference = preferences.get(user.pk)
    email_on = getattr(preference, "email_enabled", True)
    if email_on and user.email:
        channels.append(Channel.EMAIL)
    if getattr(preference, "messenger_enabled", False) and getattr(
        preference, "messenger_chat", ""
    ):
        channels.append(Channel.MESSENGER)
    return channels


@dataclass
class Planned:
    drafts: list[Draft]
    overdue_items: int  # open roadmap items past their date: the municipality's weekly figure
    morning_hour: int  # the organisation's hour for reminders (the agenda's next moment)


def plan(
    *, organization: Organization, now: dt.datetime, only_items: list[int] | None = None
) -> list[Draft]:
    """Every reminder whose moment has come (within the catch-up window) for open items."""
    return plan_run(organization=organization, now=now, only_items=only_items).drafts


def plan_run(
    *, organization: Organization, now: dt.datetime, only_items: list[int] | None = None
) -> Planned:
    """plan(), and the count of overdue items it met on the way (no second query)."""
    from messaging.models import Preference

    settings = ReminderSettings.current()
    zone = organization.zone
    today = now.astimezone(zone).date()
    memberships = list(
        Membership.objects.filter(organization_id=organization.pk).select_related("user")
    )
    coordinators = [m.user for m in memberships if m.role == Role.COORDINATOR]
    directors = [m.user for m in memberships if m.role == Role.DIRECTOR]
    users = {m.user.pk: m.user for m in memberships}
    preferences = {p.user_id: p for p in Preference.objects.filter(user_id__in=list(users))}
    drafts: list[Draft] = []

    def add(key: str, kind: str, recipients: list[User], subject: str, body: str, url: str,
            moment: dt.datetime) -> None:  # fmt: skip
        for user in recipients:
            for channel in _channels(user, preferences):
                drafts.append(
                    Draft(
                        f"{key}:{user.pk}:{channel}",
                        kind,
                        user.pk,
                        channel,
                        subject,
                        body,
                        url,
                        moment,
                    )
                )

    items = (
        RoadmapItem.objects.filter(is_stage=False, status__in=OPEN_STATUSES)
        .prefetch_related("occurrences", "responsible_users")
        .select_related("roadmap")
    )
    if only_items is not None:
        items = items.filter(pk__in=only_items)
    overdue_items = 0
    for item in items:
        overdue_items += item.due_on is not None and item.due_on < today
        recipients = list(item.responsible_users.all()) or coordinators
        responsible = ", ".join(split_people(item.responsible_text))
        url = f"/roadmap/items/{item.pk}/"
        for occurrence in item.occurrences.all():
            if occurrence.due_on is None:
                continue
            for lead in settings.lead_days:
                day = occurrence.due_on - dt.timedelta(days=lead)
                if today - dt.timedelta(days=CATCH_UP_DAYS) <= day <= today:
                    moment = _moment(day, settings.morning_hour, zone)
                    if moment <= now:
                        subject, body = reminder_text(title=item.short_title, due=occurrence.due_on, offset=lead,
                                                      responsible=responsible)  # fmt: skip
                        add(f"roadmap:{item.pk}:{occurrence.due_on}:{lead}", "reminder", recipients,
                            subject, body, url, moment)  # fmt: skip
        if item.due_on is None or item.due_on >= today:
            continue
        for days in sorted({*settings.overdue_days, settings.escalate_after_days}):
            day = item.due_on + dt.timedelta(days=days)
            if not today - dt.timedelta(days=CATCH_UP_DAYS) <= day <= today:
                continue
            moment = _moment(day, settings.morning_hour, zone)
            if moment > now:
                continue
            subject, body = reminder_text(title=item.short_title, due=item.due_on, offset=-days,
                                          responsible=responsible)  # fmt: skip
            if days in settings.overdue_days:
                add(
                    f"overdue:{item.pk}:{item.due_on}:{days}",
                    "overdue",
                    recipients,
                    subject,
                    body,
                    url,
                    moment,
                )
            if days == settings.escalate_after_days and directors:
                add(f"escalation:{item.pk}:{item.due_on}", "escalation", directors,
                    f"Эскалация. {subject}", f"{body} Пункт дорожной карты не выполнен в срок.", url, moment)  # fmt: skip
    if only_items is not None:
        return Planned(drafts, overdue_items, settings.morning_hour)
    _questionnaire_drafts(
        today=today, now=now, settings=settings, zone=zone, coordinators=coordinators, add=add
    )
    drafts.extend(_program_drafts(today=today, now=now, settings=settings, zone=zone, users=users,
                                  preferences=preferences, add=add))  # fmt: skip
    _meeting_drafts(today=today, now=now, settings=settings, zone=zone, add=add)
    from tenants.monitoring.reminders import wave_drafts

    wave_drafts(today=today, now=now, settings=settings, zone=zone, coordinators=coordinators, add=add)  # fmt: skip

    outsiders: dict[int, object] = {}

    def add_outside(key: str, kind: str, recipients: list[User], subject: str, body: str, url: str,
                    moment: dt.datetime) -> None:  # fmt: skip
        """People who are no members (a ЦНППМ tutor): e-mail only, the link absolute."""
        missing = [u.pk for u in recipients if u.pk not in outsiders]
        if missing:  # each outsider's preferences read once per run
            outsiders.update(dict.fromkeys(missing))
            outsiders.update({p.user_id: p for p in Preference.objects.filter(user_id__in=missing)})
        for user in recipients:
            if Channel.EMAIL in _channels(user, outsiders):
                drafts.append(Draft(f"{key}:{user.pk}:{Channel.EMAIL}", kind, user.pk, Channel.EMAIL,
                                    subject, body, url, moment))  # fmt: skip

    from tenants.routes.reminders import route_drafts

    route_drafts(organization=organization, today=today, now=now, settings=settings, zone=zone,
                 users=users, add=add, add_outside=add_outside)  # fmt: skip
    return Planned(drafts, overdue_items, settings.morning_hour)


def _questionnaire_drafts(*, today: dt.date, now: dt.datetime, settings: ReminderSettings, zone: ZoneInfo,
                          coordinators: list[User], add: object) -> None:  # fmt: skip
    """A questionnaire link about to expire unanswered: the coordinator is reminded to follow up."""
    from tenants.participants.models import Invitation

    assert callable(add)
    window = [today + dt.timedelta(days=n) for n in range(-CATCH_UP_DAYS, 4)]
    # Usually none: a look at this one table first spares the sweep the joined ones.
    due = list(Invitation.objects.filter(answered_at__isnull=True, expires_on__in=window)
               .values_list("pk", flat=True))  # fmt: skip
    if not due:
        return
    invitations = Invitation.objects.filter(pk__in=due, participant__anonymised_at__isnull=True).select_related(
        "participant", "questionnaire")  # fmt: skip
    for invitation in invitations:
        for lead in (3, 0):
            day = invitation.expires_on - dt.timedelta(days=lead)
            moment = _moment(day, settings.morning_hour, zone)
            if today - dt.timedelta(days=CATCH_UP_DAYS) <= day <= today and moment <= now:
                subject, body = reminder_text(
                    title=f"анкета «{invitation.questionnaire.title}» не заполнена ({invitation.participant.short_name})",
                    due=invitation.expires_on, offset=lead, responsible="",
                )  # fmt: skip
                add(f"questionnaire:{invitation.pk}:{lead}", "questionnaire", coordinators, subject, body,
                    f"/participants/{invitation.participant_id}/", moment)  # fmt: skip


def _program_drafts(*, today: dt.date, now: dt.datetime, settings: ReminderSettings, zone: ZoneInfo,
                    users: dict[int, User], preferences: Mapping[int, object], add: object) -> list[Draft]:  # fmt: skip
    """Planned events of mentoring programs remind their mentor (3 days before and on the day)."""
    from tenants.mentoring.models import PairStatus, PlanItem

    assert callable(add)
    window = [
        today - dt.timedelta(days=CATCH_UP_DAYS) + dt.timedelta(days=n)
        for n in range(CATCH_UP_DAYS + 4)
    ]
    due = list(PlanItem.objects.filter(done_on__isnull=True, planned_on__in=window)
               .values_list("pk", flat=True))  # fmt: skip
    if not due:
        return []
    items = PlanItem.objects.filter(
        pk__in=due,
        program__pair__status__in=[PairStatus.APPROVED, PairStatus.ACTIVE],
        program__pair__mentor__user__isnull=False,
    ).select_related("program__pair__mentor__user")  # fmt: skip
    for plan_item in items:
        mentor = plan_item.program.pair.mentor.user
        assert mentor is not None
        for lead in (3, 0):
            day = plan_item.planned_on - dt.timedelta(days=lead)
            moment = _moment(day, settings.morning_hour, zone)
            if today - dt.timedelta(days=CATCH_UP_DAYS) <= day <= today and moment <= now:
                subject, body = reminder_text(title=plan_item.title, due=plan_item.planned_on, offset=lead,
                                              responsible="")  # fmt: skip
                add(f"plan:{plan_item.pk}:{lead}", "program", [mentor], f"Программа наставничества. {subject}",
                    body, f"/pairs/{plan_item.program.pair_id}/program/", moment)  # fmt: skip
    return []


def _meeting_drafts(*, today: dt.date, now: dt.datetime, settings: ReminderSettings, zone: ZoneInfo,
                    add: object) -> None:  # fmt: skip
    """A planned meeting reminds everyone of the pair who has an account: the day before and on
    the day, with its time."""
    from tenants.mentoring.models import Meeting, PairStatus

    assert callable(add)
    window = [today + dt.timedelta(days=n) for n in range(-CATCH_UP_DAYS, 2)]
    due = list(
        Meeting.objects.filter(is_planned=True, held_on__in=window).values_list("pk", flat=True)
    )
    if not due:
        return
    meetings = (
        Meeting.objects.filter(pk__in=due, program__pair__status__in=[PairStatus.APPROVED, PairStatus.ACTIVE])
        .select_related("program__pair__mentor__user")
        .prefetch_related("program__pair__mentees__user")
    )  # fmt: skip
    for meeting in meetings:
        pair = meeting.program.pair
        people = [pair.mentor.user, *(m.user for m in pair.mentees.all())]
        recipients = [u for u in people if u is not None]
        when = f"{meeting.held_on:%d.%m.%Y}" + (f" в {meeting.time:%H:%M}" if meeting.time else "")
        for lead in (1, 0):
            day = meeting.held_on - dt.timedelta(days=lead)
            moment = _moment(day, settings.morning_hour, zone)
            if today - dt.timedelta(days=CATCH_UP_DAYS) <= day <= today and moment <= now:
                head = "Завтра" if lead else "Сегодня"
                add(f"meeting:{meeting.pk}:{meeting.held_on}:{lead}", "meeting", recipients,
                    f"{head} встреча наставничества: {meeting.get_kind_display()}, {when}",
                    f"{meeting.get_kind_display().capitalize()}: {when}, {meeting.get_format_display()}"
                    + (f", {meeting.place}" if meeting.place else "") + ".",
                    f"/pairs/{pair.pk}/program/", moment)  # fmt: skip
