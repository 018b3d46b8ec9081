"""Membership gate: on an organisation's host only its members get through."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from accounts.selectors import organization_roles, public_roles
from organizations.schemas import is_public_schema

# Paths reachable on a tenant host without a membership (log in, log out, assets, health).
# Calendar feeds and questionnaire links are opened without logging in: a secret token guards them.
OPEN_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/static/",
    "/healthz",
    "/favicon.ico",
    "/calendar/",
    "/q/",
    "/choose/",
)


class OrganizationMembershipMiddleware:
    """Runs after authentication: anonymous → login page, a non-member → 403.

    Sets `request.roles` (the user's roles in the host's scope) for views and navigation.
    Platform superusers get no pass either: personal data is seen only by members.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if tenant is None or is_public_schema():
            timezone.deactivate()
            request.roles = public_roles(user=request.user)  # type: ignore[attr-defined]
            return self.get_response(request)

        # Times on an organisation's pages are its local times (Russia spans 11 zones).
        timezone.activate(tenant.zone)

        request.roles = frozenset()  # type: ignore[attr-defined]
        if request.path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        if not request.user.is_authenticated:
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Требуется вход в систему."}, status=401)
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        roles = organization_roles(user=request.user, organization=tenant)
        if not roles:
            return TemplateResponse(
                request, "403.html", {"organization": tenant}, status=403
            ).render()
        request.roles = roles  # type: ignore[attr-defined]
        return self.get_response(request)
