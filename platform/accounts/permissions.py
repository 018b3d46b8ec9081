"""Who may do what on an organisation's host: members read, managers write."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from rest_framework import permissions
from rest_framework.request import Request

from accounts.models import ORGANIZATION_MANAGER_ROLES, SIGNING_ROLES, User


def is_manager(request: HttpRequest | Request) -> bool:
    """Director or coordinator of the host's organisation (set by the membership middleware)."""
    return bool(set(getattr(request, "roles", ())) & ORGANIZATION_MANAGER_ROLES)


def is_signer(request: HttpRequest | Request) -> bool:
    """The director, or the deputy the director named: records a приказ's number and date."""
    return bool(set(getattr(request, "roles", ())) & SIGNING_ROLES)


def manager_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_manager(request):
            raise PermissionDenied("Это может сделать руководитель или куратор наставничества.")
        return view(request, *args, **kwargs)

    return wrapper


class IsOrganizationMember(permissions.BasePermission):
    """The membership middleware already refused non-members; this keeps API views explicit."""

    message = "Нет роли в этой организации."

    def has_permission(self, request: Request, view: object) -> bool:
        return bool(getattr(request, "roles", None))


class IsManagerOrReadOnly(permissions.BasePermission):
    message = "Изменять может руководитель или куратор наставничества."

    def has_permission(self, request: Request, view: object) -> bool:
        return request.method in permissions.SAFE_METHODS or is_manager(request)


def acting_user(request: HttpRequest | Request) -> User | None:
    """The logged-in user as a User (for services that record who did what)."""
    user = request.user
    return user if isinstance(user, User) else None
