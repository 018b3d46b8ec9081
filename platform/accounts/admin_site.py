"""The platform's admin site: staff only after the second factor (django-otp's rule)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest


class PlatformAdminSite(admin.AdminSite):
    site_header = "Платформа наставничества: администрирование"
    site_title = "Администрирование"
    index_title = "Реестр и пользователи"

    def has_permission(self, request: HttpRequest) -> bool:
        # As django_otp.admin.OTPAdminSite: an unverified session is no staff session. Kept
        # here rather than by swapping the site class, so every app's @admin.register holds.
        verified = getattr(request.user, "is_verified", None)
        return super().has_permission(request) and verified is not None and bool(verified())
