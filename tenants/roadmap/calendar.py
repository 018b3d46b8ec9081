"""Personal ICS calendar feeds (icalendar): each member's roadmap deadlines and programme
events, as far as the member's roles reach at the moment the calendar program fetches them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from icalendar import Calendar, Event

from accounts.models import ORGANIZATION_MANAGER_ROLES, User
from accounts.selectors import organization_roles
from organizations.models import Organization
from tenants.roadmap.models import CalendarFeed, ItemStatus
from tenants.roadmap.selectors import calendar_items


@dataclass(frozen=True)
class CalendarEntry:
    """An all-day entry another part of the platform puts into the same ICS feeds.

    Titles and dates only: a calendar program stores and syncs what it gets (to phones, to
    other clouds), so no notes, names or other free personal text go into a feed.
    """

    uid: str
    summary: str
    starts_on: dt.date
    ends_on: dt.date
    starts_at: dt.datetime | None = None  # a timed event (a meeting at 15:00), an hour long


# Other apps (the pairs' programs and meetings) add entries: user (None: the whole
# organisation, for its director and coordinators) → entries.
CALENDAR_SOURCES: list[Callable[[User | None], Iterable[CalendarEntry]]] = []


def calendar_feed_for(*, user: User) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed


@dataclass(frozen=True)
class FeedAccess:
    feed: CalendarFeed
    whole_organization: bool  # a director or coordinator: every item, every pair's programme


def feed_for_token(*, token: str, organization: Organization) -> FeedAccess | None:
    """The feed and how far it reaches, or None: no such token, or its owner no longer has a
    role here (the membership ended, the account was switched off) — checked on every fetch."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        return None
    roles = organization_roles(user=feed.user, organization=organization)
    if not roles:
        return None
    return FeedAccess(feed=feed, whole_organization=bool(roles & ORGANIZATION_MANAGER_ROLES))


def feed_ics(*, access: FeedAccess, organization: Organization) -> bytes:
    scope = None if access.whole_organization else access.feed.user
    calendar = Calendar()
    calendar.add("prodid", "-//Платформа ЦМН//Дорожная карта//RU")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Наставничество: {organization.short_name}")
    calendar.add("x-wr-timezone", organization.timezone)
    stamp = dt.datetime.now(dt.UTC)
    for occurrence in calendar_items(user=scope):
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
        # The «ответственные» column is free text that often holds people's names: not here.
        event.add(
            "description",
            "\n".join(
                line
                for line in (
                    f"Сроки: {item.deadline_text}" if item.deadline_text else "",
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
        for entry in source(scope):
            event = Event()
            event.add("uid", f"{organization.schema_name}-{entry.uid}@cmn")
            event.add("dtstamp", stamp)
            if entry.starts_at is not None:
                event.add("dtstart", entry.starts_at)
                event.add("dtend", entry.starts_at + dt.timedelta(hours=1))
            else:
                event.add("dtstart", entry.starts_on)
                event.add("dtend", entry.ends_on + dt.timedelta(days=1))
            event.add("summary", entry.summary)
            calendar.add_component(event)
    return calendar.to_ical()
