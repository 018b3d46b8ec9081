"""Users and roles; the admin site that requires the second factor."""

from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Пользователи и роли"

    def ready(self) -> None:
        from accounts import signals  # noqa: F401  (connects the login receivers)


class PlatformAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with accounts.admin_site.PlatformAdminSite as admin.site."""

    default = False
    default_site = "accounts.admin_site.PlatformAdminSite"
