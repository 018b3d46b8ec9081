"""What the region may see of the routes: counts of teachers by deficit area, by step, routes
accompanied and reviewed on time, planned ДПО hours by area — for the ЦНППМ to plan its
courses. No names, no text: the source is the route status projection (codes and dates).

As the regional dashboard's people counts (regional_dashboard.publication), every count goes
through the disclosure control over the whole region (regional_dashboard.disclosure: primary
suppression under 5 and complementary suppression, checked by linear algebra; what was hidden
stays hidden while unchanged), and is stored once per change; pages only read what is stored.
Hours are not people, but a few teachers' hours would tell about them: an area's hours are
shown in a cell only where that area's count of teachers is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from cnppm.catalogue import AREAS
from cnppm.models import Assignment, RoutePublication, RouteStatus, next_review
from organizations.models import Organization, Region
from regional_dashboard.disclosure import SUPPRESS_BELOW, Cell, Unit, contains, protect, widen
from regional_dashboard.publication import kept_from

AREA_CODES = tuple(area["code"] for area in AREAS)
OTHER_AREA = "other"  # an area a region added in its own version of the instrument
STEPS = tuple(str(n) for n in range(1, 8))
MEASURES = (
    "routes",
    "accompanied",
    "on_time",
    *(f"deficit:{code}" for code in (*AREA_CODES, OTHER_AREA)),
)
LOCK_NAMESPACE = 7_402  # pg advisory locks: (namespace, region)


def _area(code: str) -> str:
    return code if code in AREA_CODES else OTHER_AREA


def _signature(region: Region) -> str:
    statuses = RouteStatus.objects.filter(organization__municipality__region=region).aggregate(
        n=Count("pk"), at=Max("changed_at")
    )
    assignments = Assignment.objects.filter(region=region).aggregate(
        n=Count("pk"), at=Max("assigned_at"), ended=Max("ended_at")
    )
    organizations = Organization.objects.filter(
        municipality__region=region, is_active=True
    ).aggregate(n=Count("pk"), m=Max("municipality_id"))
    text = repr(
        (sorted(statuses.items()), sorted(assignments.items()), sorted(organizations.items()))
    )
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class _Counts:
    values: dict[str, dict[int, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    steps: dict[int, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    hours: dict[int, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )


def _count(region: Region, today: dt.date) -> tuple[list[Unit], _Counts]:
    units = [
        Unit(o["pk"], o["municipality_id"], o["kind"])
        for o in Organization.objects.filter(municipality__region=region, is_active=True)
        .values("pk", "municipality_id", "kind")
        .order_by("pk")
    ]
    known = {u.id for u in units}
    assignments = {
        (a.organization_id, a.teacher_id): a
        for a in Assignment.objects.filter(region=region, ended_at__isnull=True)
    }
    counts = _Counts()
    for status in RouteStatus.objects.filter(
        organization__municipality__region=region, is_active=True
    ).iterator():
        org = status.organization_id
        if org not in known:
            continue
        counts.values["routes"][org] += 1
        counts.steps[org][str(status.step)] += 1
        for area in {_area(code) for code in status.deficit_areas}:
            counts.values[f"deficit:{area}"][org] += 1
        for code, hours in (status.planned_hours or {}).items():
            counts.hours[org][_area(code)] += int(hours)
        assignment = assignments.get((org, status.teacher_id))
        if assignment is not None and status.shared_with_tutor:
            counts.values["accompanied"][org] += 1
            due = next_review(
                status.last_reviewed_on, assignment.assigned_at.date(), assignment.review_every_days
            )
            counts.values["on_time"][org] += due >= today
    return units, counts


Key = tuple[int | None, str]  # (municipality or None for the region, measure or "step:N")


def publish(region: Region, *, now: dt.datetime | None = None) -> RoutePublication:
    """The disclosure control over the region's lattice (regional_dashboard.disclosure) for
    each measure, then the bounds pass over what is stored: the region and its municipalities
    (cells by kind are not published here), with the identities between them — the region is
    the sum of its municipalities, routes are the sum of their steps and of «with» and
    «without» each deficit, accompanied routes of those reviewed on time and late."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, region.pk])
        seen = _signature(region)
        units, counts = _count(region, today)
        previous = RoutePublication.objects.filter(region=region).first()
        stored = previous.hidden if previous is not None else None
        municipalities = sorted({u.municipality for u in units})
        published_cells: list[Cell] = [(None, ""), *((m, "") for m in municipalities)]
        members = {
            cell: [u.id for u in units if contains(cell, u.cell)] for cell in published_cells
        }
        values: dict[Key, int] = {}
        hidden: set[Key] = set()
        hidden_now: dict[str, Any] = {}
        steps = {u.id: dict(counts.steps[u.id]) for u in units}
        for measure in MEASURES:
            per_unit = {u.id: counts.values[measure].get(u.id, 0) for u in units}
            parts = {"by_step": steps} if measure == "routes" else None
            pattern = protect(units, per_unit, parts, kept=kept_from(stored, measure))
            hidden_now[measure] = {
                "organizations": [[i, per_unit[i]] for i in sorted(pattern.organizations)],
                "cells": [[c[0], c[1], sum(per_unit[i] for i in members.get(c, []))] for c in pattern.cells if c in members],
                "breakdowns": {"by_step": [
                    [c[0], c[1], label, sum(steps[i].get(label, 0) for i in members.get(c, []))]
                    for c, label in pattern.breakdowns.get("by_step", set()) if c in members
                ]} if parts else {},
            }  # fmt: skip
            for cell in published_cells:
                values[(cell[0], measure)] = sum(per_unit[i] for i in members[cell])
                if cell in pattern.cells:
                    hidden.add((cell[0], measure))
            for c, label in pattern.breakdowns.get("by_step", set()) if parts else set():
                if c in members:
                    hidden.add((c[0], f"step:{label}"))
        for cell in published_cells:
            m = cell[0]
            for step in STEPS:
                values[(m, f"step:{step}")] = sum(steps[i].get(step, 0) for i in members[cell])
            values[(m, "late")] = values[(m, "accompanied")] - values[(m, "on_time")]
            for area in (*AREA_CODES, OTHER_AREA):
                values[(m, f"without:{area}")] = (
                    values[(m, "routes")] - values[(m, f"deficit:{area}")]
                )
        # Counts never shown but given by differences: withheld when small, as any count.
        derived = [k for k in values if k[1] == "late" or k[1].startswith(("without:", "step:"))]
        hidden |= {k for k in derived if 0 < values[k] < SUPPRESS_BELOW}
        kept_extra = {(m, key): v for m, key, v in (stored or {}).get("bounds", [])}
        hidden |= {k for k, v in kept_extra.items() if values.get(k) == v}  # sticky, as the cells
        keys = {k[1] for k in values}
        relations: list[tuple[Key, list[Key]]] = [
            ((None, key), [(m, key) for m in municipalities]) for key in sorted(keys)
        ]
        for m in [None, *municipalities]:
            relations.append(((m, "routes"), [(m, f"step:{step}") for step in STEPS]))
            relations.append(((m, "accompanied"), [(m, "on_time"), (m, "late")]))
            for area in (*AREA_CODES, OTHER_AREA):
                relations.append(((m, "routes"), [(m, f"deficit:{area}"), (m, f"without:{area}")]))
        hidden = widen(values, hidden, relations)  # type: ignore[arg-type, assignment]
        hidden_now["bounds"] = [[m, key, values[(m, key)]] for m, key in sorted(hidden, key=str)]
        cells_out = []
        for cell in published_cells:
            m = cell[0]

            def shown(key: str, m: int | None = m) -> int | None:
                return None if (m, key) in hidden else values[(m, key)]

            figures = {measure: shown(measure) for measure in MEASURES}
            hours = {}
            for area in (*AREA_CODES, OTHER_AREA):
                teachers = figures[f"deficit:{area}"]
                total = sum(counts.hours[i].get(area, 0) for i in members[cell])
                hours[area] = total if teachers else (None if teachers is None else 0)
            cells_out.append({
                "municipality": m, "kind": "", "organizations": len(members[cell]), "figures": figures,
                "by_step": {step: shown(f"step:{step}") for step in STEPS}, "hours": hours,
            })  # fmt: skip
        publication, _ = RoutePublication.objects.update_or_create(
            region=region,
            defaults={
                "signature": seen,
                "published_at": now,
                "hidden": hidden_now,
                "cells": cells_out,
            },
        )
    return publication


def publish_due(*, now: dt.datetime | None = None) -> int:
    """Every region whose routes, assignments or organisations changed since its publication."""
    done = 0
    stored = dict(RoutePublication.objects.values_list("region_id", "signature"))
    for region in Region.objects.all():
        has_routes = RouteStatus.objects.filter(organization__municipality__region=region).exists()
        if not has_routes and region.pk not in stored:
            continue
        if stored.get(region.pk) == _signature(region):
            continue
        publish(region, now=now)
        done += 1
    return done


def published(region: Region) -> RoutePublication:
    """The stored publication (made now if the region never had one)."""
    found = RoutePublication.objects.filter(region=region).first()
    return found if found is not None else publish(region)


def cell_of(
    publication: RoutePublication, municipality_id: int | None, kind: str = ""
) -> dict[str, Any] | None:
    for cell in publication.cells:
        if cell["municipality"] == municipality_id and cell["kind"] == kind:
            return cell
    return None
