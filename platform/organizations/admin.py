"""Django admin for the platform operator; adding an organisation provisions its schema."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from organizations.models import Domain, Municipality, Organization, Region
from organizations.services import organization_data_of, organization_provision


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "timezone",
        "target_pupils_coverage",
        "target_teachers_coverage",
    ]
    search_fields = ["name", "code"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "oktmo"]
    list_filter = ["region"]
    search_fields = ["name"]


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["short_name", "kind", "municipality", "slug", "timezone", "is_active"]
    list_filter = ["kind", "municipality__region", "municipality", "is_active"]
    search_fields = ["short_name", "full_name", "slug"]
    autocomplete_fields = ["municipality"]
    inlines = [DomainInline]
    fields = [
        "full_name",
        "short_name",
        "slug",
        "kind",
        "municipality",
        "timezone",
        "pupils_count",
        "teachers_count",
        "academic_year_start_day",
        "academic_year_start_month",
        "is_active",
    ]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Organization | None = None
    ) -> list[str]:
        # The slug names the schema and the domain; renaming it is a migration, not an edit.
        return ["slug"] if obj is not None else []

    def get_inlines(self, request: HttpRequest, obj: Organization | None) -> list[Any]:
        return self.inlines if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Organization, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # The form has validated the fields (slug uniqueness included); the service builds
        # the schema and the domain in one transaction.
        provisioned = organization_provision(data=organization_data_of(obj))
        obj.pk = provisioned.pk
        obj.schema_name = provisioned.schema_name
        messages.success(request, f"Схема {provisioned.schema_name} создана клонированием шаблона.")

    def has_delete_permission(self, request: HttpRequest, obj: Organization | None = None) -> bool:
        # Deleting drops a school's data; switch it off (is_active) instead.
        return False
