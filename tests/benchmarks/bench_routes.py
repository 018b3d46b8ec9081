"""The ЦНППМ: a tutor's workspace with 150 assigned teachers in 60 schools, opening one route,
and the region's deficits page over BENCH_TENANTS schools.

- the workspace from the public projection (assignments + route statuses, a fixed number of
  queries) against the naive way in the same run: open each teacher's school schema and read
  the route there; queries counted at 20 and at 60 schools (flat);
- opening a route: the assignment and consent checks, the reads in the school's schema and the
  access log entry;
- the deficits page: reads the stored publication; the publication itself (the disclosure
  control over every school) is timed too.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from tests.benchmarks.harness import SHARED_POOL, Figure, bench_organizations, p95, settle

SCHOOLS = 60
TEACHERS = 150
REQUESTS = 30
AREAS = (
    "theory",
    "legal",
    "subject",
    "psychology",
    "methods",
    "ict",
    "digital",
    "upbringing",
    "health",
)


def _route(organization, teacher, rng: random.Random) -> int:  # type: ignore[no-untyped-def]
    from tenants.routes import services
    from tenants.routes.models import Activity, Recipient, Section

    today = organization.local_today()
    year = organization.academic_year_of(today)
    route = services.route_start(
        organization=organization, teacher=teacher, started_on=dt.date(year, 9, 1), years=5
    )
    services.route_describe(
        route=route, organization=organization, desired_image="Учитель-методист", position="учитель",
        subject="математика", years=5,
    )  # fmt: skip
    deficits = [
        services.deficit_add(
            route=route,
            organization=organization,
            area=area,
            description="Нужна помощь",
            user=teacher,
        )
        for area in rng.sample(AREAS, 2)
    ]
    for n, deficit in enumerate(deficits):
        services.activity_save(
            route=route, organization=organization, deficits=[deficit], user=teacher,
            activity=Activity(section=Section.COURSES, title=f"Курс {n}", provider="ЦНППМ", hours=36,
                              academic_year=year, deadline_text=f"до {dt.date(year + 1, 3, 1 + n):%d.%m.%Y}"),
        )  # fmt: skip
    services.consent_give(route=route, organization=organization, recipient=Recipient.TUTOR)
    return route.pk


def _statuses(organizations, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    """Three routes' statuses in every other school (as their schools' writes would leave them)."""
    from django.utils import timezone

    from accounts.models import User
    from cnppm.models import RouteStatus

    rows = []
    for organization in organizations:
        for n in range(3):
            teacher, _ = User.objects.get_or_create(username=f"bench.ped.{organization.slug}.{n}")
            rows.append(RouteStatus(
                organization=organization, route_id=100_000 + n, teacher=teacher, step=rng.randint(1, 7),
                started_on=dt.date(2026, 9, 1), ends_on=dt.date(2031, 8, 31),
                deficit_areas=rng.sample(AREAS, rng.randint(0, 3)), planned_hours={"digital": 36},
                changed_at=timezone.now(), shared_with_tutor=rng.random() < 0.7,
            ))  # fmt: skip
    RouteStatus.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


def _naive_caseload(tutor) -> int:  # type: ignore[no-untyped-def]
    """The caseload by opening every school's schema: what a loop over tenants costs."""
    from django_tenants.utils import schema_context

    from cnppm.models import Assignment
    from tenants.routes.models import Route

    seen = 0
    for assignment in Assignment.objects.filter(tutor=tutor, ended_at__isnull=True).select_related(
        "organization"
    ):
        with schema_context(assignment.organization.schema_name):
            route = Route.objects.filter(teacher_id=assignment.teacher_id).first()
            if route is not None:
                list(route.deficits.values_list("area", flat=True))
                list(route.activities.values_list("due_on", flat=True))
                seen += 1
    return seen


