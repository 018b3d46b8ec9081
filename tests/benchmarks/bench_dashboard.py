"""The regional dashboard on BENCH_TENANTS organisations, each with banks, pairs and a roadmap:

- full rollup refresh: one task per organisation on a real Celery worker (2 processes);
- dashboard page and monitoring API p95 from rollups, against the naive way in the same run:
  the same figures computed by a loop over every tenant schema (measured on up to 200
  organisations and scaled to all of them), with HISTORY_DAYS of daily rows behind the latest;
- the weekly trend (loaded after the page) and the XLSX report;
- change-to-visible: an item marked done in one organisation, until the dashboard's rollup
  shows it (marked on commit → the beat's flush every ROLLUP_FLUSH_SECONDS → refresh task).
"""

from __future__ import annotations

import datetime as dt
import random
import time

from tests.benchmarks.harness import (
    SHARED_POOL,
    Figure,
    bench_organizations,
    p95,
    settle,
    start_worker,
    stop_worker,
    wait_ready,
)

QUEUE = "bench-dashboard"
NAIVE_SAMPLE = 200
SIZES = (50, 200, 1000)  # also measured on the way to BENCH_TENANTS
REQUESTS = 30
HISTORY_DAYS = 90  # from September to December


def _populate(organization, seed: int) -> None:  # type: ignore[no-untyped-def]
    """A bank of 8 mentors and 30 mentees, 8 pairs, a roadmap partly done and partly overdue."""
    from tenants.mentoring.models import Form, Kind, Pair, PairStatus
    from tenants.participants.models import BankRole, Category, Participant
    from tenants.roadmap.models import ItemStatus, RoadmapItem

    rng = random.Random(seed)
    today = organization.local_today()
    year = organization.academic_year_of(today)
    mentors = [Participant(last_name=f"Наставник{n}", first_name="Имя", category=Category.TEACHER,
                           bank_role=BankRole.MENTOR, academic_year=year, natural_key=f"m{n}", capacity=4)
               for n in range(8)]  # fmt: skip
    mentees = [Participant(last_name=f"Ученик{n}", first_name="Имя", category=Category.PUPIL,
                           bank_role=BankRole.MENTEE, academic_year=year, natural_key=f"e{n}")
               for n in range(30)]  # fmt: skip
    Participant.objects.bulk_create(mentors + mentees)
    forms = list(Form.objects.all()[:4])
    statuses = [PairStatus.PROPOSED, PairStatus.APPROVED, PairStatus.ACTIVE, PairStatus.ACTIVE]
    pairs = Pair.objects.bulk_create([
        Pair(mentor=mentor, form=rng.choice(forms), kind=rng.choice([Kind.TRADITIONAL, Kind.GROUP]),
             academic_year=year, starts_on=today, ends_on=today + dt.timedelta(days=180),
             status=rng.choice(statuses))
        for mentor in mentors
    ])  # fmt: skip
    through = Pair.mentees.through
    through.objects.bulk_create(
        [through(pair_id=pair.pk, participant_id=mentees[n * 3 + k].pk) for n, pair in enumerate(pairs) for k in range(3)]
    )  # fmt: skip
    items = list(RoadmapItem.objects.filter(is_stage=False).values_list("pk", flat=True))
    done = rng.sample(items, len(items) // 2)
    RoadmapItem.objects.filter(pk__in=done).update(status=ItemStatus.DONE)


def _history(days: int) -> None:
    """Earlier days of each organisation's rollup, as a term of nightly refreshes leaves them:
    the pages must find the latest rows among them. Then vacuumed and analysed, as autovacuum
    keeps them."""
    from django.db import connection

    from regional_dashboard.models import OrganizationRollup, RollupCount, RollupStep

    table = OrganizationRollup._meta.db_table
    copied = [f.column for f in OrganizationRollup._meta.concrete_fields
              if f.column not in ("id", "day", "computed_at", "is_latest")]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table} ({", ".join(copied)}, day, computed_at, is_latest)
                SELECT {", ".join(copied)}, day - d, computed_at - d * interval '1 day', false
                FROM {table} CROSS JOIN generate_series(1, %s) AS d WHERE is_latest""",
            [days],
        )
        for model in (OrganizationRollup, RollupStep, RollupCount):
            # Autovacuum would do it over the term, not in the middle of a timed request.
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def run(n_tenants: int) -> list[Figure]:
    from django.test import Client
    from django_tenants.utils import tenant_context

    from accounts.models import Membership, Role, User
    from organizations.models import Region
    from regional_dashboard.models import OrganizationRollup
    from regional_dashboard.rollups import rollup_compute
    from tasks.base import send_to_tenant
    from tasks.rollups import refresh
    from tenants.roadmap.models import ItemStatus, RoadmapItem

    count = n_tenants
    started = time.perf_counter()
    organizations = bench_organizations(count, SHARED_POOL)
    for n, organization in enumerate(organizations):
        with tenant_context(organization):
            _populate(organization, n)
    print(
        f"  {count} organisations provisioned and filled in {time.perf_counter() - started:.0f} s",
        flush=True,
    )

    settle()
    # Full refresh through the worker.
    worker = start_worker(QUEUE)
    try:
        wait_ready(QUEUE)
        started = time.perf_counter()
        results = [
            send_to_tenant(refresh.s().set(queue=QUEUE, ignore_result=False), o.schema_name)
            for o in organizations
        ]
        for result in results:
            result.get(timeout=1800)
        refresh_s = time.perf_counter() - started
    finally:
        stop_worker(worker)
    assert OrganizationRollup.objects.count() >= count
    # The region's people counts published: disclosure control over every organisation.
    from regional_dashboard.publication import publish_due

    started = time.perf_counter()
    assert publish_due() >= 1
    publish_s = time.perf_counter() - started
    _history(HISTORY_DAYS)

    # The committee's pages, as the regional operator of the bench region.
    operator, _ = User.objects.get_or_create(username="bench.operator")
    Membership.objects.get_or_create(
        user=operator, role=Role.REGIONAL_OPERATOR, region=Region.objects.get(code="97")
    )
    from tests.two_factor import logged_in

    client = logged_in(Client(HTTP_HOST="localhost"), operator)  # past the second factor

    def timed_get(url: str, requests: int = REQUESTS) -> list[float]:
        assert client.get(url).status_code == 200  # warm
        samples = []
        for _ in range(requests):
            t = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - t)
            assert response.status_code == 200, url
        return samples

    page_p95 = p95(timed_get("/dashboard/"))
    api_p95 = p95(timed_get("/api/v1/monitoring/summary/"))
    trend_p95 = p95(timed_get("/dashboard/trend/"))
    report_p95 = p95(timed_get("/dashboard/report.xlsx", 5))

    # Smaller regions in the same run: only the first k organisations stay active.
    from organizations.models import Organization

    by_size: list[tuple[int, float]] = []
    pool = [o.pk for o in organizations]
    for size in [k for k in SIZES if k < count]:
        Organization.objects.filter(pk__in=pool).update(is_active=False)
        Organization.objects.filter(pk__in=pool[:size]).update(is_active=True)
        by_size.append((size, p95(timed_get("/dashboard/"))))
    Organization.objects.filter(pk__in=pool).update(is_active=True)

    # Naive: the same figures computed live from every tenant schema.
    sample = organizations[: min(count, NAIVE_SAMPLE)]
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    totals: dict[str, int] = {}
    for organization in sample:
        with tenant_context(organization):
            figures = rollup_compute(organization=organization, now=now)
        for name, value in figures.items():
            if isinstance(value, int):
                totals[name] = totals.get(name, 0) + value
    naive_s = (time.perf_counter() - started) * count / len(sample)

    # Change to visible: the real path, with the worker's beat flushing every 15 s.
    from django.conf import settings

    # The beat sends the flush, and the flush its refreshes, to the default queue.
    worker = start_worker(f"{QUEUE},{settings.CELERY_TASK_DEFAULT_QUEUE}", beat=True,
                          environ={"REMINDER_SWEEP_SECONDS": "86400"})  # fmt: skip
    visible = []
    people_visible = []
    try:
        wait_ready(QUEUE)
        for organization in organizations[:3]:
            with tenant_context(organization):
                item = (
                    RoadmapItem.objects.filter(is_stage=False)
                    .exclude(status=ItemStatus.DONE)
                    .first()
                )
                before = (
                    OrganizationRollup.objects.filter(organization=organization)
                    .order_by("-day")
                    .first()
                )
                assert item is not None and before is not None
                item.status = ItemStatus.DONE
                item.save()  # autocommit: the mark goes to Redis at once
            started = time.perf_counter()
            while time.perf_counter() - started < 120:
                row = (
                    OrganizationRollup.objects.filter(organization=organization)
                    .order_by("-day")
                    .first()
                )
                if row is not None and row.items_done > before.items_done:
                    break
                time.sleep(0.1)
            visible.append(time.perf_counter() - started)
            # People counts are visible once the region is published again (the next beat).
            from regional_dashboard.models import RegionPublication

            changed_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=visible[-1])
            while time.perf_counter() - started < 120:
                if RegionPublication.objects.filter(published_at__gt=changed_at).exists():
                    break
                time.sleep(0.1)
            people_visible.append(time.perf_counter() - started)
    finally:
        stop_worker(worker)
    print(f"  naive loop measured on {len(sample)} organisations and scaled; change-to-visible runs: "
          + ", ".join(f"{v:.1f} s" for v in visible))  # fmt: skip
    per_organization = naive_s / count
    return [
        *(Figure("dashboard_p95_ms", p * 1000, "ms", size, baseline=per_organization * size * 1000,
                 ratio=per_organization * size / p) for size, p in by_size),
        Figure("rollup_full_refresh_s", refresh_s, "s", count, target="< 120 s for 2,000"),
        Figure("dashboard_p95_ms", page_p95 * 1000, "ms", count, baseline=naive_s * 1000,
               ratio=naive_s / page_p95, target="< 150 ms, >= 50x"),
        Figure("dashboard_ratio", naive_s / page_p95, "x", count),
        Figure("monitoring_api_p95_ms", api_p95 * 1000, "ms", count, baseline=naive_s * 1000,
               ratio=naive_s / api_p95),
        Figure("rollup_change_visible_s", max(visible), "s", count, target="< 60 s"),
        Figure("rollup_people_visible_s", max(people_visible), "s", count, target="< 60 s"),
        Figure("disclosure_publish_s", publish_s, "s", count),
        Figure("dashboard_trend_p95_ms", trend_p95 * 1000, "ms", count),
        Figure("dashboard_report_xlsx_s", report_p95, "s", count),
    ]  # fmt: skip
