"""Shared benchmark plumbing: a scratch database, timing helpers, the results file."""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / ".bench" / "results.json"
BENCH_DATABASE = "cmn_bench"


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
    """Point Django at a fresh `cmn_bench` database on the same server, then set Django up."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    parsed = urlparse(url)
    admin_url = urlunparse(parsed._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
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


def bench_organizations(count: int, prefix: str) -> list:  # type: ignore[type-arg]
    """Provision `count` organisations (clones of the template) for a benchmark's own use."""
    from organizations.models import Municipality, Region
    from organizations.services import OrganizationData, organization_provision

    region, _ = Region.objects.get_or_create(code="97", defaults={"name": "Область для замеров"})
    municipality, _ = Municipality.objects.get_or_create(region=region, name="Район для замеров")
    return [
        organization_provision(
            data=OrganizationData(
                full_name=f"Школа {prefix}{n}", short_name=f"{prefix}{n}", slug=f"{prefix}{n}",
                kind="school", municipality=municipality,
            )
        )
        for n in range(count)
    ]  # fmt: skip
