"""Provisioning a tenant: cloning the template schema vs running the migrations."""

from __future__ import annotations

from django.test import override_settings

from tests.benchmarks.harness import Figure, p95, timed


def run(n_tenants: int) -> list[Figure]:
    from organizations.models import Municipality, Region
    from organizations.services import OrganizationData, organization_provision

    region = Region.objects.create(name="Область для замеров", code="97")
    municipality = Municipality.objects.create(region=region, name="Район для замеров")
    clones = min(max(n_tenants // 10, 20), 100)
    migrations = max(clones // 4, 5)

    def provision(slug: str) -> None:
        organization_provision(
            data=OrganizationData(
                full_name=f"Школа {slug}",
                short_name=slug,
                slug=slug,
                kind="school",
                municipality=municipality,
            )
        )

    clone_times = [timed(lambda i=i: provision(f"clone{i}")) for i in range(clones)]
    with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=False):
        migrate_times = [timed(lambda i=i: provision(f"migr{i}")) for i in range(migrations)]

    clone_p95, migrate_p95 = p95(clone_times), p95(migrate_times)
    print(f"  provisioned {clones} schemas by cloning, {migrations} by migrations")
    return [
        Figure(
            "provision_clone_p95_s",
            clone_p95,
            "s",
            clones,
            baseline=migrate_p95,
            ratio=migrate_p95 / clone_p95,
            target="< 2 s",
        ),
        Figure("provision_migrate_p95_s", migrate_p95, "s", migrations),
        Figure("provision_ratio", migrate_p95 / clone_p95, "x", clones, target=">= 10x"),
    ]
