"""ICS calendar feeds of roadmap deadlines (icalendar), per organisation or per user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from icalendar import Calendar, Event

from accounts.models import User
from organizations.models import Organization
from tenants.roadmap.models import CalendarFeed, ItemStatus
from tenants.roadmap.selectors import calendar_items


@dataclass(frozen=True)
class CalendarEntry:
    """An all-day entry another part of the platform puts into the same ICS feeds."""

    uid: str
    summary: str
    starts_on: dt.date
    ends_on: dt.date
    description: str = ""


# Other apps (the pairs' programs and meetings) add entries: user (None: whole organisation)
# → entries.
CALENDAR_SOURCES: list[Callable[[User | None], Iterable[CalendarEntry]]] = []


def calendar_feed_for(*, user: User | None) -> CalendarFeed:
    """The user's personal feed (their items), or with None the whole organisation's."""
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed


def feed_ics(*, feed: CalendarFeed, organization: Organization) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Платформа ЦМН//Дорожная карта//RU")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Дорожная карта: {organization.short_name}")
    calendar.add("x-wr-timezone", organization.timezone)
    stamp = dt.datetime.now(dt.UTC)
    for occurrence in calendar_items(user=feed.user):
        if occurrence.due_on is None:
            continue
        item = occurrence.item
        event = Event()
        event.add("uid", f"{organization.schema_name}-occurrence-{occurrence.pk}@cmn")
        event.add("dtstamp", stamp)
        # All-day events: a span from its start to its due date (DTEND is exclusive).
        start = occurrence.starts_on or occurrence.due_on
        event.add("dtstart", start)
        event.add("dtend", occurrence.due_on + dt.timedelta(days=1))
        status = ItemStatus(item.status).label
        event.add(
            "summary",
            f"Срок: {item.short_title}"
            + (
                f" ({occurrence.label})"
                if occurrence.label and occurrence.label != item.deadline_text
                else ""
            ),
        )
        event.add(
            "description",
            "\n".join(
                line
                for line in (
                    f"Сроки: {item.deadline_text}",
                    f"Ответственные: {item.responsible_text}" if item.responsible_text else "",
                    f"Статус: {status}",
                    f"Дорожная карта {item.roadmap.academic_year_label}",
                )
                if line
            ),
        )
        if item.status == ItemStatus.DONE:
            event.add("status", "CONFIRMED")
        elif item.status == ItemStatus.CANCELLED:
            event.add("status", "CANCELLED")
        calendar.add_component(event)
    for source in CALENDAR_SOURCES:
        for entry in source(feed.user):
            event = Event()
            event.add("uid", f"{organization.schema_name}-{entry.uid}@cmn")
            event.add("dtstamp", stamp)
            event.add("dtstart", entry.starts_on)
            event.add("dtend", entry.ends_on + dt.timedelta(days=1))
            event.add("summary", entry.summary)
            if entry.description:
                event.add("description", entry.description)
            calendar.add_component(event)
    return calendar.to_ical()
