"""What the committee sees: rollup rows of the organisations in the user's scope, summed.

Reads only the public schema (rollups and the registry): two queries for a page whatever the
number of organisations. People counts pass through privacy.suppressed before display.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from html import escape
from typing import Any, NamedTuple

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Min, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from accounts.models import Membership, Role, User
from core.params import QueryParams
from organizations.models import (
    DEFAULT_ACADEMIC_YEAR_START,
    Municipality,
    Organization,
    OrganizationKind,
    Region,
    academic_year_of,
)
from regional_dashboard.models import (
    OrganizationRollup,
    PublishedCell,
    RegionPublication,
    RollupStep,
)
from regional_dashboard.privacy import percent
from regional_dashboard.publication import (
    Published,
    cells_of,
    organization_figures,
    organization_published,
    publications,
)
from tenants.roadmap.stages import label as stage_label

# Counts of people or pairs: shown only as published (disclosure control).
PEOPLE_FIELDS = ("mentors", "mentees", "consents_missing", "pupils_involved", "teachers_involved",
                 "pairs_total", "pairs_active", "groups", "meetings_held", "programs_completed",
                 "waves_total", "waves_late", "survey_invited", "survey_answered", "satisfaction_n",
                 "growth_n", "outcome_n")  # fmt: skip
# Sums that go with a count (shown where it is): what the averages are made of.
COMPANION_FIELDS = ("satisfaction_points", "satisfaction_base", "growth_points", "growth_base")
# Roadmap events and the organisations' headcounts (registry data): summed live.
LIVE_FIELDS = ("items_total", "items_done", "items_overdue", "pupils_count", "teachers_count")
# Monitoring's derived figures: shares in per cent, the satisfaction index 0–100, the mean
# shift of the mentees' characteristics in levels of the scale.
MONITORING_SHARES = ("survey_rate", "satisfaction_index", "growth_share", "outcomes_share")
HIDDEN = "…"  # Росстат's sign for a figure withheld to keep respondents' data confidential
STEP_COUNTS = ("done", "on_time", "overdue")
BREAKDOWNS = {
    "pairs_by_form": "Пары и группы по формам наставничества",
    "pairs_by_kind": "По видам наставничества",
    "pairs_by_status": "По этапам жизни пары",
    "mentors_by_category": "Наставники по категориям",
    "mentees_by_category": "Наставляемые по категориям",
    "growth_by_direction": "Характеристики: «вход» → «выход»",
    "outcomes_by_direction": "Результаты: вход → выход",
}


@dataclass
class Scope:
    """Where a user may look: whole regions, or some municipalities."""

    regions: list[Region]
    municipalities: list[Municipality] | None  # None: every municipality of the regions

    @cached_property
    def municipality_ids(self) -> list[int]:
        if self.municipalities is not None:
            return [m.pk for m in self.municipalities]
        return list(
            Municipality.objects.filter(region__in=self.regions).values_list("pk", flat=True)
        )

    def organizations(self) -> QuerySet[Organization]:
        # By municipality ids, not a join to the municipalities: the registry's small tables
        # are below autovacuum's thresholds, and an unanalysed one made PostgreSQL expect a
        # dozen organisations instead of 2,000 (nested loops: twice the page's time).
        return Organization.objects.filter(
            is_active=True, municipality_id__in=self.municipality_ids
        )

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
            user=user,
            role__in=[
                Role.REGIONAL_OPERATOR,
                Role.TUTOR,
                Role.CNPPM_HEAD,
                Role.MUNICIPAL_SPECIALIST,
            ],
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


def latest_rollups(
    organizations: QuerySet[Organization], year: int
) -> QuerySet[OrganizationRollup]:
    """The newest row of the year for each organisation (marked when written), as a queryset
    to aggregate in SQL or to list."""
    return OrganizationRollup.objects.filter(
        academic_year=year, is_latest=True, organization__in=organizations
    ).select_related("organization__municipality")


def available_years(organizations: QuerySet[Organization]) -> list[int]:
    return sorted(
        set(
            OrganizationRollup.objects.filter(is_latest=True, organization__in=organizations)
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


Params = Mapping[str, Any] | QueryParams


def _reader(params: Params) -> QueryParams:
    """Pages pass the query string (a bad value is as if not given); the API passes a strict
    QueryParams (a bad value is a 400 naming it)."""
    return params if isinstance(params, QueryParams) else QueryParams(params, strict=False)


def chosen_municipality(scope: Scope, params: Params) -> Municipality | None:
    """The `municipality` of the query string, checked against the scope; None if not given."""
    chosen = _reader(params).integer("municipality")
    return municipality_in_scope(scope, chosen) if chosen is not None else None


def year_and_kind(params: Params, organizations: QuerySet[Organization]) -> dict[str, Any]:
    """The academic year asked for (else the newest with figures) and the kind of organisation."""
    reader = _reader(params)
    years = available_years(organizations)
    year = reader.year("year")
    if year not in years:
        today = timezone.localdate()
        year = years[0] if years else academic_year_of(today)
    kind = reader.choice("kind", OrganizationKind.values)
    return {"year": year, "years": years or [year], "kind": kind, "kinds": OrganizationKind.choices}


class Latest(NamedTuple):
    """An organisation's latest rollup row as the region's page sums and ranks it."""

    pk: int
    municipality_id: int
    region_id: int
    items_total: int
    items_done: int
    items_overdue: int
    pupils_count: int
    teachers_count: int


@dataclass
class Selection:
    """The organisations a page, report or API call covers (scope and filters applied), and
    their latest rollups of the chosen year."""

    filters: dict[str, Any]
    organizations: QuerySet[Organization]
    scope: Scope | None = None
    municipality: Municipality | None = None

    @property
    def year(self) -> int:
        return int(self.filters["year"])

    def cell_keys(self) -> list[tuple[int, int | None]]:
        """The published cells (region, municipality or None) whose sum the selection is."""
        if self.municipality is not None:
            return [(self.municipality.region_id, self.municipality.pk)]
        assert self.scope is not None
        if self.scope.municipalities is not None:
            return [(m.region_id, m.pk) for m in self.scope.municipalities]
        return [(r.pk, None) for r in self.scope.regions]

    @cached_property
    def cells(self) -> tuple[dict[tuple[int, int | None], PublishedCell], set[int]]:
        return cells_of(self.publications, self.year, self.filters["kind"])

    @cached_property
    def publications(self) -> dict[int, RegionPublication]:
        assert self.scope is not None
        return publications(self.scope.regions, self.year)

    def published(
        self, keys: list[tuple[int, int | None]] | None = None, *, day: dt.date | None = None
    ) -> Published:
        """People counts of the selection (or of some of its cells) as they may be shown: as
        last published, or as published on or before `day`."""
        keys = self.cell_keys() if keys is None else keys
        cells, covered = (
            self.cells
            if day is None
            else cells_of(self.publications, self.year, self.filters["kind"], day=day)
        )
        if any(region not in covered and region in self.regions_with_rows for region, _ in keys):
            return Published.nothing()  # rows not yet published: nothing rather than raw counts
        times = [p.published_at for p in self.publications.values()]
        return Published.of_cells([cells.get(key) for key in keys], max(times, default=None))

    @cached_property
    def organization_figures(self) -> dict[int, dict[str, int | None]]:
        """Each organisation's counts as last published."""
        return organization_figures(self.publications, self.year)

    @cached_property
    def regions_with_rows(self) -> set[int]:
        return {row.region_id for row in self.latest}

    @cached_property
    def latest(self) -> list[Latest]:
        """The latest rows' numbers, most overdue first, then by name (PostgreSQL's collation):
        one narrow read that the sums, the sums per municipality and the rankings share (each
        its own query over the join to the registry cost the region's page 10–20 ms)."""
        return [
            Latest(*values)
            for values in self.rows.order_by("-items_overdue", "organization__short_name")
            .values_list("pk", "organization__municipality", "organization__municipality__region",
                         *Latest._fields[3:])
        ]  # fmt: skip

    @property
    def rows(self) -> QuerySet[OrganizationRollup]:
        return latest_rollups(self.organizations, self.year)


