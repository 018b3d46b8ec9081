"""Provisioning a tenant: replaying the template schema's snapshot vs running the migrations."""

from __future__ import annotations

from django.test import override_settings

from tests.benchmarks.harness import Figure, p95, timed


def run(n_tenants: int) -> list[Figure]:
    from organizations.models import Municipality, Region
    from organizations.services import OrganizationData, organization_provision

    region, _ = Region.objects.get_or_create(code="97", defaults={"name": "Область для замеров"})
    municipality, _ = Municipality.objects.get_or_create(region=region, name="Район для замеров")
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

    # The schema step alone (no registry row, no roadmap): what the replay replaces.
    from organizations.models import Organization

    def schema_only(name: str) -> None:
        Organization(schema_name=name).create_schema(verbosity=0)

    schema_clone = [timed(lambda i=i: schema_only(f"sclone{i}")) for i in range(clones)]
    with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=False):
        schema_migrate = [timed(lambda i=i: schema_only(f"smigr{i}")) for i in range(migrations)]

    clone_p95, migrate_p95 = p95(clone_times), p95(migrate_times)
    schema_clone_p95, schema_migrate_p95 = p95(schema_clone), p95(schema_migrate)
    print(
        f"  provisioned {clones} organisations by snapshot replay, {migrations} by migrations "
        "(registry row, schema, domain, first roadmap); then the schema step alone"
    )
    return [
        Figure("provision_clone_p95_s", clone_p95, "s", clones, baseline=migrate_p95,
               ratio=migrate_p95 / clone_p95, target="< 2 s"),
        Figure("provision_migrate_p95_s", migrate_p95, "s", migrations),
        Figure("provision_ratio", migrate_p95 / clone_p95, "x", clones, target=">= 10x"),
        Figure("schema_clone_p95_s", schema_clone_p95, "s", clones, baseline=schema_migrate_p95,
               ratio=schema_migrate_p95 / schema_clone_p95),
        Figure("schema_migrate_p95_s", schema_migrate_p95, "s", migrations),
    ]  # fmt: skip
