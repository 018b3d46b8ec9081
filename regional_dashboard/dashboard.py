"""What the committee sees: rollup rows of the organisations in the user's scope, summed.

Reads only the public schema (rollups and the registry): two queries for a page whatever the
number of organisations. People counts pass through privacy.suppressed before display.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Membership, Role, User
from organizations.models import Municipality, Organization, OrganizationKind, Region
from regional_dashboard.models import OrganizationRollup
from regional_dashboard.privacy import share, suppress_mapping, suppressed

PEOPLE_FIELDS = ("mentors", "mentees", "consents_missing", "pupils_involved", "teachers_involved",
                 "pairs_total", "pairs_active", "groups")  # fmt: skip
SUMMED_FIELDS = (*PEOPLE_FIELDS, "items_total", "items_done", "items_overdue", "meetings_held",
                 "programs_completed", "pupils_count", "teachers_count")  # fmt: skip
BREAKDOWNS = {
    "pairs_by_form": "Пары и группы по формам наставничества",
    "pairs_by_kind": "По видам наставничества",
    "pairs_by_status": "По этапам жизни пары",
    "mentors_by_category": "Наставники по категориям",
    "mentees_by_category": "Наставляемые по категориям",
}


@dataclass
class Scope:
    """Where a user may look: whole regions, or some municipalities."""

    regions: list[Region]
    municipalities: list[Municipality] | None  # None: every municipality of the regions

    def organizations(self) -> QuerySet[Organization]:
        organizations = Organization.objects.filter(
            is_active=True, municipality__region__in=self.regions
        )
        if self.municipalities is not None:
            organizations = organizations.filter(municipality__in=self.municipalities)
        return organizations

    def allows_municipality(self, municipality: Municipality) -> bool:
        if municipality.region_id not in {r.pk for r in self.regions}:
            return False
        return self.municipalities is None or municipality in self.municipalities


def dashboard_scope(*, user: User | AnonymousUser) -> Scope | None:
    """Regional operator and ЦНППМ tutor: their region; municipal specialist: their
    municipality; a superuser: everything; anyone else: nothing."""
    if not isinstance(user, User):
        return None
    if user.is_superuser:
        return Scope(list(Region.objects.all()), None)
    memberships = list(
        Membership.objects.filter(
            user=user, role__in=[Role.REGIONAL_OPERATOR, Role.TUTOR, Role.MUNICIPAL_SPECIALIST]
        ).select_related("region", "municipality__region")
    )
    regions = {m.region for m in memberships if m.region is not None}
    if regions:
        return Scope(sorted(regions, key=lambda r: r.name), None)
    municipalities = [m.municipality for m in memberships if m.municipality is not None]
    if not municipalities:
        return None
    return Scope(sorted({m.region for m in municipalities}, key=lambda r: r.name),
                 sorted(set(municipalities), key=lambda m: m.name))  # fmt: skip


def latest_rollups(organizations: QuerySet[Organization], year: int) -> list[OrganizationRollup]:
    """The newest row of the year for each organisation (DISTINCT ON over the index)."""
    return list(
        OrganizationRollup.objects.filter(academic_year=year, organization__in=organizations)
        .select_related("organization__municipality")
        .order_by("organization_id", "-day")
        .distinct("organization_id")
    )


def available_years(organizations: QuerySet[Organization]) -> list[int]:
    return sorted(
        set(
            OrganizationRollup.objects.filter(organization__in=organizations)
            .values_list("academic_year", flat=True)
            .distinct()
        ),
        reverse=True,
    )


def scope_or_refuse(*, user: User | AnonymousUser) -> Scope:
    scope = dashboard_scope(user=user)
    if scope is None:
        raise PermissionDenied(
            "Мониторинг доступен региональному оператору, тьютору ЦНППМ и специалисту "
            "муниципального органа управления образованием."
        )
    return scope


def municipality_in_scope(scope: Scope, pk: int | str) -> Municipality:
    municipality = get_object_or_404(Municipality.objects.select_related("region"), pk=pk)
    if not scope.allows_municipality(municipality):
        raise PermissionDenied("Этот муниципалитет вне вашей зоны ответственности.")
    return municipality


def year_and_kind(
    params: Mapping[str, str], organizations: QuerySet[Organization]
) -> dict[str, Any]:
    """The academic year asked for (else the newest with figures) and the kind of organisation."""
    years = available_years(organizations)
    try:
        year = int(params.get("year", ""))
    except ValueError:
        year = 0
    if year not in years:
        today = timezone.localdate()
        year = years[0] if years else today.year - (today.month < 9)
    kind = params.get("kind", "")
    if kind not in OrganizationKind.values:
        kind = ""
    return {"year": year, "years": years or [year], "kind": kind, "kinds": OrganizationKind.choices}


def select(
    *, scope: Scope, params: Mapping[str, str], municipality: Municipality | None = None
) -> tuple[dict[str, Any], QuerySet[Organization], list[OrganizationRollup]]:
    """Filters from the query string, the organisations they leave, their latest rollups."""
    organizations = scope.organizations()
    if municipality is not None:
        organizations = organizations.filter(municipality=municipality)
    filters = year_and_kind(params, organizations)
    if filters["kind"]:
        organizations = organizations.filter(kind=filters["kind"])
    return filters, organizations, latest_rollups(organizations, filters["year"])


@dataclass
class Summary:
    """Sums over a set of organisations' rollups, with the figures ready to show."""

    organizations: int = 0
    totals: dict[str, int] = field(default_factory=dict)
    breakdowns: dict[str, Counter[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Iterable[OrganizationRollup]) -> Summary:
        summary = cls(totals=dict.fromkeys(SUMMED_FIELDS, 0),
                      breakdowns={name: Counter() for name in BREAKDOWNS})  # fmt: skip
        for row in rows:
            summary.organizations += 1
            for name in SUMMED_FIELDS:
                summary.totals[name] += getattr(row, name)
            for name in BREAKDOWNS:
                summary.breakdowns[name].update(row.breakdown.get(name, {}))
        return summary

    def shown(self) -> dict[str, Any]:
        """Totals with people counts suppressed; shares computed before suppression."""
        t = self.totals
        shown: dict[str, Any] = {
            name: suppressed(t[name]) if name in PEOPLE_FIELDS else t[name]
            for name in SUMMED_FIELDS
        }
        shown["items_done_share"] = round(t["items_done"] / t["items_total"] * 100, 1) if t["items_total"] else None  # fmt: skip
        shown["pupils_coverage"] = share(t["pupils_involved"], t["pupils_count"])
        shown["teachers_coverage"] = share(t["teachers_involved"], t["teachers_count"])
        shown["organizations"] = self.organizations
        return shown

    def shown_breakdowns(self) -> list[tuple[str, str, dict[str, int | str | None]]]:
        return [
            (name, title, suppress_mapping(dict(self.breakdowns[name].most_common())))
            for name, title in BREAKDOWNS.items()
        ]


@dataclass
class HeatRow:
    organization: Organization
    cells: list[dict[str, Any] | None]
    overdue: int
    done_share: float | None


def heatmap(rows: list[OrganizationRollup]) -> tuple[list[str], list[HeatRow]]:
    """Roadmap stages × organisations: for each cell done / on time / overdue and the counts.

    Stages are matched by title across organisations (the seed templates share them) and
    ordered by their usual position; an organisation without a stage gets an empty cell.
    """
    positions: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        for stage in row.stages:
            positions[stage["title"]].append(stage["position"])
    titles = sorted(positions, key=lambda t: (sorted(positions[t])[len(positions[t]) // 2], t))
    heat_rows = []
    for row in rows:
        by_title = {stage["title"]: stage for stage in row.stages}
        cells: list[dict[str, Any] | None] = []
        for title in titles:
            stage = by_title.get(title)
            if stage is None:
                cells.append(None)
                continue
            state = (
                "overdue"
                if stage["overdue"]
                else "done"
                if stage["done"] == stage["total"]
                else "on_time"
            )
            cells.append({**stage, "state": state})
        done_share = round(row.items_done / row.items_total * 100) if row.items_total else None
        heat_rows.append(HeatRow(row.organization, cells, row.items_overdue, done_share))
    return titles, heat_rows


def most_behind(rows: list[OrganizationRollup], limit: int = 10) -> list[OrganizationRollup]:
    """Most overdue items first, then the smallest share done."""
    with_items = [r for r in rows if r.items_total]
    return sorted(
        with_items, key=lambda r: (-r.items_overdue, r.items_done / r.items_total, r.organization.short_name)
    )[:limit]  # fmt: skip


def by_municipality(rows: list[OrganizationRollup]) -> list[tuple[Municipality, dict[str, Any]]]:
    groups: dict[int, list[OrganizationRollup]] = defaultdict(list)
    municipalities: dict[int, Municipality] = {}
    for row in rows:
        municipality = row.organization.municipality
        municipalities[municipality.pk] = municipality
        groups[municipality.pk].append(row)
    return [
        (municipalities[pk], Summary.of(groups[pk]).shown())
        for pk in sorted(groups, key=lambda pk: municipalities[pk].name)
    ]