def select(*, scope: Scope, params: Params, municipality: Municipality | None = None) -> Selection:
    """Filters from the query string and the organisations they leave."""
    organizations = scope.organizations()
    if municipality is not None:
        organizations = organizations.filter(municipality=municipality)
    filters = year_and_kind(params, organizations)
    if filters["kind"]:
        organizations = organizations.filter(kind=filters["kind"])
    return Selection(filters, organizations, scope, municipality)


@dataclass
class Summary:
    """Figures of a set of organisations ready to show: roadmap figures summed from the
    rollups, people counts as published (regional_dashboard.publication)."""

    organizations: int = 0
    totals: dict[str, int] = field(default_factory=dict)  # roadmap figures and headcounts
    published: Published = field(default_factory=Published.nothing)

    @classmethod
    def of_row(
        cls, row: OrganizationRollup | None, figures: dict[str, int | None] | None
    ) -> Summary:
        """One organisation's row (roadmap figures) and its counts as published (`figures`:
        the latest publication's, or a past day's)."""
        if row is None:
            return cls(totals=dict.fromkeys(LIVE_FIELDS, 0))
        return cls(organizations=1, totals={name: getattr(row, name) for name in LIVE_FIELDS},
                   published=organization_published(figures))  # fmt: skip

    @classmethod
    def of_selection(cls, selection: Selection) -> Summary:
        """Roadmap sums of the latest rows; people counts from the publication."""
        return cls.of_rows(selection.latest, selection.published())

    @classmethod
    def of_rows(cls, rows: list[Latest], published: Published) -> Summary:
        totals = {name: sum(getattr(row, name) for row in rows) for name in LIVE_FIELDS}
        return cls(organizations=len(rows), totals=totals, published=published)

    def shown(self, hidden: object = HIDDEN) -> dict[str, Any]:
        """Everything a page shows; a hidden people count is `hidden` («…» on pages and in
        reports, None in the API). Shares of people are computed from published counts only."""
        t, people = self.totals, self.published.figures
        shown: dict[str, Any] = {name: t[name] for name in LIVE_FIELDS}
        for name in PEOPLE_FIELDS:
            value = people.get(name)
            shown[name] = hidden if value is None else value
        shown["items_done_share"] = percent(t["items_done"], t["items_total"])
        pupils, teachers = people.get("pupils_involved"), people.get("teachers_involved")
        shown["pupils_coverage"] = None if pupils is None else percent(pupils, t["pupils_count"])
        shown["teachers_coverage"] = (
            None if teachers is None else percent(teachers, t["teachers_count"])
        )
        shown["organizations"] = self.organizations
        shown.update(self.monitoring())
        return shown

    def monitoring(self) -> dict[str, float | None]:
        """Shares and averages of the monitoring, from published counts only (None where a
        part is withheld or there is nothing to count)."""
        people = self.published.figures

        def ratio(part: int | None, whole: int | None, scale: float = 100.0) -> float | None:
            if part is None or not whole:
                return None
            return round(part / whole * scale, 1)

        growth = self.published.breakdowns.get("growth_by_direction", {})
        outcomes = self.published.breakdowns.get("outcomes_by_direction", {})
        up = growth.get("рост", 0) if growth or people.get("growth_n") == 0 else None
        improved = (
            outcomes.get("улучшились", 0) if outcomes or people.get("outcome_n") == 0 else None
        )
        return {
            "survey_rate": ratio(people.get("survey_answered"), people.get("survey_invited") if people.get("survey_answered") is not None else None),
            "satisfaction_index": ratio(people.get("satisfaction_points"), people.get("satisfaction_base"), 1.0),
            "growth_share": ratio(up, people.get("growth_n")),
            "growth_shift": ratio(people.get("growth_points"), people.get("growth_base"), 0.01),
            "outcomes_share": ratio(improved, people.get("outcome_n")),
        }  # fmt: skip

    def shown_breakdowns(self, hidden: object = HIDDEN) -> list[tuple[str, str, dict[str, Any]]]:
        result = []
        for name, title in BREAKDOWNS.items():
            counts = self.published.breakdowns.get(name, {})
            ordered = sorted(counts.items(), key=lambda item: (-(item[1] or 0), item[0]))
            result.append(
                (name, title, {label: hidden if n is None else n for label, n in ordered if n != 0})
            )
        return result

    def breakdown(self, name: str) -> dict[str, int | None]:
        return self.published.breakdowns.get(name, {})


