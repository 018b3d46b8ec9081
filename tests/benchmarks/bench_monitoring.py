"""A monitoring wave across the region: every school's programs reach their intermediate wave
on the same morning; the sweep, through a real Celery worker (2 processes), opens the waves
(the questionnaires are created) and sends each respondent with an account the reminder
(inbox and a digest e-mail) — one task per school (ours) against one task per wave (the naive
fan-out), in the same run; the naive way on a tenth of the schools (at least 20), scaled.

BENCH_TENANTS sets the school count; each has MONITORING_PAIRS pairs, i.e. 60 respondents
(a mentor and a mentee each, both with accounts). Target: < 60 s for 2,000 schools, for the
wave planned with its reminders in the outbox (exactly once by key); the digest e-mails that
follow (one per respondent, 120,000 at 2,000 schools) are timed apart as the drain, which an
SMTP provider's rate limits rather than this machine.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

from config.celery import app
from tasks.base import TenantScopedTask
from tests.benchmarks.harness import (
    SHARED_POOL,
    Figure,
    bench_organizations,
    settle,
    start_worker,
    stop_worker,
    wait_ready,
)

QUEUE = "bench-monitoring"
NOW = dt.datetime(2026, 11, 16, 8, 0, tzinfo=dt.UTC)  # 11:00 in Moscow, a Monday
YEAR = 2026
MONITORING_PAIRS = 30  # 30 mentors and 30 mentees: 60 respondents a school


@app.task(name="bench.monitoring_sweep", base=TenantScopedTask, ignore_result=False)
def sweep_at(now_iso: str) -> dict[str, float]:
    """The planning half of the school's reminder run (tenants.notifications.services.
    reminders_run) at the bench's moment: its due waves open (the questionnaires are created),
    their reminders are planned and written to the outbox, the in-app ones delivered in the
    same transaction. The e-mails go with the drain (bench.monitoring_drain)."""
    from organizations.schemas import current_tenant
    from tenants.monitoring.services import waves_open_due
    from tenants.notifications.delivery import outbox_write
    from tenants.notifications.planner import plan_run

    started, cpu, server = time.perf_counter(), time.process_time(), _server_cpu()
    organization, now = current_tenant(), dt.datetime.fromisoformat(now_iso)
    waves_open_due(today=now.astimezone(organization.zone).date(), now=now)
    written = outbox_write(
        plan_run(organization=organization, now=now).drafts, deliver_inbox_at=now
    )
    return {"written": written, "task_s": time.perf_counter() - started,
            "cpu_s": time.process_time() - cpu, "server_cpu_s": _server_cpu() - server}  # fmt: skip


def _server_cpu() -> float:
    """CPU seconds the worker's PostgreSQL backend has used (the bench's server is local: its
    /proc entry is readable), to tell the database's share of a school's run from Python's; in
    clock ticks (10 ms), so meaningful summed over many schools."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():  # a server elsewhere
        return float("nan")
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


@app.task(name="bench.monitoring_drain", base=TenantScopedTask, ignore_result=False)
def drain_at(now_iso: str) -> dict[str, float]:
    """The delivering half: each respondent's digest e-mail of the morning."""
    from organizations.schemas import current_tenant
    from tenants.notifications.delivery import drain

    started = time.perf_counter()
    result = drain(organization=current_tenant(), now=dt.datetime.fromisoformat(now_iso))
    return {"emails": result.emails, "task_s": time.perf_counter() - started}


@app.task(name="bench.monitoring_wave", base=TenantScopedTask, ignore_result=False)
def open_one_wave(wave_id: int, now_iso: str) -> int:
    """The naive unit of work: open one wave and plan, write and deliver its reminders."""
    from tenants.monitoring.models import Wave
    from tenants.monitoring.reminders import nudge_drafts
    from tenants.monitoring.services import wave_open
    from tenants.notifications.delivery import outbox_write

    now = dt.datetime.fromisoformat(now_iso)
    wave = wave_open(wave=Wave.objects.get(pk=wave_id), now=now)
    responses = list(wave.responses.filter(participant__user__isnull=False)
                     .select_related("participant__user", "subject", "instrument"))  # fmt: skip
    drafts, _ = nudge_drafts(wave=wave, responses=responses, now=now, opening=True)
    return outbox_write(drafts, deliver_inbox_at=now)


def _school(organization, users: list) -> None:  # type: ignore[no-untyped-def]
    """Thirty working pairs «учитель – ученик» whose programs reach their middle today."""
    from django_tenants.utils import tenant_context

    from tenants.mentoring.models import Form, Pair, PairStatus, Program
    from tenants.monitoring.models import Wave, WaveKind
    from tenants.participants.models import BankRole, Category, Participant

    today = NOW.date()
    with tenant_context(organization):
        if Wave.objects.exists():
            return
        form = Form.objects.get(code="teacher_pupil")
        people = Participant.objects.bulk_create([
            Participant(last_name=f"Фамилия{n}", first_name="Имя", category=Category.TEACHER if n % 2 == 0 else Category.PUPIL,
                        bank_role=BankRole.MENTOR if n % 2 == 0 else BankRole.MENTEE, academic_year=YEAR,
                        class_group="" if n % 2 == 0 else "7А", natural_key=f"bench|{n}", user=users[n])
            for n in range(2 * MONITORING_PAIRS)
        ])  # fmt: skip
        pairs = Pair.objects.bulk_create([
            Pair(mentor=people[2 * n], form=form, academic_year=YEAR, starts_on=today - dt.timedelta(days=75),
                 ends_on=today + dt.timedelta(days=75), status=PairStatus.ACTIVE)
            for n in range(MONITORING_PAIRS)
        ])  # fmt: skip
        Pair.mentees.through.objects.bulk_create(
            [Pair.mentees.through(pair=pair, participant=people[2 * n + 1]) for n, pair in enumerate(pairs)]
        )  # fmt: skip
        programs = Program.objects.bulk_create(
            [Program(pair=pair, starts_on=pair.starts_on, ends_on=pair.ends_on) for pair in pairs]
        )
        Wave.objects.bulk_create([
            Wave(program=program, kind=kind, opens_on=opens, closes_on=opens + dt.timedelta(days=14))
            for program in programs
            for kind, opens in ((WaveKind.INTERMEDIATE, today), (WaveKind.FINAL, program.ends_on - dt.timedelta(days=21)))
        ])  # fmt: skip


