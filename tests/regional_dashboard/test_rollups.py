"""Rollups: figures equal to counts made directly in the tenant schemas; marked dirty in the
transaction of a tenant change (once per transaction), consumed by the refresh that saw it; no names in any row."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from organizations.models import Organization
from regional_dashboard import rollups
from regional_dashboard.models import DirtyMark, OrganizationRollup, RollupStep
from tests.conftest import host_client

# The demo is made for the current academic year.
NOW = dt.datetime.now(dt.UTC).replace(hour=9, minute=0, second=0, microsecond=0)


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    call_command("load_demo")
    DirtyMark.objects.all().delete()  # what loading marked is not this test's
    return list(Organization.objects.filter(municipality__region__code="99").order_by("slug"))


def _direct(organization: Organization) -> dict[str, int]:
    """The same figures, counted plainly in the schema (no code shared with rollups.py)."""
    from tenants.mentoring.models import Meeting, Pair, Program
    from tenants.participants.models import Participant
    from tenants.roadmap.models import RoadmapItem

    today = organization.local_today(NOW)
    year = organization.academic_year_of(today)
    items = RoadmapItem.objects.filter(roadmap__academic_year=year, is_stage=False).exclude(
        status="cancelled"
    )
    people = Participant.objects.filter(academic_year=year, anonymised_at__isnull=True)
    counted = ["approved", "active", "completed"]
    in_pairs = Participant.objects.filter(
        Q(mentoring_pairs__academic_year=year, mentoring_pairs__status__in=counted)
        | Q(mentee_pairs__academic_year=year, mentee_pairs__status__in=counted)
    ).distinct()
    return {
        "academic_year": year,
        "items_total": items.count(),
        "items_done": items.filter(status="done").count(),
        "items_overdue": items.filter(
            status__in=["planned", "in_progress"], due_on__lt=today
        ).count(),
        "mentors": people.filter(bank_role__in=["mentor", "both"]).count(),
        "mentees": people.filter(bank_role__in=["mentee", "both"]).count(),
        "pairs_total": Pair.objects.filter(academic_year=year).count(),
        "pairs_active": Pair.objects.filter(academic_year=year, status="active").count(),
        "groups": Pair.objects.filter(academic_year=year, kind="group").count(),
        "meetings_held": Meeting.objects.filter(program__pair__academic_year=year).count(),
        "programs_completed": Program.objects.filter(
            pair__academic_year=year, completed_on__isnull=False
        ).count(),
        "pupils_involved": in_pairs.filter(category__in=["pupil", "student"]).count(),
        "teachers_involved": in_pairs.filter(
            category__in=["teacher", "young_specialist", "veteran"]
        ).count(),
    }


def test_rollup_figures_equal_direct_counts_for_the_demo_region(demo):
    assert len(demo) == 5
    seen_pairs = 0
    for organization in demo:
        with tenant_context(organization):
            expected = _direct(organization)
            row = rollups.rollup_refresh(organization=organization, now=NOW)
        stored = OrganizationRollup.objects.get(pk=row.pk) if row.pk else None
        stored = stored or OrganizationRollup.objects.get(
            organization=organization, academic_year=expected["academic_year"]
        )
        actual = {name: getattr(stored, name) for name in expected}
        assert actual == expected, organization.slug
        assert stored.items_total == sum(s["total"] for s in stored.stages)
        assert stored.items_overdue == sum(s["overdue"] for s in stored.stages)
        assert stored.pairs_total == sum(stored.breakdown.get("pairs_by_form", {}).values())
        assert stored.mentors == sum(stored.breakdown["mentors_by_category"].values())
        assert (stored.pupils_count, stored.teachers_count) == (
            organization.pupils_count,
            organization.teachers_count,
        )
        seen_pairs += stored.pairs_total
    # The demo has pairs, overdue items and consents to check: the comparison is not of zeros.
    assert seen_pairs > 0
    assert OrganizationRollup.objects.filter(items_overdue__gt=0).exists()
    assert OrganizationRollup.objects.filter(mentees__gt=100).exists()


def test_a_refresh_on_the_same_day_updates_the_row_and_history_keeps_other_days(demo):
    organization = demo[0]
    with tenant_context(organization):
        rollups.rollup_refresh(organization=organization, now=NOW)
        rollups.rollup_refresh(organization=organization, now=NOW + dt.timedelta(hours=2))
        rollups.rollup_refresh(organization=organization, now=NOW + dt.timedelta(days=1))
    days = list(
        OrganizationRollup.objects.filter(organization=organization).values_list("day", flat=True)
    )
    first = organization.local_today(NOW)
    assert sorted(days) == [first, first + dt.timedelta(days=1)]


def test_the_newest_row_of_the_year_is_the_latest_and_its_steps_are_rows(demo):
    organization = demo[0]
    first = organization.local_today(NOW)
    with tenant_context(organization):
        rollups.rollup_refresh(organization=organization, now=NOW + dt.timedelta(days=1))
        rollups.rollup_refresh(organization=organization, now=NOW)  # a late refresh of a past day
        rollups.rollup_refresh(organization=organization, now=NOW + dt.timedelta(days=2))
    rows = OrganizationRollup.objects.filter(organization=organization)
    latest = rows.get(is_latest=True)  # exactly one
    assert latest.day == first + dt.timedelta(days=2) == max(r.day for r in rows)
    steps = list(
        RollupStep.objects.filter(organization=organization, academic_year=latest.academic_year)
        .order_by("position")
        .values("code", "position", "total", "done", "on_time", "overdue")
    )
    assert steps and steps == sorted(latest.stages, key=lambda s: s["position"])
    # Another organisation's refresh leaves this one's latest row and steps alone.
    with tenant_context(demo[1]):
        rollups.rollup_refresh(organization=demo[1], now=NOW)
    assert rows.get(is_latest=True).pk == latest.pk
    assert RollupStep.objects.filter(organization=organization).count() == len(steps)


def test_region_breakdowns_and_steps_sum_the_latest_rows(demo):
    """The region's sums come from the latest rows' steps and counts kept as rows: they equal
    the sums of the latest rows' own records, with small cells suppressed."""
    from accounts.models import User
    from regional_dashboard.dashboard import BREAKDOWNS, dashboard_scope, select, stage_totals
    from regional_dashboard.publication import publish_due

    with tenant_context(demo[0]):  # a second day: the first one is history now
        rollups.rollup_refresh(organization=demo[0], now=NOW + dt.timedelta(days=1))
    publish_due()
    latest = list(OrganizationRollup.objects.filter(is_latest=True))
    assert sorted(row.organization_id for row in latest) == sorted(o.pk for o in demo)
    counts: dict[str, Counter[str]] = {name: Counter() for name in BREAKDOWNS}
    steps: dict[str, Counter[str]] = {}
    for row in latest:
        for name, by_label in row.breakdown.items():
            counts[name].update(by_label)
        for step in row.stages:
            steps.setdefault(step["code"], Counter()).update(
                {k: step[k] for k in ("done", "on_time", "overdue")}
            )
    assert sum(map(len, counts.values())) and steps  # the comparison is not of empty sets
    admin = User.objects.get(username="admin")
    summary = host_client("localhost", admin).get("/api/v1/monitoring/summary/").json()
    for name, true in counts.items():  # each label as counted, or withheld (and every small one)
        shown = summary["breakdowns"][name]
        assert set(shown) == {label for label, n in true.items() if n} | {
            label for label, n in shown.items() if n is None
        }
        assert all(shown[label] in (None, n) for label, n in true.items() if n)
        assert all(shown[label] is None for label, n in true.items() if 0 < n < 5)
    selection = select(scope=dashboard_scope(user=admin), params={})  # type: ignore[arg-type]
    assert {s["code"]: Counter({k: s[k] for k in ("done", "on_time", "overdue")})
            for s in stage_totals(selection)} == steps  # fmt: skip