class Listed(NamedTuple):
    """A latest row as the heatmap and «most behind» show it."""

    organization_id: int
    short_name: str
    municipality: str
    items_total: int
    items_done: int
    items_overdue: int
    stages: list[dict[str, Any]]


@dataclass
class HeatRow:
    organization_id: int
    short_name: str
    cells: list[dict[str, Any] | None]
    overdue: int
    done_share: float | None

    @property
    def cells_html(self) -> SafeString:
        """The row's cells, built here: 60 rows × ~16 steps through template tags cost more
        than all the page's queries, and format_html's lazy-aware escaping a third of the
        page's rendering. Every text goes through html.escape; states are our own words."""
        return mark_safe("".join(
            f'<td class="heat heat-{c["state"]}" title="{escape(c["title"])}: выполнено {c["done"]:d} из '
            f'{c["total"]:d}, просрочено {c["overdue"]:d}">{c["done"]:d}/{c["total"]:d}</td>'
            if c else '<td class="heat heat-none" title="нет этапа">—</td>'
            for c in self.cells
        ))  # fmt: skip


def stage_totals(selection: Selection) -> list[dict[str, Any]]:
    """Every stage of the target model met in the selection's latest rollups, in the
    catalogue's order, with its summed counts and its catalogue name."""
    steps = (
        RollupStep.objects.filter(
            academic_year=selection.year, organization__in=selection.organizations
        )
        .values("code")
        .annotate(position=Min("position"), **{name: Sum(name) for name in STEP_COUNTS})
        .order_by("position", "code")
    )
    return [{**step, "title": stage_label(step["code"])} for step in steps]