def _reset(organizations) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    """The sample back to the morning before (waves closed, no questionnaires, no messages);
    the naive jobs: each due wave of each school."""
    from django_tenants.utils import tenant_context

    from tenants.mentoring.models import PairEvent
    from tenants.monitoring.models import Response, Wave
    from tenants.notifications.models import Digest, InboxMessage, Outbox

    jobs = []
    for organization in organizations:
        with tenant_context(organization):
            InboxMessage.objects.all().delete()
            Outbox.objects.all().delete()
            Digest.objects.all().delete()
            Response.objects.all().delete()
            PairEvent.objects.all().delete()
            Wave.objects.update(opened_at=None)
            due = Wave.objects.filter(opens_on__lte=NOW.date()).values_list("pk", flat=True)
            jobs += [(organization.schema_name, pk) for pk in due]
    return jobs


def run(n_tenants: int) -> list[Figure]:
    from django_tenants.utils import tenant_context

    from accounts.models import User
    from tasks.base import send_to_tenant
    from tenants.monitoring.models import Response

    count = n_tenants
    started = time.perf_counter()
    organizations = bench_organizations(count, SHARED_POOL)
    existing = set(
        User.objects.filter(username__startswith="mon.").values_list("username", flat=True)
    )
    wanted = [f"mon.{o.slug}.{n}" for o in organizations for n in range(2 * MONITORING_PAIRS)]
    User.objects.bulk_create(
        [
            User(username=name, email=f"{name}@bench.test")
            for name in wanted
            if name not in existing
        ],
        batch_size=5000,
    )
    users = {u.username: u for u in User.objects.filter(username__startswith="mon.")}
    for organization in organizations:
        _school(
            organization,
            [users[f"mon.{organization.slug}.{n}"] for n in range(2 * MONITORING_PAIRS)],
        )
    print(f"  {count} schools × {2 * MONITORING_PAIRS} respondents ready in {time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
    _reset(organizations)

    settle()
    worker = start_worker(QUEUE, include="tests.benchmarks.bench_monitoring")
    try:
        wait_ready(QUEUE)
        started = time.perf_counter()
        results = [send_to_tenant(sweep_at.s().set(queue=QUEUE), o.schema_name, NOW.isoformat())
                   for o in organizations]  # fmt: skip
        outcomes = [r.get(timeout=3600) for r in results]
        done_s = time.perf_counter() - started
        written = sum(int(o["written"]) for o in outcomes)
        started = time.perf_counter()
        drained = [send_to_tenant(drain_at.s().set(queue=QUEUE), o.schema_name, NOW.isoformat())
                   for o in organizations]  # fmt: skip
        emails = sum(int(r.get(timeout=3600)["emails"]) for r in drained)
        delivered_s = time.perf_counter() - started
        with tenant_context(organizations[0]):
            questionnaires = Response.objects.count()
        print(
            f"  time inside the tasks: {sum(o['task_s'] for o in outcomes):.1f} s (two processes); "
            f"CPU a school: worker {sum(o['cpu_s'] for o in outcomes) / count * 1000:.1f} ms, "
            f"PostgreSQL {sum(o['server_cpu_s'] for o in outcomes) / count * 1000:.1f} ms"
        )

        sample = organizations[: min(count, max(20, count // 10))]
        jobs = _reset(sample)
        started = time.perf_counter()
        naive = [send_to_tenant(open_one_wave.s().set(queue=QUEUE), schema, pk, NOW.isoformat())
                 for schema, pk in jobs]  # fmt: skip
        naive_written = sum(r.get(timeout=3600) for r in naive)
        naive_s = (time.perf_counter() - started) * count / len(sample)
    finally:
        stop_worker(worker)
    assert written > 0 and emails > 0 and naive_written > 0, (written, emails, naive_written)
    print(
        f"  {count} schools: {questionnaires} questionnaires a school, {written} reminders "
        f"(inbox and e-mail), {emails} digest e-mails; naive: {len(jobs)} tasks on {len(sample)} schools, scaled"
    )
    return [
        Figure("monitoring_wave_plan_s", done_s, "s", count, baseline=naive_s, ratio=naive_s / done_s,
               target="< 60 s for 2,000 × 60 respondents"),
        Figure("monitoring_wave_per_school_ms", done_s / count * 1000, "ms", count),
        Figure("monitoring_wave_ratio", naive_s / done_s, "x", count),
        Figure("monitoring_wave_emails_s", delivered_s, "s", count),
        Figure("monitoring_wave_reminders", written, "rows", count),
    ]  # fmt: skip