def run(n_tenants: int) -> list[Figure]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import tenant_context

    from accounts.models import Membership, Role, User
    from cnppm.models import Assignment
    from cnppm.publication import publish
    from cnppm.services import assignment_create
    from organizations.models import Region
    from tests.two_factor import logged_in

    rng = random.Random(15)
    organizations = bench_organizations(max(n_tenants, SCHOOLS), SHARED_POOL)
    schools = organizations[:SCHOOLS]
    region = Region.objects.get(code="97")
    tutor, _ = User.objects.get_or_create(
        username="bench.tutor", defaults={"last_name": "Тьюторова"}
    )
    head, _ = User.objects.get_or_create(
        username="bench.cnppm", defaults={"last_name": "Руководителева"}
    )
    Membership.objects.get_or_create(user=tutor, role=Role.TUTOR, region=region)
    Membership.objects.get_or_create(user=head, role=Role.CNPPM_HEAD, region=region)
    started = time.perf_counter()
    opened: tuple[int, int] | None = None
    if not Assignment.objects.filter(tutor=tutor).exists():
        for n in range(TEACHERS):
            organization = schools[n % SCHOOLS]
            teacher, _ = User.objects.get_or_create(
                username=f"bench.teacher.{n}",
                defaults={"last_name": f"Педагогова{n}", "first_name": "Анна"},
            )
            Membership.objects.get_or_create(
                user=teacher, role=Role.MENTOR, organization=organization
            )
            with tenant_context(organization):
                route_id = _route(organization, teacher, rng)
            assignment_create(
                region=region, tutor=tutor, organization=organization, teacher=teacher, by=head
            )
            opened = opened or (organization.pk, route_id)
    _statuses(organizations[SCHOOLS:], rng)
    print(
        f"  {TEACHERS} routes in {SCHOOLS} schools built in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    if opened is None:
        from cnppm.models import RouteStatus

        status = RouteStatus.objects.filter(teacher__username="bench.teacher.0").first()
        assert status is not None
        opened = (status.organization_id, status.route_id)
    settle()
    client = logged_in(Client(HTTP_HOST="localhost"), tutor)

    def timed_get(url: str) -> list[float]:
        assert client.get(url).status_code == 200  # warm
        samples = []
        for _ in range(REQUESTS):
            t = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - t)
            assert response.status_code == 200
        return samples

    workspace = p95(timed_get("/cnppm/")) * 1000
    naive = []
    for _ in range(5):
        t = time.perf_counter()
        assert _naive_caseload(tutor) == TEACHERS
        naive.append(time.perf_counter() - t)
    naive_ms = p95(naive) * 1000

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    queries_all = queries("/cnppm/")
    # A tutor of three teachers in one school: the same number of queries as for 60 schools.
    small, _ = User.objects.get_or_create(
        username="bench.tutor.small", defaults={"last_name": "Малая"}
    )
    Membership.objects.get_or_create(user=small, role=Role.TUTOR, region=region)
    for n in range(3):
        teacher, created = User.objects.get_or_create(username=f"bench.teacher.small.{n}")
        Membership.objects.get_or_create(user=teacher, role=Role.MENTOR, organization=schools[0])
        if created:
            with tenant_context(schools[0]):
                _route(schools[0], teacher, rng)
        assignment_create(
            region=region, tutor=small, organization=schools[0], teacher=teacher, by=head
        )
    client_small = logged_in(Client(HTTP_HOST="localhost"), small)
    with CaptureQueriesContext(connection) as captured:
        assert client_small.get("/cnppm/").status_code == 200
    queries_one = len(captured)
    route_open = p95(timed_get(f"/cnppm/routes/{opened[0]}/{opened[1]}/")) * 1000

    t = time.perf_counter()
    publish(region)
    publish_s = time.perf_counter() - t
    deficits = p95(timed_get("/cnppm/deficits/")) * 1000
    schools_with_routes = len(organizations)
    return [
        Figure(
            "tutor_workspace_p95_ms",
            workspace,
            "ms",
            SCHOOLS,
            naive_ms,
            naive_ms / workspace,
            "< 150 ms",
        ),
        Figure("tutor_workspace_ratio", naive_ms / workspace, "x", SCHOOLS, target="naive ÷ ours"),
        Figure(
            "tutor_workspace_queries",
            queries_all,
            "queries",
            SCHOOLS,
            float(queries_one),
            target="flat in schools",
        ),
        Figure("route_open_p95_ms", route_open, "ms", SCHOOLS, target="< 100 ms"),
        Figure("region_deficits_p95_ms", deficits, "ms", schools_with_routes, target="< 150 ms"),
        Figure("region_deficits_publish_s", publish_s, "s", schools_with_routes),
    ]
