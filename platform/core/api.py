"""The API's shared plumbing: the organisation's base viewset, the one exception handler, the
router, and the error responses every operation documents.

Services raise Django's ValidationError with Russian messages; the handler turns it (and a
database constraint a race got past the service's check) into a 400/409 here, once, instead of
a try/except in every view (HackSoft's styleguide).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.permissions import IsManagerOrReadOnly, IsOrganizationMember
from accounts.throttling import throttled_message
from core.params import MAX_TEXT, has_nul
from core.requests import TenantAPIRequest

if TYPE_CHECKING:
    import datetime as dt

    from organizations.models import Organization

logger = logging.getLogger(__name__)

NOT_FOUND = "Не найдено."
# get_object_or_404's message names the model in English: "No Participant matches the given query."
_DJANGO_NOT_FOUND = re.compile(r"^No .+ matches the given query\.$")
UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "Такая запись уже есть."
    default_code = "conflict"


def validation_detail(error: DjangoValidationError) -> dict[str, Any]:
    """A service's ValidationError as DRF's 400 body: field → messages; the rest under
    `detail`."""
    if hasattr(error, "error_dict"):
        return {
            ("detail" if field == NON_FIELD_ERRORS else field): messages
            for field, messages in error.message_dict.items()
        }
    return {"detail": error.messages}


def _constraint_message(name: str) -> str:
    """The model's own violation_error_message for the constraint, where it set one."""
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if constraint.name == name:
                message = constraint.violation_error_message
                if message and message != constraint.default_violation_error_message:
                    return str(message)
    return ""


def integrity_refusal(error: IntegrityError) -> exceptions.APIException:
    """A database constraint the service's checks did not foresee (or a concurrent write got
    past): 409 for a duplicate, 400 for the rest, in Russian, never a 500."""
    cause = error.__cause__
    diag = getattr(cause, "diag", None)
    constraint = getattr(diag, "constraint_name", None) or ""
    logger.warning("IntegrityError on the API (constraint %s): %s", constraint or "-", error)
    message = _constraint_message(constraint) if constraint else ""
    if getattr(cause, "sqlstate", None) == UNIQUE_VIOLATION:
        return Conflict(message or "Такая запись уже есть: повторять её нельзя.")
    return exceptions.ValidationError(
        {"detail": [message or "Данные не сохранены: они противоречат уже записанным."]}
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: Russian bodies for every refusal DRF knows, and
    Django's ValidationError and IntegrityError, which it does not."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    elif isinstance(exc, IntegrityError):
        exc = integrity_refusal(exc)
    elif isinstance(exc, Http404):
        message = str(exc) if exc.args else ""
        exc = exceptions.NotFound(
            NOT_FOUND if not message or _DJANGO_NOT_FOUND.match(message) else message
        )
    elif isinstance(exc, exceptions.Throttled):
        wait: float | None = getattr(exc, "wait", None)
        exc.detail = exceptions.ErrorDetail(throttled_message(wait), code="throttled")
    return drf_exception_handler(exc, context)


class SlugRelatedField(serializers.SlugRelatedField):
    """DRF's, minus a 500: a NUL byte in the slug reached PostgreSQL, which refuses the whole
    query (DataError) where a missing object is only a 400."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and (has_nul(data) or len(data) > MAX_TEXT):
            self.fail("invalid")
        return super().to_internal_value(data)


def not_found_view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404 of both URLconfs: the API's unknown paths answer JSON, as documented."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": NOT_FOUND}, status=404)
    return page_not_found(request, exception or Http404())


class APIRouter(DefaultRouter):
    """DefaultRouter without `.json` suffix routes: custom actions took no `format` argument
    and answered those with a 500; the Accept header (or ?format=json) chooses the format."""

    include_format_suffixes = False


class TenantAPIViewSet(viewsets.GenericViewSet):
    """Base of every API of an organisation's host.

    Tenancy is the schema: the host chose it (django-tenants) and the membership middleware let
    only members through, so no view filters by organisation. Members read, managers write;
    a viewset narrows the rest with permissions and with the selectors its pages use.
    """

    permission_classes = [IsOrganizationMember, IsManagerOrReadOnly]
    request: TenantAPIRequest

    @property
    def organization(self) -> Organization:
        return self.request.tenant

    @property
    def roles(self) -> frozenset[str]:
        return self.request.roles

    @property
    def today(self) -> dt.date:
        """The organisation's own date (Russia spans 11 time zones)."""
        return self.organization.local_today()

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # A list's filters (and their defaults, such as the current academic year) never hide
        # an object from its own URL.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)
