"""Provisioning: registry row, schema cloned from the template, domain; all or nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from organizations.models import Domain, Organization
from organizations.services import OrganizationData, organization_provision
from tests.conftest import host_client


def _data(world, slug="gamma", **overrides):
    fields = {
        "full_name": "Муниципальное общеобразовательное учреждение «Школа Гамма»",
        "short_name": "МОУ «Школа Гамма»",
        "slug": slug,
        "kind": "school",
        "municipality": world.north,
    }
    fields.update(overrides)
    return OrganizationData(**fields)


def _tables(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [schema]
        )
        return {row[0] for row in cursor.fetchall()}


def test_provisioning_clones_the_template_schema_with_its_migration_history(world):
    organization = organization_provision(data=_data(world))
    assert organization.schema_name == "gamma"
    assert schema_exists("gamma")
    assert _tables("gamma") == _tables("tenant_template")
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM tenant_template.django_migrations ORDER BY 1, 2")
        template_history = cursor.fetchall()
        cursor.execute("SELECT app, name FROM gamma.django_migrations ORDER BY 1, 2")
        assert cursor.fetchall() == template_history
    assert Domain.objects.get(tenant=organization).domain == "gamma.localhost"


def test_template_schema_is_fully_migrated_for_tenant_apps(world):
    from django.db.migrations.loader import MigrationLoader

    with schema_context("tenant_template"):
        loader = MigrationLoader(connection)
    tenant_labels = {"contenttypes", "tenant_home"}
    expected = {key for key in loader.graph.nodes if key[0] in tenant_labels}
    assert expected <= set(loader.applied_migrations)


def test_new_organisation_is_reachable_on_its_subdomain(world):
    organization_provision(data=_data(world))
    from accounts.models import Membership, Role

    Membership.objects.create(
        user=world.alice, role=Role.DIRECTOR, organization=Organization.objects.get(slug="gamma")
    )
    response = host_client("gamma.localhost", world.alice).get("/")
    assert response.status_code == 200
    assert "МОУ «Школа Гамма»" in response.content.decode()


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("admin", "зарезервирован"),
        ("Школа", "латинских"),
        ("1school", "латинских"),
        ("alpha", "уже существует"),
    ],
)
def test_bad_slug_is_refused_in_russian_and_creates_nothing(world, slug, message):
    before = Organization.objects.count()
    with pytest.raises(ValidationError) as error:
        organization_provision(data=_data(world, slug=slug))
    assert message in " ".join(error.value.messages)
    assert Organization.objects.count() == before


def test_failure_after_the_schema_is_made_leaves_no_schema_behind(world):
    Domain.objects.create(domain="delta.localhost", tenant=world.alpha, is_primary=False)
    with pytest.raises(ValidationError, match="уже занят"):
        organization_provision(data=_data(world, slug="delta"))
    assert not schema_exists("delta")
    assert not Organization.objects.filter(slug="delta").exists()


def test_provision_tenant_command(world):
    call_command(
        "provision_tenant",
        "--slug",
        "epsilon",
        "--full-name",
        "Муниципальное автономное учреждение дополнительного образования «Эпсилон»",
        "--short-name",
        "МАУ ДО «Эпсилон»",
        "--kind",
        "additional",
        "--region-code",
        "98",
        "--municipality",
        "Новый район",
        "--timezone",
        "Asia/Omsk",
    )
    organization = Organization.objects.get(slug="epsilon")
    assert organization.municipality.name == "Новый район"
    assert organization.timezone == "Asia/Omsk"
    assert schema_exists("epsilon")


def test_provision_tenant_command_reports_an_unknown_region_in_russian(world):
    with pytest.raises(CommandError, match="Регион с кодом 11 не найден"):
        call_command(
            "provision_tenant",
            "--slug",
            "zeta",
            "--full-name",
            "x",
            "--short-name",
            "x",
            "--kind",
            "school",
            "--region-code",
            "11",
            "--municipality",
            "x",
        )


def test_timezone_defaults_to_the_region_and_local_today_uses_it(world):
    import datetime as dt

    organization = organization_provision(data=_data(world))
    assert organization.timezone == "Europe/Moscow"
    late_evening_utc = dt.datetime(2025, 8, 31, 22, 30, tzinfo=dt.UTC)
    assert organization.local_today(late_evening_utc) == dt.date(2025, 9, 1)
    assert world.beta.local_today(late_evening_utc) == dt.date(2025, 9, 1)  # UTC+7
    assert organization.academic_year_of(dt.date(2026, 1, 10)) == 2025
    assert organization.academic_year_bounds(2025) == (dt.date(2025, 9, 1), dt.date(2026, 8, 31))
