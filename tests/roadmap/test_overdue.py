"""Overdue is computed in the organisation's own time zone, to the minute of local midnight."""

from __future__ import annotations

import datetime as dt

import pytest

from organizations.models import Organization
from tenants.roadmap.selectors import roadmap_progress, upcoming_deadlines
from tenants.roadmap.services import roadmap_create, roadmap_item_create

UTC = dt.UTC


@pytest.mark.parametrize(
    ("timezone", "last_moment_in_time", "first_moment_overdue"),
    [
        # Moscow, UTC+3: 10.09 ends at 20:59:59 UTC.
        ("Europe/Moscow", dt.datetime(2025, 9, 10, 20, 59, 59, tzinfo=UTC),
         dt.datetime(2025, 9, 10, 21, 0, 0, tzinfo=UTC)),
        # Vladivostok, UTC+10: 10.09 ends at 13:59:59 UTC.
        ("Asia/Vladivostok", dt.datetime(2025, 9, 10, 13, 59, 59, tzinfo=UTC),
         dt.datetime(2025, 9, 10, 14, 0, 0, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_an_item_due_10_september_becomes_overdue_at_local_midnight(
    in_alpha, timezone, last_moment_in_time, first_moment_overdue
):
    organization = Organization(timezone=timezone)
    roadmap = roadmap_create(organization=in_alpha.alpha, academic_year=2025, template_code="")
    item = roadmap_item_create(
        roadmap=roadmap, organization=in_alpha.alpha, user=None,
        title="Формирование базы наставляемых", deadline_text="До 10.09. ежегодно",
    )  # fmt: skip
    assert item.due_on == dt.date(2025, 9, 10)

    in_time = organization.local_today(last_moment_in_time)
    late = organization.local_today(first_moment_overdue)
    assert not item.is_overdue(in_time)
    assert item.is_overdue(late)
    assert roadmap_progress(roadmap=roadmap, today=in_time).overdue == 0
    assert roadmap_progress(roadmap=roadmap, today=late).overdue == 1
    assert upcoming_deadlines(today=in_time)[0].days_left == 0
    assert upcoming_deadlines(today=late)[0].days_left == -1


def test_done_and_cancelled_items_are_never_overdue(in_alpha):
    from tenants.roadmap.services import roadmap_item_set_status

    roadmap = roadmap_create(organization=in_alpha.alpha, academic_year=2025, template_code="")
    done = roadmap_item_create(
        roadmap=roadmap,
        organization=in_alpha.alpha,
        user=None,
        title="A",
        deadline_text="До 10.09.2025",
    )
    cancelled = roadmap_item_create(
        roadmap=roadmap,
        organization=in_alpha.alpha,
        user=None,
        title="B",
        deadline_text="До 10.09.2025",
    )
    roadmap_item_set_status(item=done, user=None, status="done", today=dt.date(2025, 9, 9))
    roadmap_item_set_status(
        item=cancelled, user=None, status="cancelled", today=dt.date(2025, 9, 9)
    )
    later = dt.date(2025, 12, 1)
    assert not done.is_overdue(later) and not cancelled.is_overdue(later)
    assert roadmap_progress(roadmap=roadmap, today=later).overdue == 0
