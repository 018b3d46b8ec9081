"""Programs' planned events and held meetings in the ICS feeds of the roadmap: titles and dates
only (meeting notes, places and the mentor's name stay on the programme page); a meeting
planned at a time is a timed event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from tenants.mentoring.models import Meeting, PlanItem
from tenants.roadmap.calendar import CalendarEntry


def program_entries(user: User | None) -> Iterator[CalendarEntry]:
    mine = Q()
    if user is not None:
        mine = Q(program__pair__mentor__user=user) | Q(program__pair__mentees__user=user)
    for item in PlanItem.objects.filter(mine).distinct():
        yield CalendarEntry(
            uid=f"plan-{item.pk}",
            summary=f"Наставничество: {item.title}",
            starts_on=item.planned_on,
            ends_on=item.planned_on,
        )
    zone = timezone.get_current_timezone()  # the organisation's (its host activates it)
    for meeting in Meeting.objects.filter(mine).distinct():
        yield CalendarEntry(
            uid=f"meeting-{meeting.pk}",
            summary=f"Встреча наставника: {meeting.get_kind_display()}",
            starts_on=meeting.held_on,
            ends_on=meeting.held_on,
            starts_at=(
                dt.datetime.combine(meeting.held_on, meeting.time, tzinfo=zone)
                if meeting.time
                else None
            ),
        )
