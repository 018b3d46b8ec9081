"""Publishing a region's people counts: what the regional layer may show, computed once per
change and read by every page, report and API response.

The rollups hold exact counts. After they change, `publish` runs the disclosure control over
the whole region (regional_dashboard.disclosure) and stores the result: each organisation's
counts with the hidden ones as None (OrganizationRollup.published) and each cell of the
filters' lattice (PublishedCell, one set per day, which the trend reads back). Pages show
people counts only from here; a figure that is not a stored cell (several regions, several
municipalities of one specialist) is a sum of stored cells, shown only if every part is.
Roadmap figures (events, not people) are not controlled and are read from the rollups live.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from organizations.models import Region
from regional_dashboard.disclosure import (
    REGION,
    SUPPRESS_BELOW,
    Cell,
    Kept,
    Unit,
    contains,
    lattice_cells,
    protect,
)
from regional_dashboard.models import (
    OrganizationRollup,
    PublishedCell,
    PublishedOrganization,
    RegionPublication,
)

log = logging.getLogger(__name__)

# Each measure of people or pairs with the breakdowns that sum to it in every organisation.
GROUPS: dict[str, tuple[str, ...]] = {
    "mentors": ("mentors_by_category",),
    "mentees": ("mentees_by_category",),
    "pairs_total": ("pairs_by_form", "pairs_by_kind", "pairs_by_status"),
    "consents_missing": (),
    "meetings_held": (),
    "pupils_involved": (),
    "teachers_involved": (),
    # Monitoring, all of people: waves of the programs (open, late), respondents asked and
    # answered, respondents with a satisfaction index, mentees measured at «вход» and
    # «выход» (by direction), mentees with outcomes at both (by direction).
    "waves_total": (),
    "waves_late": (),
    "survey_invited": (),
    "survey_answered": (),
    "satisfaction_n": (),
    "growth_n": ("growth_by_direction",),
    "outcome_n": ("outcomes_by_direction",),
}
# The monitoring's counts follow the programs, hence the pairs: withheld wherever the pairs
# are (on top of their own control), so that a wave or questionnaire count never tells a
# withheld number of pairs or mentees. Hiding more than a safe pattern stays safe.
FOLLOW_PAIRS = ("waves_total", "waves_late", "survey_invited", "survey_answered",
                "satisfaction_n", "growth_n", "outcome_n")  # fmt: skip
# Sums that go with a count of people (each respondent's satisfaction index, each mentee's
# shift): shown exactly where their count is, together with the count they were taken over
# (`base`), so an average is never of a withheld group. And since a day's figure less the
# day before's would be the few people who answered in between, a sum and its base move only
# once at least five people's answers changed them (each person gives at most `per_person`
# of the answered questionnaires counted in `answers`); until then the last ones stay.
COMPANIONS: dict[str, dict[str, Any]] = {
    "satisfaction_points": {"count": "satisfaction_n", "base": "satisfaction_base",
                            "answers": "satisfaction_answers", "per_person": 2},
    "growth_points": {"count": "growth_n", "base": "growth_base", "answers": "growth_answers",
                      "per_person": 4},
}  # fmt: skip
ORGANIZATION_MEASURES = (*GROUPS, *COMPANIONS, *(c["base"] for c in COMPANIONS.values()))
BREAKDOWN_NAMES = tuple(name for names in GROUPS.values() for name in names)


def _derived() -> dict[str, tuple[str, str]]:
    """Counts that are one label of a breakdown (working pairs are pairs whose status is
    «работает»): published as that cell, never per organisation, where the breakdown is not."""
    from tenants.mentoring.models import Kind, PairStatus

    return {
        "pairs_active": ("pairs_by_status", str(PairStatus.ACTIVE.label)),
        "groups": ("pairs_by_kind", str(Kind.GROUP.label)),
        # Completing a pair's program is what makes it «завершена»: published as a count of
        # its own, it gave the other statuses away (pairs − completed − …).
        "programs_completed": ("pairs_by_status", str(PairStatus.COMPLETED.label)),
    }


CELL_MEASURES = (*ORGANIZATION_MEASURES, "pairs_active", "groups", "programs_completed")
CONTROLLED = tuple(GROUPS)
UNBREAKABLE = "не указано"  # the part of a total its breakdown does not cover (never expected)


def region_today(region: Region, now: dt.datetime) -> dt.date:
    return now.astimezone(ZoneInfo(region.timezone)).date()


def _latest(region: Region, year: int) -> Any:
    return OrganizationRollup.objects.filter(
        is_latest=True,
        academic_year=year,
        organization__is_active=True,
        organization__municipality__region=region,
    )


def _signature_of(parts: Iterable[tuple[int, int, str, dt.datetime]]) -> str:
    text = ",".join(f"{o}:{m}:{k}:{at.isoformat()}" for o, m, k, at in sorted(parts))
    return hashlib.sha256(text.encode()).hexdigest()


def signature(region: Region, year: int) -> str:
    """Changes whenever a latest row is recomputed or an organisation joins, leaves, moves to
    another municipality or changes its kind (one narrow query: 2,000 rows in milliseconds)."""
    return _signature_of(
        _latest(region, year).values_list(
            "organization_id", "organization__municipality_id", "organization__kind", "computed_at"
        )
    )


def _breakdown_of(row: OrganizationRollup, measure: str, name: str) -> dict[str, int]:
    counts = {label: int(n) for label, n in (row.breakdown or {}).get(name, {}).items() if n}
    missing = int(getattr(row, measure)) - sum(counts.values())
    if missing > 0:  # the identity the control relies on must hold: make it hold visibly
        log.warning("rollup %s: %s does not sum to %s", row.pk, name, measure)
        counts[UNBREAKABLE] = missing
    return counts


LOCK_NAMESPACE = 7_401  # pg advisory locks: (namespace, region) — one publisher per region


def _lock(region: Region, *, wait: bool) -> bool:
    with connection.cursor() as cursor:
        function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
        cursor.execute(f"SELECT {function}(%s, %s)", [LOCK_NAMESPACE, region.pk])
        row = cursor.fetchone()
    return wait or bool(row and row[0])


@transaction.atomic
def publish(*, region: Region, year: int, now: dt.datetime | None = None) -> RegionPublication:
    """Run the disclosure control over the region's latest rows of the year and store what may
    be shown (replacing the day's earlier publication). 2,000 organisations take seconds to
    tens of seconds (disclosure_publish_s in `make bench`): a worker's job, never a page's."""
    now = now or timezone.now()
    _lock(region, wait=True)
    return _publish_locked(region=region, year=year, now=now)


def kept_from(stored: dict[str, Any] | None, measure: str) -> Kept | None:
    """The previous publication's hidden entries of a measure (JSON: lists of [key…, value])."""
    if not stored or measure not in stored:
        return None
    entry = stored[measure]
    return Kept(
        organizations={int(i): int(v) for i, v in entry.get("organizations", [])},
        cells={(m, k): int(v) for m, k, v in entry.get("cells", [])},
        breakdowns={
            name: {((m, k), label): int(v) for m, k, label, v in rows}
            for name, rows in entry.get("breakdowns", {}).items()
        },
    )


def _publish_locked(*, region: Region, year: int, now: dt.datetime) -> RegionPublication:
    rows = list(_latest(region, year).select_related("organization"))
    # From the rows read here: a refresh committing meanwhile makes the next beat publish again.
    seen = _signature_of(
        (r.organization_id, r.organization.municipality_id, r.organization.kind, r.computed_at)
        for r in rows
    )
    previous = RegionPublication.objects.filter(region=region, academic_year=year).first()
    stored = previous.hidden if previous is not None else None
    units = [Unit(r.organization_id, r.organization.municipality_id, r.organization.kind) for r in rows]  # fmt: skip
    cells = lattice_cells(units)
    per_organization: dict[int, dict[str, int | None]] = {r.organization_id: {} for r in rows}
    figures: dict[Cell, dict[str, int | None]] = {cell: {} for cell in cells}
    breakdowns: dict[Cell, dict[str, dict[str, int | None]]] = {cell: {} for cell in cells}
    members_of = {cell: [u.id for u in units if contains(cell, u.cell)] for cell in cells}
    hidden_now: dict[str, Any] = {}
    pairs_pattern = None
    for measure, names in GROUPS.items():
        values = {r.organization_id: int(getattr(r, measure)) for r in rows}
        parts = {name: {r.organization_id: _breakdown_of(r, measure, name) for r in rows} for name in names}  # fmt: skip
        start = kept_from(stored, measure)
        if measure in FOLLOW_PAIRS and pairs_pattern is not None:
            # Withheld where the pairs are, as a start the control then completes for this
            # measure's own values (partners, bounds), like what a previous publication hid.
            start = start or Kept()
            # A zero says nothing of the pairs (no program, no wave yet) and stays shown.
            start.organizations.update(
                {i: values[i] for i in pairs_pattern.organizations if values[i]}
            )
            totals = {c: sum(values[i] for i in members_of[c]) for c in pairs_pattern.cells if c in members_of}  # fmt: skip
            start.cells.update({c: total for c, total in totals.items() if total})
        pattern = protect(units, values, parts, kept=start)
        if measure == "pairs_total":
            pairs_pattern = pattern
        kept: dict[str, Any] = {
            "organizations": [[i, values[i]] for i in sorted(pattern.organizations)],
            "cells": [],
            "breakdowns": {name: [] for name in names},
        }
        hidden_by_cell: dict[str, dict[Cell, set[str]]] = {name: {} for name in names}
        for name in names:
            for hidden_cell, hidden_label in pattern.breakdowns[name]:
                hidden_by_cell[name].setdefault(hidden_cell, set()).add(hidden_label)
        for unit in units:
            hidden = unit.id in pattern.organizations
            per_organization[unit.id][measure] = None if hidden else values[unit.id]
        for cell in cells:
            members = members_of[cell]
            total = sum(values[i] for i in members)
            figures[cell][measure] = None if cell in pattern.cells else total
            if cell in pattern.cells:
                kept["cells"].append([cell[0], cell[1], total])
            for name in names:
                labels: dict[str, int] = {}
                for i in members:
                    for label, n in parts[name][i].items():
                        labels[label] = labels.get(label, 0) + n
                hidden_labels = hidden_by_cell[name].get(cell, set())
                shown = {
                    label: (None if label in hidden_labels else n) for label, n in labels.items()
                }
                shown.update(dict.fromkeys(hidden_labels))  # a hidden zero is hidden too
                breakdowns[cell][name] = dict(sorted(shown.items(), key=lambda item: item[0]))
                kept["breakdowns"][name] += [
                    [cell[0], cell[1], label, labels.get(label, 0)]
                    for label in sorted(hidden_labels)
                ]
        hidden_now[measure] = kept
    previous_steps: dict[str, list[int]] = (stored or {}).get("steps", {})
    steps: dict[str, list[int]] = {}

    def stepped(key: str, shown: int | None, total: int, answers: int, spec: dict[str, Any]) -> tuple[int | None, int | None]:  # fmt: skip
        """(base, sum) to publish: none where the count is withheld; the last published while
        fewer than five people's answers changed it."""
        if shown is None:
            return None, None
        before = previous_steps.get(key)
        if before is not None and answers - before[2] < SUPPRESS_BELOW * spec["per_person"]:
            steps[key] = before
            return before[0], before[1]
        steps[key] = [shown, total, answers]
        return shown, total

    for companion, spec in COMPANIONS.items():
        sums = {r.organization_id: int(getattr(r, companion)) for r in rows}
        answers = {r.organization_id: int(getattr(r, spec["answers"])) for r in rows}
        for unit in units:
            base, summed = stepped(f"o:{unit.id}:{companion}", per_organization[unit.id][spec["count"]],
                                   sums[unit.id], answers[unit.id], spec)  # fmt: skip
            per_organization[unit.id][spec["base"]] = base
            per_organization[unit.id][companion] = summed
        for cell in cells:
            base, summed = stepped(f"c:{cell[0]}:{cell[1]}:{companion}", figures[cell][spec["count"]],
                                   sum(sums[i] for i in members_of[cell]),
                                   sum(answers[i] for i in members_of[cell]), spec)  # fmt: skip
            figures[cell][spec["base"]], figures[cell][companion] = base, summed
    hidden_now["steps"] = steps
    for cell in cells:
        for measure, (name, label) in _derived().items():
            counts = breakdowns[cell].get(name, {})
            figures[cell][measure] = counts.get(label, 0)  # None where the label is hidden
    day = region_today(region, now)
    of_day = {"region": region, "academic_year": year, "day": day}
    PublishedCell.objects.filter(**of_day).delete()
    PublishedCell.objects.bulk_create(
        PublishedCell(
            **of_day, municipality_id=cell[0], kind=cell[1], organizations=len(members_of[cell]),
            figures=figures[cell], breakdowns=breakdowns[cell],
        )
        for cell in cells
    )  # fmt: skip
    # Each organisation's counts of this publication are kept by day beside the cells, so a
    # day's history and its trend point are the same publication (never rewritten later).
    PublishedOrganization.objects.filter(**of_day).delete()
    PublishedOrganization.objects.bulk_create(
        (PublishedOrganization(**of_day, organization_id=i, figures=f)
         for i, f in per_organization.items()),
        batch_size=1000,
    )  # fmt: skip
    publication, _ = RegionPublication.objects.update_or_create(
        region=region, academic_year=year,
        defaults={"signature": seen, "organizations": len(rows), "published_at": now,
                  "day": day, "hidden": hidden_now},
    )  # fmt: skip
    return publication


def publish_due(*, now: dt.datetime | None = None) -> int:
    """Every region and year whose latest rows changed since their publication (the beat's
    `rollups-publish`, right behind the flush)."""
    done = 0
    years_by_region: dict[int, set[int]] = {}
    for region_id, year in (
        OrganizationRollup.objects.filter(is_latest=True)
        .values_list("organization__municipality__region", "academic_year")
        .distinct()
    ):
        years_by_region.setdefault(region_id, set()).add(year)
    stored = {(p.region_id, p.academic_year): p.signature for p in RegionPublication.objects.all()}
    for region in Region.objects.filter(pk__in=years_by_region):
        for year in sorted(years_by_region[region.pk]):
            if stored.get((region.pk, year)) == signature(region, year):
                continue
            with transaction.atomic():
                # A beat every 15 s and a publication of seconds: a run already at this region
                # is left alone (the next beat looks again), and the signature is read anew
                # under the lock, so a run that waited does not repeat the work.
                if not _lock(region, wait=False):
                    continue
                current = RegionPublication.objects.filter(
                    region=region, academic_year=year
                ).first()
                if current is not None and current.signature == signature(region, year):
                    continue
                _publish_locked(region=region, year=year, now=now or timezone.now())
                done += 1
    return done


# Reading ----------------------------------------------------------------------------------


@dataclass
class Published:
    """People counts of a set of organisations as they may be shown: None where hidden, and
    everything None when nothing was published yet."""

    available: bool
    figures: dict[str, int | None] = field(default_factory=dict)
    breakdowns: dict[str, dict[str, int | None]] = field(default_factory=dict)
    published_at: dt.datetime | None = None

    @classmethod
    def nothing(cls) -> Published:
        return cls(False, dict.fromkeys(CELL_MEASURES), {name: {} for name in BREAKDOWN_NAMES})

    @classmethod
    def of_cells(
        cls, cells: Sequence[PublishedCell | None], at: dt.datetime | None = None
    ) -> Published:
        """The sum of cells, each figure shown only where every cell shows it (a missing cell:
        no organisation of that kind there, all zeros)."""
        present = [c for c in cells if c is not None]
        figures: dict[str, int | None] = {}
        for measure in CELL_MEASURES:
            values = [c.figures.get(measure) for c in present]
            figures[measure] = (
                None if any(v is None for v in values) else sum(v or 0 for v in values)
            )
        breakdowns: dict[str, dict[str, int | None]] = {}
        for name in BREAKDOWN_NAMES:
            labels = sorted({label for c in present for label in c.breakdowns.get(name, {})})
            merged: dict[str, int | None] = {}
            for label in labels:
                values = [c.breakdowns.get(name, {}).get(label, 0) for c in present]
                merged[label] = (
                    None if any(v is None for v in values) else sum(v or 0 for v in values)
                )
            breakdowns[name] = merged
        return cls(True, figures, breakdowns, at)


def publications(regions: Iterable[Region], year: int) -> dict[int, RegionPublication]:
    return {
        p.region_id: p
        # Without what the publisher hid: the true values of thousands of cells, never shown
        # (the publisher reads them itself), cost a page more to decode than its sums.
        for p in RegionPublication.objects.filter(
            region__in=list(regions), academic_year=year
        ).defer("hidden")
    }


def cells_of(
    publications_by_region: dict[int, RegionPublication],
    year: int,
    kind: str,
    *,
    day: dt.date | None = None,
) -> tuple[dict[tuple[int, int | None], PublishedCell], set[int]]:
    """The cells of each region's publication (its latest, or its latest on or before `day`)
    for one kind (or all), by (region, municipality or None); and the regions that had one."""
    found: dict[tuple[int, int | None], PublishedCell] = {}
    covered: set[int] = set()
    for region_id, publication in publications_by_region.items():
        on = publication.day
        if day is not None and on > day:
            earlier = (
                PublishedCell.objects.filter(region_id=region_id, academic_year=year, day__lte=day)
                .order_by("-day").values_list("day", flat=True).first()
            )  # fmt: skip
            if earlier is None:
                continue
            on = earlier
        covered.add(region_id)
        for cell in PublishedCell.objects.filter(
            region_id=region_id, academic_year=year, day=on, kind=kind
        ):
            found[(region_id, cell.municipality_id)] = cell
    return found, covered


def organization_figures(
    publications_by_region: dict[int, RegionPublication], year: int
) -> dict[int, dict[str, int | None]]:
    """Each organisation's counts as last published (one query per region)."""
    found: dict[int, dict[str, int | None]] = {}
    for region_id, publication in publications_by_region.items():
        found.update(
            PublishedOrganization.objects.filter(
                region_id=region_id, academic_year=year, day=publication.day
            ).values_list("organization_id", "figures")
        )
    return found


def organization_history(organization_id: int, year: int) -> dict[dt.date, dict[str, int | None]]:
    """An organisation's counts as published on each day (its page's daily history)."""
    return dict(
        PublishedOrganization.objects.filter(
            organization_id=organization_id, academic_year=year
        ).values_list("day", "figures")
    )


def organization_published(figures: dict[str, int | None] | None) -> Published:
    """One organisation's counts as published (the breakdowns are never shown per
    organisation, only over the lattice's cells)."""
    if figures is None:
        return Published.nothing()
    shown: dict[str, int | None] = dict.fromkeys(CELL_MEASURES)
    shown.update({m: figures.get(m) for m in ORGANIZATION_MEASURES})
    return Published(True, shown, {name: {} for name in BREAKDOWN_NAMES})


__all__ = ["REGION", "Published", "publish", "publish_due"]
