"""The request as the middleware leaves it, typed (as Healthchecks' AuthenticatedHttpRequest)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from rest_framework.request import Request

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from organizations.models import Organization


class TenantRequest(HttpRequest):
    """For type checking only; never instantiated. A view says `request: TenantRequest` to use
    what the middleware chain set: the host's organisation (django-tenants; the public tenant on
    the regional host), the user's roles there (accounts.middleware) and htmx (django-htmx)."""

    tenant: Organization
    roles: frozenset[str]
    htmx: HtmxDetails


class TenantAPIRequest(Request):
    """The same for DRF: its Request hands unknown attributes on to the HttpRequest."""

    tenant: Organization
    roles: frozenset[str]
