"""Gates after authentication: the second factor where it applies, then membership."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from accounts.selectors import organization_roles, public_roles, two_factor_state
from core.requests import TenantRequest
from organizations.schemas import is_public_schema

# What a user who still owes the second factor may open: the code and enrolment pages, logout.
TWO_FACTOR_OPEN_PREFIXES = (
    "/accounts/two-factor/",
    "/accounts/logout/",
    "/static/",
    "/healthz",
    "/favicon.ico",
)


class TwoFactorMiddleware:
    """Runs after django-otp's OTPMiddleware, on every host.

    A logged-in user who has an authenticator but has not typed its code in this session, or
    whose role requires 2FA and who has none yet, reaches nothing but the pages above: pages
    redirect to the code (or enrolment) page, the API answers 403. The admin site also checks
    (accounts.admin_site), should this middleware ever be left out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            not user.is_authenticated
            or user.is_verified()  # type: ignore[attr-defined]  # set by OTPMiddleware
            or request.path.startswith(TWO_FACTOR_OPEN_PREFIXES)
        ):
            return self.get_response(request)
        state = two_factor_state(user=user)
        if state.enrolled:
            page = "accounts:two_factor_verify"
            message = "Подтвердите вход кодом из приложения-аутентификатора."
        elif state.required:
            page = "accounts:two_factor_setup"
            message = "Для вашей роли нужна двухфакторная аутентификация: подключите её."
        else:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=403)
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse(page)}?{query}")


# Paths reachable on a tenant host without a membership: the user's own account pages (log in
# and out, second factor, password, security), assets, health. Calendar feeds and
# questionnaire links are opened without logging in: a secret token guards them.
OPEN_PREFIXES = (
    "/accounts/",
    "/static/",
    "/healthz",
    "/favicon.ico",
    "/calendar/",
    "/q/",
    "/choose/",
    "/m/",  # a monitoring questionnaire's personal link
)


class OrganizationMembershipMiddleware:
    """Runs after authentication: anonymous → login page, a non-member → 403.

    Sets `request.roles` (the user's roles in the host's scope) for views and navigation.
    Platform superusers get no pass either: personal data is seen only by members.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant_request = cast(TenantRequest, request)  # the attributes this middleware sets
        tenant = getattr(request, "tenant", None)
        if tenant is None or is_public_schema():
            timezone.deactivate()
            tenant_request.roles = public_roles(user=request.user)
            return self.get_response(request)

        # Times on an organisation's pages are its local times (Russia spans 11 zones).
        timezone.activate(tenant.zone)

        tenant_request.roles = frozenset()
        if request.path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        if not request.user.is_authenticated:
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Требуется вход в систему."}, status=401)
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        roles = organization_roles(user=request.user, organization=tenant)
        if not roles:
            if request.path.startswith("/api/"):  # as the API documents its 403: JSON
                return JsonResponse({"detail": "Нет роли в этой организации."}, status=403)
            return TemplateResponse(
                request, "403.html", {"organization": tenant}, status=403
            ).render()
        tenant_request.roles = roles
        return self.get_response(request)
