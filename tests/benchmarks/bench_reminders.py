"""The reminder sweep on many organisations: one task per organisation (ours) against one task
per item per organisation (the naive fan-out), measured in-process in the same run.

Enqueue time is the sweep's fan-out; done time runs every organisation's plan-and-drain (what
the worker does). In-process keeps the figure about our code, not about the broker; the fault
test covers real workers. BENCH_TENANTS (capped at 1,000 here) sets the organisation count.
"""

from __future__ import annotations

import datetime as dt
import time

from tests.benchmarks.harness import Figure, bench_organizations


def run(n_tenants: int) -> list[Figure]:
    from django_tenants.utils import tenant_context

    from accounts.models import Membership, Role, User
    from tenants.notifications.delivery import outbox_write
    from tenants.notifications.models import Outbox
    from tenants.notifications.planner import plan
    from tenants.notifications.services import reminders_run
    from tenants.roadmap.models import RoadmapItem

    count = min(n_tenants, 1000)
    organizations = bench_organizations(count, "remind")
    coordinators = User.objects.bulk_create(
        [User(username=f"remind.coord{n}", email=f"coord{n}@bench.test") for n in range(count)]
    )
    Membership.objects.bulk_create(
        [Membership(user=u, role=Role.COORDINATOR, organization=o) for u, o in zip(coordinators, organizations, strict=True)]
    )  # fmt: skip
    # 10 September: «До 10.09. ежегодно» items of the school template are due today.
    now = dt.datetime(2026, 9, 10, 8, 0, tzinfo=dt.UTC)

    # The sweep's fan-out, to a queue no worker reads (purged afterwards).
    from config.celery import app

    started = time.perf_counter()
    for organization in organizations:
        app.send_task("reminders.plan_and_drain", args=[now.isoformat()], queue="bench-sweep",
                      headers={"_schema_name": organization.schema_name})  # fmt: skip
    enqueue_s = time.perf_counter() - started
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge("bench-sweep")
    jobs = len(organizations)

    started = time.perf_counter()
    written = 0
    for organization in organizations:
        with tenant_context(organization):
            written += reminders_run(organization=organization, now=now)["written"]
    done_s = time.perf_counter() - started
    assert jobs and written > 0

    # Naive: a task per item per organisation, each opening the tenant and planning alone.
    sample = organizations[: max(1, count // 10)]
    started = time.perf_counter()
    naive_tasks = 0
    for organization in sample:
        with tenant_context(organization):
            Outbox.objects.all().delete()
            for item_id in RoadmapItem.objects.filter(is_stage=False).values_list("pk", flat=True):
                with tenant_context(organization):  # each task switches to the schema itself
                    outbox_write(plan(organization=organization, now=now, only_items=[item_id]))
                naive_tasks += 1
    naive_s = (time.perf_counter() - started) * count / len(sample)
    items = naive_tasks // len(sample)
    print(
        f"  {count} organisations × {items} roadmap items; naive measured on {len(sample)} and scaled"
    )
    return [
        Figure("reminder_sweep_enqueue_s", enqueue_s, "s", count),
        Figure("reminder_sweep_s", done_s, "s", count, baseline=naive_s, ratio=naive_s / done_s,
               target="< 60 s for 2,000"),
        Figure("reminder_ratio", naive_s / done_s, "x", count),
        Figure("reminder_outbox_rows", written, "rows", count),
    ]  # fmt: skip
