"""Reads of a route, materialised: a tutor's page reads the school's schema inside
`schema_context` and renders outside it, so nothing here may stay a lazy queryset."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from tenants.routes.models import (
    STEP_HINTS,
    Activity,
    ActivityStatus,
    AreaResult,
    Change,
    Deficit,
    DeficitProgress,
    Diagnosis,
    Recipient,
    Reflection,
    RespondentKind,
    Review,
    Route,
    RouteAccess,
    RouteConsent,
    Section,
    Step,
)
from tenants.routes.services import strengths


@dataclass
class StepState:
    number: int
    title: str
    hint: str
    state: str  # done, current, todo


@dataclass
class AreaRow:
    code: str
    title: str
    levels: dict[str, Any]  # respondent kind → Decimal level or None
    own: AreaResult | None
    others: dict[str, AreaResult]
    is_deficit: bool
    is_strength: bool  # an achievement and resource of the teacher (step 2)


@dataclass
class ActivityRow:
    activity: Activity
    deficits: list[Deficit]
    reviews: list[Review]
    overdue: bool


@dataclass
class SectionRows:
    code: str
    title: str
    rows: list[ActivityRow]


@dataclass
class ReflectionRow:
    reflection: Reflection
    progress: list[DeficitProgress]


@dataclass
class RouteOverview:
    route: Route
    academic_year: int
    steps: list[StepState]
    instrument: dict[str, Any]
    diagnoses: dict[str, Diagnosis]
    areas: list[AreaRow]
    deficits: list[Deficit]
    closed_deficits: list[Deficit]
    sections: list[SectionRows]
    recommended: list[ActivityRow]
    changes: list[Change]
    reviews: list[Review]
    reflections: list[ReflectionRow]
    shared_with: set[str]
    accesses: list[RouteAccess] = field(default_factory=list)

    @property
    def activities(self) -> list[ActivityRow]:
        return [row for section in self.sections for row in section.rows]

    @property
    def overdue(self) -> int:
        return sum(1 for row in self.activities if row.overdue)

    @property
    def planned_hours(self) -> int:
        return sum(
            row.activity.hours or 0
            for row in self.activities
            if row.activity.section == Section.COURSES
        )

    @property
    def shared_with_tutor(self) -> bool:
        return Recipient.TUTOR in self.shared_with

    @property
    def shared_with_curator(self) -> bool:
        return Recipient.CURATOR in self.shared_with


def _steps(route: Route) -> list[StepState]:
    result = []
    for step in Step:
        if step.value < route.step:
            state = "done"
        elif step.value == route.step:
            state = "current"
        else:
            state = "todo"
        if step == Step.CORRECTION and route.approved_once and route.step != Step.CORRECTION:
            state = "done" if route.step > Step.CORRECTION else "todo"
        result.append(StepState(step.value, str(step.label), STEP_HINTS[step], state))
    return result


def route_overview(
    route: Route, *, today: dt.date, academic_year: int, instrument: dict[str, Any],
    with_accesses: bool = False,
) -> RouteOverview:  # fmt: skip
    """Everything a route page shows, read now. `instrument` is the version in force (used when
    no diagnosis of the year exists yet)."""
    diagnoses = {
        d.kind: d
        for d in Diagnosis.objects.filter(
            route=route, academic_year=academic_year
        ).prefetch_related("results")
    }
    own = diagnoses.get(RespondentKind.SELF)
    shown_instrument = own.instrument if own is not None else instrument
    all_deficits = list(route.deficits.all())
    open_deficits = [d for d in all_deficits if d.closed_on is None]
    deficit_areas = {d.area for d in open_deficits}
    results = {kind: {r.area: r for r in d.results.all()} for kind, d in diagnoses.items()}
    strong = set(strengths(results.get(RespondentKind.SELF, {}).values()))
    areas = []
    for area in shown_instrument["areas"]:
        by_kind = {kind: rows.get(area["code"]) for kind, rows in results.items()}
        areas.append(AreaRow(
            code=area["code"], title=area["title"],
            levels={kind: (r.level if r else None) for kind, r in by_kind.items()},
            own=by_kind.get(RespondentKind.SELF),
            others={k: r for k, r in by_kind.items() if k != RespondentKind.SELF and r is not None},
            is_deficit=area["code"] in deficit_areas,
            is_strength=area["code"] in strong,
        ))  # fmt: skip
    activities = list(
        Activity.objects.filter(route=route)
        .exclude(status=ActivityStatus.CANCELLED)
        .prefetch_related("deficits", Prefetch("reviews", queryset=Review.objects.order_by("-at")))
    )
    rows = [
        ActivityRow(a, list(a.deficits.all()), list(a.reviews.all()), a.is_overdue(today))
        for a in activities
    ]
    sections = [
        SectionRows(
            code,
            str(title),
            [
                r
                for r in rows
                if r.activity.section == code and r.activity.status != ActivityStatus.RECOMMENDED
            ],
        )
        for code, title in Section.choices
    ]
    reflections = [
        ReflectionRow(r, list(r.progress.select_related("deficit")))
        for r in Reflection.objects.filter(route=route).prefetch_related("progress")
    ]
    shared = set(
        RouteConsent.objects.filter(route=route, withdrawn_at__isnull=True).values_list(
            "recipient", flat=True
        )
    )
    return RouteOverview(
        route=route, academic_year=academic_year, steps=_steps(route), instrument=shown_instrument,
        diagnoses=diagnoses, areas=areas, deficits=open_deficits,
        closed_deficits=[d for d in all_deficits if d.closed_on is not None], sections=sections,
        recommended=[r for r in rows if r.activity.status == ActivityStatus.RECOMMENDED],
        changes=list(Change.objects.filter(route=route)[:200]),
        reviews=list(Review.objects.filter(route=route).select_related("activity")[:200]),
        reflections=reflections, shared_with=shared,
        accesses=list(RouteAccess.objects.filter(route=route)[:50]) if with_accesses else [],
    )  # fmt: skip


def route_overview_in(
    route: Route, organization: Any, *, with_accesses: bool = False
) -> RouteOverview:
    """route_overview on the organisation's own day and year, with its region's instrument in
    force (in the organisation's schema: on its host, or inside a tutor's schema_context)."""
    from cnppm.services import instrument_for

    today = organization.local_today()
    return route_overview(
        route, today=today, academic_year=organization.academic_year_of(today),
        instrument=instrument_for(organization).content, with_accesses=with_accesses,
    )  # fmt: skip
