"""What a request on an organisation's host carries: the organisation, the academic year asked for."""

from __future__ import annotations

from django.http import HttpRequest

from organizations.models import Organization

YEARS = (2000, 2100)  # a `year` outside is a typo or a probe: the current year is shown instead


def request_organization(request: HttpRequest) -> Organization:
    """The organisation whose host the request came to (set by django-tenants' middleware)."""
    return request.tenant  # type: ignore[attr-defined]


def requested_year(request: HttpRequest) -> int:
    """The `year` of the query string or the form if it is a plausible one, else the
    organisation's current academic year (by its own calendar and time zone)."""
    value = request.GET.get("year") or request.POST.get("year") or ""
    if value.isascii() and value.isdigit() and YEARS[0] <= int(value) <= YEARS[1]:
        return int(value)
    organization = request_organization(request)
    return organization.academic_year_of(organization.local_today())
