"""Shared benchmark plumbing: a scratch database, timing helpers, the results file."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / ".bench" / "results.json"
# BENCH_DATABASE=…: a scratch name of your own on a shared server (it is dropped first).
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "cmn_bench")
# BENCH_REUSE=1: keep the scratch database of the previous run and reuse its organisations, to
# measure again after a change without provisioning 2,000 schools anew (~25 min). Its migrate
# still visits every schema: at 2,000 it took over 35 min here (issue 18's no-op migrate), so
# reuse pays at a few hundred schools, not at 2,000.
BENCH_REUSE = os.environ.get("BENCH_REUSE") == "1"


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    n_tenants: int | None = None
    baseline: float | None = None
    ratio: float | None = None
    target: str | None = None

    def line(self) -> str:
        text = f"{self.name:<32} {self.value:>10.3f} {self.unit}"
        if self.baseline is not None:
            text += f"   baseline {self.baseline:.3f} {self.unit}"
        if self.ratio is not None:
            text += f"   ratio {self.ratio:.1f}x"
        if self.n_tenants is not None:
            text += f"   tenants={self.n_tenants}"
        if self.target:
            text += f"   target {self.target}"
        return text


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=20, method="inclusive")[18]


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def use_scratch_database() -> None:
    """Point Django at a fresh `cmn_bench` database on the same server (with BENCH_REUSE, the
    previous run's), then set Django up."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    parsed = urlparse(url)
    admin_url = urlunparse(parsed._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        there = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE]
        ).fetchone()
        if not (BENCH_REUSE and there):
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{BENCH_DATABASE}"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def write_results(figures: list[Figure]) -> None:
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps([asdict(f) for f in figures], ensure_ascii=False, indent=2), encoding="utf-8"
    )


SHARED_POOL = "org"  # organisations the reminder and dashboard benchmarks share


def bench_organizations(count: int, prefix: str) -> list:  # type: ignore[type-arg]
    """`count` organisations named prefix0…; those a previous benchmark of this run provisioned
    are reused, the rest provisioned (the template's snapshot replayed). Spread over ten
    municipalities of the bench region, as a region's organisations are."""
    from organizations.models import Municipality, Organization, Region
    from organizations.services import OrganizationData, organization_provision

    region, _ = Region.objects.get_or_create(code="97", defaults={"name": "Область для замеров"})
    municipalities = [
        Municipality.objects.get_or_create(region=region, name=f"Район для замеров {n + 1}")[0]
        for n in range(10)
    ]
    slugs = [f"{prefix}{n}" for n in range(count)]
    existing = {o.slug: o for o in Organization.objects.filter(slug__in=slugs)}
    return [
        existing.get(slug) or organization_provision(
            data=OrganizationData(
                full_name=f"Школа {slug}", short_name=slug, slug=slug, kind="school",
                municipality=municipalities[n % len(municipalities)],
                pupils_count=400 + n % 7 * 100, teachers_count=30 + n % 5 * 10,
            )
        )
        for n, slug in enumerate(slugs)
    ]  # fmt: skip


def start_worker(queue: str, *, include: str = "", beat: bool = False,
                 environ: dict[str, str] | None = None) -> subprocess.Popen[bytes]:  # fmt: skip
    """A real Celery worker on the bench database: 2 processes (the machine's cores)."""
    env = {**os.environ, "PYTHONPATH": f"{REPO / 'platform'}:{REPO}",
           "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend", **(environ or {})}  # fmt: skip
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--queues", queue,
               "--concurrency", os.environ.get("BENCH_CONCURRENCY", "2"), "--pool", "prefork",
               "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"]  # fmt: skip
    if include:
        command += ["--include", include]
    if beat:
        schedule = Path(tempfile.mkdtemp(prefix="cmn-bench-beat-")) / "schedule"
        command += ["--beat", "--schedule", str(schedule)]
    return subprocess.Popen(command, cwd=REPO, env=env)


def wait_ready(queue: str, timeout: float = 60) -> None:
    """Both worker processes answer before anything is timed."""
    from tasks.system import public_ping

    for _ in range(2):
        public_ping.apply_async(queue=queue).get(timeout=timeout)


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    worker.terminate()
    worker.wait(timeout=60)


def settle() -> None:
    """Flush what provisioning left in shared buffers before timing (a checkpoint running
    during a measurement costs it seconds). Needs a superuser; skipped otherwise."""
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError:
        pass