def heatmap(rows: list[Listed], codes: list[str]) -> list[HeatRow]:
    """Stages of the target model × organisations: for each cell done / on time / overdue and
    the counts, in the order of `codes`; an organisation without a stage gets an empty cell."""
    heat_rows = []
    for row in rows:
        by_code = {stage["code"]: stage for stage in row.stages}
        cells: list[dict[str, Any] | None] = []
        for code in codes:
            stage = by_code.get(code)
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
            cells.append({**stage, "state": state, "title": stage_label(code)})
        done_share = percent(row.items_done, row.items_total, digits=None)
        heat_rows.append(
            HeatRow(row.organization_id, row.short_name, cells, row.items_overdue, done_share)
        )
    return heat_rows


def ranked(
    selection: Selection, heat_limit: int, behind_limit: int = 10
) -> tuple[list[Listed], list[Listed]]:
    """The heatmap's rows (most overdue items first, then by name) and the most behind (most
    overdue, then the smallest share done, then by name), ranked on the selection's narrow
    read; only the rows shown are read whole (two sorts of 2,000 wide rows in PostgreSQL
    cost the page 60 ms; model instances of the shown ones, 10 ms more)."""
    latest = selection.latest
    heat = [row.pk for row in latest[:heat_limit]]
    # A stable sort: within equal overdue and share, the name order of the read stays.
    behind = [row.pk for row in sorted((r for r in latest if r.items_total > 0),
                                       key=lambda r: (-r.items_overdue, r.items_done / r.items_total))[:behind_limit]]  # fmt: skip
    shown = {
        pk: Listed(*values)
        for pk, *values in OrganizationRollup.objects.filter(pk__in={*heat, *behind})
        .values_list("pk", "organization_id", "organization__short_name",
                     "organization__municipality__name", *Listed._fields[3:])
    }  # fmt: skip
    return [shown[pk] for pk in heat], [shown[pk] for pk in behind]


def by_municipality(
    selection: Selection, hidden: object = HIDDEN
) -> list[tuple[Municipality, dict[str, Any]]]:
    """Figures per municipality of the selection: roadmap sums of its latest rows, people
    counts from each municipality's published cell."""
    groups: dict[int, list[Latest]] = {}
    for row in selection.latest:
        groups.setdefault(row.municipality_id, []).append(row)
    municipalities = Municipality.objects.in_bulk(list(groups))
    result = []
    for pk, rows in groups.items():
        municipality = municipalities[pk]
        published = selection.published([(municipality.region_id, municipality.pk)])
        result.append((municipality, Summary.of_rows(rows, published).shown(hidden)))
    return sorted(result, key=lambda pair: pair[0].name)


TREND_POINTS = 12


def trend(selection: Selection, today: dt.date) -> list[dict[str, Any]]:
    """Weekly points (up to TREND_POINTS, ending today) of the figures summed over the
    selection's organisations, each counted by its newest row on or before that day (one
    query, a LATERAL look-up per organisation and point over the rollup index); people counts
    are those published on or before each day."""
    organizations, year = selection.organizations, selection.year
    start = max(
        dt.date(year, *DEFAULT_ACADEMIC_YEAR_START), today - dt.timedelta(weeks=TREND_POINTS - 1)
    )
    if start > today:
        return []
    ids = list(organizations.values_list("pk", flat=True))
    table = OrganizationRollup._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            # An integer series, which the planner counts right (a date series is guessed at
            # 1,000 rows, and the cost guessed from it switches JIT compilation on: +140 ms).
            f"""SELECT %s::date - 7 * k, COUNT(r.id), SUM(r.items_done), SUM(r.items_total),
                       SUM(r.items_overdue), SUM(r.pupils_count)
                FROM generate_series(0, %s) AS k
                CROSS JOIN unnest(%s::bigint[]) AS o(id)
                CROSS JOIN LATERAL (
                    SELECT * FROM {table} x
                    WHERE x.organization_id = o.id AND x.academic_year = %s AND x.day <= %s::date - 7 * k
                    ORDER BY x.day DESC LIMIT 1
                ) AS r
                GROUP BY 1 ORDER BY 1""",
            (today, (today - start).days // 7, ids, year, today),
        )
        rows = cursor.fetchall()
    points = []
    for day, n, done, total, overdue, count in rows:
        people = selection.published(day=day).figures
        pupils = people["pupils_involved"]
        points.append({
            "day": day, "organizations": n, "items_done_share": percent(done, total or 0),
            "items_overdue": overdue, "pairs_total": people["pairs_total"],
            "pupils_coverage": None if pupils is None else percent(pupils, count or 0),
        })  # fmt: skip
    return points
