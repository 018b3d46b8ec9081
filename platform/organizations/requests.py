"""What a request on an organisation's host carries: the organisation, the academic year asked for."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.http import HttpRequest

from core.params import QueryParams
from core.requests import TenantRequest
from organizations.models import Organization


def request_organization(request: HttpRequest) -> Organization:
    """The organisation whose host the request came to (set by django-tenants' middleware)."""
    return cast(TenantRequest, request).tenant


def request_today(request: HttpRequest) -> dt.date:
    """Today where the organisation is (its time zone), not on the server's clock."""
    return request_organization(request).local_today()


def requested_year(request: HttpRequest) -> int:
    """The `year` of the query string or the form if it is a plausible one, else the
    organisation's current academic year (by its own calendar and time zone)."""
    organization = request_organization(request)
    current = organization.academic_year_of(organization.local_today())
    source = request.GET if request.GET.get("year") else request.POST
    return QueryParams(source, strict=False).year("year", current)