def test_no_personal_data_in_any_rollup(demo):
    from tenants.participants.models import Participant

    names: set[str] = set()
    for organization in demo:
        with tenant_context(organization):
            rollups.rollup_refresh(organization=organization, now=NOW)
            for last, first in Participant.objects.values_list("last_name", "first_name"):
                names.update({last, first})
    text = json.dumps(
        list(OrganizationRollup.objects.values()), ensure_ascii=False, default=str
    ).lower()
    found = sorted(n for n in names if len(n) > 3 and n.lower() in text)
    assert names and not found, found


def _marks(schema: str = "alpha") -> int:
    return DirtyMark.objects.filter(schema_name=schema).count()


def test_a_tenant_change_marks_the_organisation_once_per_transaction_within_it(world):
    from tenants.roadmap.models import RoadmapItem

    DirtyMark.objects.all().delete()
    with schema_context(world.alpha.schema_name), transaction.atomic():
        for item in RoadmapItem.objects.filter(is_stage=False)[:3]:
            item.comment = "проверено"
            item.save()
        assert _marks() == 1  # written with the change, not after it
    assert rollups.dirty_schemas() == ["alpha"]


def test_a_rolled_back_change_leaves_no_mark_and_a_savepoint_takes_its_own(world):
    from tenants.roadmap.models import RoadmapItem

    DirtyMark.objects.all().delete()
    with schema_context(world.alpha.schema_name):
        with pytest.raises(RuntimeError), transaction.atomic():
            RoadmapItem.objects.filter(is_stage=False).first().save()
            raise RuntimeError
        assert _marks() == 0
        with transaction.atomic():
            with pytest.raises(RuntimeError), transaction.atomic():
                RoadmapItem.objects.filter(is_stage=False).first().save()
                raise RuntimeError
            RoadmapItem.objects.filter(is_stage=False).first().save()  # marks again
        assert _marks() == 1


