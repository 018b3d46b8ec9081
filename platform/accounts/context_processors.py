"""Navigation that adapts to the user's roles on the current host."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from accounts.models import ORGANIZATION_MANAGER_ROLES, SIGNING_ROLES, Role
from organizations.schemas import is_public_schema


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    soon: bool = False  # a section a later release fills; shown greyed, not as a fake page


def _tenant_items(roles: frozenset[str]) -> list[NavItem]:
    items = [NavItem("Главная", "/"), NavItem("Дорожная карта", "/roadmap/")]
    if roles & SIGNING_ROLES:
        items.append(NavItem("На подпись", "/signing/"))
    if roles & ORGANIZATION_MANAGER_ROLES:
        items += [
            NavItem("Базы наставников и наставляемых", "/participants/"),
            NavItem("Наставнические пары", "/pairs/"),
            NavItem("Мониторинг", "/monitoring/"),
            NavItem("Документы", "/documents/"),
            NavItem("Сотрудники и доступ", "/people/"),
            NavItem("ИОМ педагогов", "/routes/school/"),
        ]
    if roles & {Role.DIRECTOR, Role.DEPUTY, Role.COORDINATOR, Role.MENTOR}:
        items.append(NavItem("Мой маршрут (ИОМ)", "/routes/"))
    if roles & {Role.MENTOR, Role.MENTEE}:
        items.append(NavItem("Моя карточка", "/participants/"))
        items.append(NavItem("Моя программа наставничества", "/pairs/"))
    return items


def _public_items(request: HttpRequest, roles: frozenset[str]) -> list[NavItem]:
    items = [NavItem("Организации региона", "/")]
    # A 404 raised before authentication renders without request.user.
    user = getattr(request, "user", None)
    superuser = user is not None and user.is_superuser
    if (
        roles & {Role.REGIONAL_OPERATOR, Role.MUNICIPAL_SPECIALIST, Role.TUTOR, Role.CNPPM_HEAD}
        or superuser
    ):
        items.append(NavItem("Мониторинг", "/dashboard/"))
    if Role.TUTOR in roles:
        items.append(NavItem("ИОМ педагогов", "/cnppm/"))
    if (
        roles & {Role.REGIONAL_OPERATOR, Role.MUNICIPAL_SPECIALIST, Role.TUTOR, Role.CNPPM_HEAD}
        or superuser
    ):
        items.append(NavItem("Дефициты педагогов", "/cnppm/deficits/"))
    if roles & {Role.CNPPM_HEAD, Role.REGIONAL_OPERATOR}:
        items.append(NavItem("Тьюторы ЦНППМ", "/cnppm/assignments/"))
    if Role.REGIONAL_OPERATOR in roles or superuser:
        items.append(NavItem("Подключение организаций", "/organizations/onboarding/"))
        items.append(NavItem("Анкеты мониторинга", "/dashboard/monitoring-core/"))
    if roles & {Role.REGIONAL_OPERATOR, Role.MUNICIPAL_SPECIALIST}:
        items.append(NavItem("Сотрудники", "/people/"))
    # The admin site only for who can do something there (an operator is served by the pages).
    if user is not None and user.is_staff and (superuser or user.get_all_permissions()):
        items.append(NavItem("Администрирование", "/admin/"))
    return items


def navigation(request: HttpRequest) -> dict[str, object]:
    if not hasattr(request, "tenant"):
        # An unknown host: say nothing about the region or any organisation.
        return {
            "nav_items": [],
            "nav_role_labels": [],
            "is_public_host": False,
            "current_organization": None,
        }
    roles: frozenset[str] = getattr(request, "roles", frozenset())
    is_public = is_public_schema()
    items = _public_items(request, roles) if is_public else _tenant_items(roles)
    role_labels = [Role(role).label for role in sorted(roles)]
    unread = 0
    user = getattr(request, "user", None)
    if not is_public and roles and user is not None and user.is_authenticated:
        from tenants.notifications.services import inbox_unread

        unread = inbox_unread(user=user)
    return {
        "nav_unread": unread,
        "nav_items": items,
        "nav_role_labels": role_labels,
        "is_public_host": is_public,
        "current_organization": None if is_public else getattr(request, "tenant", None),
    }
