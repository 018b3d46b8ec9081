"""What the committee sees: rollup rows of the organisations in the user's scope, summed.

Reads only the public schema (rollups and the registry): two queries for a page whatever the
number of organisations. People counts pass through privacy.suppressed before display.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, F, FloatField, Min, QuerySet, Sum
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.html import format_html_join

from accounts.models import Membership, Role, User
from organizations.models import Municipality, Organization, OrganizationKind, Region
from regional_dashboard.models import OrganizationRollup, RollupCount, RollupStep
from regional_dashboard.privacy import percent, share, suppress_mapping, suppressed
from tenants.roadmap.stages import label as stage_label

PEOPLE_FIELDS = ("mentors", "mentees", "consents_missing", "pupils_involved", "teachers_involved",
                 "pairs_total", "pairs_active", "groups")  # fmt: skip
SUMMED_FIELDS = (*PEOPLE_FIELDS, "items_total", "items_done", "items_overdue", "meetings_held",
                 "programs_completed", "pupils_count", "teachers_count")  # fmt: skip
STEP_COUNTS = ("done", "on_time", "overdue")
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


def chosen_municipality(scope: Scope, params: Mapping[str, str]) -> Municipality | None:
    """The `municipality` of the query string, checked against the scope; None if not given."""
    chosen = params.get("municipality", "")
    return municipality_in_scope(scope, chosen) if chosen.isdigit() else None


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


@dataclass
class Selection:
    """The organisations a page, report or API call covers (scope and filters applied), and
    their latest rollups of the chosen year."""

    filters: dict[str, Any]
    organizations: QuerySet[Organization]

    @property
    def year(self) -> int:
        return int(self.filters["year"])

    @property
    def rows(self) -> QuerySet[OrganizationRollup]:
        return latest_rollups(self.organizations, self.year)


def select(
    *, scope: Scope, params: Mapping[str, str], municipality: Municipality | None = None
) -> Selection:
    """Filters from the query string and the organisations they leave."""
    organizations = scope.organizations()
    if municipality is not None:
        organizations = organizations.filter(municipality=municipality)
    filters = year_and_kind(params, organizations)
    if filters["kind"]:
        organizations = organizations.filter(kind=filters["kind"])
    return Selection(filters, organizations)


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

    @classmethod
    def of_selection(cls, selection: Selection) -> Summary:
        """The same sums computed by PostgreSQL: two queries whatever the number of rows."""
        totals = selection.rows.order_by().aggregate(
            _n=Count("pk"), **{name: Sum(name) for name in SUMMED_FIELDS}
        )
        summary = cls(organizations=totals.pop("_n"), totals={k: v or 0 for k, v in totals.items()},
                      breakdowns={name: Counter() for name in BREAKDOWNS})  # fmt: skip
        counts = (
            RollupCount.objects.filter(
                academic_year=selection.year, organization__in=selection.organizations,
                breakdown__in=list(BREAKDOWNS),
            )
            .values_list("breakdown", "label")
            .annotate(n=Sum("count"))
            .order_by()
        )  # fmt: skip
        for name, label, n in counts:
            summary.breakdowns[name][label] = n
        return summary

    def shown(self) -> dict[str, Any]:
        """Totals with people counts suppressed; shares computed before suppression."""
        t = self.totals
        shown: dict[str, Any] = {
            name: suppressed(t[name]) if name in PEOPLE_FIELDS else t[name]
            for name in SUMMED_FIELDS
        }
        shown["items_done_share"] = percent(t["items_done"], t["items_total"])
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

    @property
    def cells_html(self) -> str:
        """The row's cells, built here: 60 rows × ~16 steps through template tags cost more
        than all the page's queries."""
        return format_html_join(
            "", '<td class="heat heat-{}" title="{}">{}</td>',
            ((c["state"], f"{c['title']}: выполнено {c['done']} из {c['total']}, просрочено {c['overdue']}",
              f"{c['done']}/{c['total']}") if c else ("none", "нет этапа", "—") for c in self.cells),
        )  # fmt: skip


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


def heatmap(rows: list[OrganizationRollup], codes: list[str]) -> list[HeatRow]:
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
        heat_rows.append(HeatRow(row.organization, cells, row.items_overdue, done_share))
    return heat_rows


def most_behind(rows: QuerySet[OrganizationRollup], limit: int = 10) -> list[OrganizationRollup]:
    """Most overdue items first, then the smallest share done."""
    share_done = Cast("items_done", FloatField()) / F("items_total")
    return list(
        rows.filter(items_total__gt=0).order_by(
            "-items_overdue", share_done, "organization__short_name"
        )[:limit]
    )


def by_municipality(
    rows: QuerySet[OrganizationRollup],
) -> list[tuple[Municipality, dict[str, Any]]]:
    """Sums per municipality, in one GROUP BY."""
    groups = (
        rows.order_by()
        .values("organization__municipality")
        .annotate(_n=Count("pk"), **{name: Sum(name) for name in SUMMED_FIELDS})
    )
    municipalities = Municipality.objects.in_bulk([g["organization__municipality"] for g in groups])
    result = []
    for group in groups:
        values: dict[str, Any] = dict(group)
        municipality = municipalities[values["organization__municipality"]]
        summary = Summary(
            organizations=values["_n"], totals={k: values[k] or 0 for k in SUMMED_FIELDS}
        )
        result.append((municipality, summary.shown()))
    return sorted(result, key=lambda pair: pair[0].name)


TREND_POINTS = 12


def trend(organizations: QuerySet[Organization], year: int, today: dt.date) -> list[dict[str, Any]]:
    """Weekly points (up to TREND_POINTS, ending today) of the figures summed over the
    organisations, each organisation counted by its newest row on or before that day: one
    query, a LATERAL look-up per organisation and point over the rollup index."""
    start = max(dt.date(year, 9, 1), today - dt.timedelta(weeks=TREND_POINTS - 1))
    if start > today:
        return []
    ids = list(organizations.values_list("pk", flat=True))
    table = OrganizationRollup._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            # An integer series, which the planner counts right (a date series is guessed at
            # 1,000 rows, and the cost guessed from it switches JIT compilation on: +140 ms).
            f"""SELECT %s::date - 7 * k, COUNT(r.id), SUM(r.items_done), SUM(r.items_total),
                       SUM(r.items_overdue), SUM(r.pairs_total), SUM(r.pupils_involved), SUM(r.pupils_count)
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
    return [
        {"day": day, "organizations": n,
         "items_done_share": percent(done, total or 0),
         "items_overdue": overdue, "pairs_total": suppressed(pairs),
         "pupils_coverage": share(pupils or 0, count or 0)}
        for day, n, done, total, overdue, pairs, pupils, count in rows
    ]  # fmt: skip
