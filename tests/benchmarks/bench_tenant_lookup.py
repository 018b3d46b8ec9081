"""Host → organisation per request: warm in-process cache vs the registry query each time."""

from __future__ import annotations

import time

from tests.benchmarks.harness import Figure, bench_organizations

ROUNDS = 2000


def run(n_tenants: int) -> list[Figure]:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from organizations import tenant_cache
    from organizations.models import Domain

    [organization] = bench_organizations(1, "lookup")
    host = Domain.objects.get(tenant=organization).domain

    def per_lookup(action) -> float:  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        for _ in range(ROUNDS):
            action()
        return (time.perf_counter() - started) / ROUNDS * 1e6

    tenant_cache.clear()
    tenant_cache.tenant_for_host(host)
    warm = per_lookup(lambda: tenant_cache.tenant_for_host(host))
    naive = per_lookup(
        lambda: Domain.objects.select_related("tenant", "tenant__municipality").get(domain=host)
    )

    from accounts.models import Membership, Role, User

    user = User.objects.create_user("bench.coordinator", password="bench-pass-123")
    Membership.objects.create(user=user, role=Role.COORDINATOR, organization=organization)
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    assert client.get("/").status_code == 200
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        for _ in range(50):
            client.get("/")
    registry_queries = sum("organizations_domain" in q["sql"] for q in queries.captured_queries)
    search_paths = sum("search_path" in q["sql"].lower() for q in queries.captured_queries)
    return [
        Figure("tenant_lookup_warm_us", warm, "us", baseline=naive, ratio=naive / warm),
        Figure(
            "tenant_lookup_registry_queries_per_50_requests",
            registry_queries,
            "queries",
            target="0 when warm",
        ),
        Figure(
            "tenant_lookup_search_path_sets_per_50_requests", search_paths, "SETs", target="<= 50"
        ),
    ]
