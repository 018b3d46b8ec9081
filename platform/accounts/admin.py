"""Django admin for the platform operator: users and their roles."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django_tenants.utils import schema_context

from accounts.models import Membership, User
from accounts.services import user_delete


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["region", "municipality", "organization"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "last_name", "first_name", "patronymic", "email", "is_staff"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Личные данные", {"fields": ("last_name", "first_name", "patronymic", "email")}),
        (
            "Права",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Важные даты", {"fields": ("last_login", "date_joined")}),
    )

    # Tenant tables refer to users without database constraints: deletion goes through the
    # service, and the confirmation page lists shared objects only (see accounts.services).
    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        with schema_context(settings.TENANT_BASE_SCHEMA):
            return super().get_deleted_objects(objs, request)

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        user_delete(user=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            user_delete(user=user)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "region", "municipality", "organization", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__last_name", "organization__short_name"]
    autocomplete_fields = ["user", "region", "municipality", "organization"]
