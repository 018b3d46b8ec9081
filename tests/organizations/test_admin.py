"""The platform operator adds an organisation in the Django admin: the schema is cloned."""

from __future__ import annotations

from django_tenants.utils import schema_exists

from organizations.models import Domain, Organization
from tests.conftest import host_client


def test_adding_an_organisation_in_the_admin_provisions_its_schema(world, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x-admin-pass-1")
    client = host_client("localhost", root)
    form = client.get("/admin/organizations/organization/add/")
    assert form.status_code == 200
    assert "Полное наименование" in form.content.decode()
    response = client.post(
        "/admin/organizations/organization/add/",
        {
            "full_name": "Муниципальное бюджетное учреждение дополнительного образования «Омега»",
            "short_name": "МБУ ДО «Омега»",
            "slug": "omega",
            "kind": "additional",
            "municipality": world.south.pk,
            "timezone": "Asia/Omsk",
            "pupils_count": 300,
            "teachers_count": 20,
            "academic_year_start_day": 1,
            "academic_year_start_month": 9,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    organization = Organization.objects.get(slug="omega")
    assert schema_exists("omega")
    assert Domain.objects.get(tenant=organization).domain == "omega.localhost"


def test_the_admin_refuses_a_taken_slug_with_a_russian_message(world, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x-admin-pass-1")
    response = host_client("localhost", root).post(
        "/admin/organizations/organization/add/",
        {
            "full_name": "x",
            "short_name": "x",
            "slug": "alpha",
            "kind": "school",
            "municipality": world.south.pk,
            "timezone": "Europe/Moscow",
            "pupils_count": 0,
            "teachers_count": 0,
            "academic_year_start_day": 1,
            "academic_year_start_month": 9,
        },
    )
    assert response.status_code == 200
    assert "уже существует" in response.content.decode()


def test_organisations_cannot_be_deleted_from_the_admin(world, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x-admin-pass-1")
    response = host_client("localhost", root).get(
        f"/admin/organizations/organization/{world.alpha.pk}/delete/"
    )
    assert response.status_code == 403
