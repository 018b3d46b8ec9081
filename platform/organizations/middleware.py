"""Host → organisation: django-tenants' middleware with a warm in-process cache."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django_tenants.middleware.main import TenantMainMiddleware

from organizations import tenant_cache


class CachedTenantMiddleware(TenantMainMiddleware):
    """Resolve the tenant by host without a query once the host has been seen.

    The bare BASE_DOMAIN and localhost serve the public schema (the regional layer) without a
    registry row; any other unknown host gets 404, never the public site.
    """

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        # django-tenants answers a host outside ALLOWED_HOSTS with an empty 404; the site's own
        # page says what happened, in Russian (400, as Django would).
        try:
            self.hostname_from_request(request)
        except DisallowedHost:
            return TemplateResponse(
                request, "400.html", {"unknown_host": True}, status=400
            ).render()
        return super().process_request(request)

    def get_tenant(self, domain_model, hostname):  # type: ignore[no-untyped-def]
        if hostname in settings.PUBLIC_HOSTS:
            return tenant_cache.public_tenant()
        return tenant_cache.tenant_for_host(hostname)