def test_reminder_deliveries_do_not_mark_the_organisation(world):
    from tenants.notifications.models import InboxMessage

    DirtyMark.objects.all().delete()
    with schema_context(world.alpha.schema_name):
        InboxMessage.objects.create(user=world.alice, title="Напоминание", body="…")
    assert rollups.dirty_schemas() == []


def test_a_write_request_on_an_organisation_host_marks_it(world):
    DirtyMark.objects.all().delete()
    client = host_client("alpha.localhost", world.alice)
    client.get("/roadmap/")
    assert rollups.dirty_schemas() == []  # reading changes nothing
    client.post("/notifications/read/")
    assert "alpha" in rollups.dirty_schemas()


def test_the_flush_sends_each_marked_organisation_once_and_again_only_if_its_refresh_is_lost(
    world, monkeypatch, settings
):
    from tasks import rollups as rollup_tasks

    sent: list[str] = []
    monkeypatch.setattr(rollup_tasks, "send_to_tenant", lambda task, schema: sent.append(schema))
    DirtyMark.objects.all().delete()
    for schema in ["alpha", "beta", "alpha", "no-such-organisation"]:
        rollups.mark_dirty(schema)
    assert rollup_tasks.flush() == 2
    assert sorted(sent) == ["alpha", "beta"]
    assert not DirtyMark.objects.filter(schema_name="no-such-organisation").exists()
    assert rollup_tasks.flush() == 0  # sent, not yet consumed: not sent again ...
    later = timezone.now() + dt.timedelta(seconds=settings.ROLLUP_REQUEUE_SECONDS + 1)
    sent.clear()
    assert rollups.queue_dirty(sent.append, now=later) == ["alpha", "beta"]  # ... unless lost
    sent.clear()
    assert rollup_tasks.refresh_all() == Organization.objects.filter(is_active=True).count()


def test_a_flush_that_cannot_reach_the_broker_keeps_every_mark_for_the_next(world):
    DirtyMark.objects.all().delete()
    rollups.mark_dirty("alpha")
    rollups.mark_dirty("beta")
    sent: list[str] = []

    def broker_down_after_one(schema: str) -> None:
        if sent:
            raise ConnectionError("Redis is down")
        sent.append(schema)

    with pytest.raises(ConnectionError):
        rollups.queue_dirty(broker_down_after_one)
    assert DirtyMark.objects.filter(queued_at__isnull=True).get().schema_name == "beta"
    assert rollups.queue_dirty(sent.append) == ["beta"]  # the broker is back
    assert rollups.dirty_schemas() == ["alpha", "beta"]  # sent is not consumed


def test_a_refresh_consumes_the_marks_it_saw_and_a_failed_one_keeps_them(world, monkeypatch):
    DirtyMark.objects.all().delete()
    rollups.mark_dirty("alpha")
    rollups.mark_dirty("beta")

    def database_blip(**_: object) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    with monkeypatch.context() as patched:
        patched.setattr(rollups, "rollup_compute", database_blip)
        with pytest.raises(OperationalError), tenant_context(world.alpha):
            rollups.rollup_refresh(organization=world.alpha)
    assert rollups.dirty_schemas() == ["alpha", "beta"]
    with tenant_context(world.alpha):
        rollups.rollup_refresh(organization=world.alpha)
    assert rollups.dirty_schemas() == ["beta"]


def test_a_mark_committed_while_a_refresh_runs_is_left_for_the_next(world, monkeypatch):
    DirtyMark.objects.all().delete()
    rollups.mark_dirty("alpha")
    compute = rollups.rollup_compute

    def compute_then_a_change_arrives(**kwargs: object) -> object:
        figures = compute(**kwargs)
        rollups.mark_dirty("alpha")  # after the refresh read its marks
        return figures

    monkeypatch.setattr(rollups, "rollup_compute", compute_then_a_change_arrives)
    with tenant_context(world.alpha):
        rollups.rollup_refresh(organization=world.alpha)
    assert _marks() == 1
