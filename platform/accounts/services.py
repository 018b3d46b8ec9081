"""Account writes: deletion across the organisations' schemas, two-factor devices, lockouts.

Deleting: tenant tables point at `accounts_user` without a database constraint (organizations.checks
explains why), so the database cannot cascade or null those references, and Django's delete
collector, run on the public schema, would look for tenant tables that are not there. Here each
reference in every organisation's schema gets what its field's `on_delete` says, and then the
account itself is deleted with the collector looking at the template schema: it holds every
tenant table, empty, so only the shared rows (memberships, preferences, sessions…) are collected.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models.deletion import Collector, ProtectedError
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from accounts.models import User
from organizations.checks import tenant_only_labels


def user_references() -> Iterator[tuple[type[models.Model], models.ForeignKey[Any, Any]]]:
    """Every tenant-table column that holds a user id (through tables of M2M fields included)."""
    labels = tenant_only_labels()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in labels:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is User:
                yield model, field


def _referenced_here(user_id: int) -> bool:
    """One round trip per schema: is the user mentioned in any tenant table of this schema?"""
    parts = [
        f'SELECT 1 FROM "{model._meta.db_table}" WHERE "{field.column}" = %s'
        for model, field in user_references()
    ]
    if not parts:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (" + " UNION ALL ".join(parts) + ")", [user_id] * len(parts))
        return bool(cursor.fetchone()[0])


def _clear_references(user: User, schema: str) -> None:
    """Django's own on_delete handlers, applied to this schema's rows that mention the user."""
    collector = Collector(using=connection.alias, origin=user)
    for model, field in user_references():
        rows = model._base_manager.filter(**{field.attname: user.pk})
        on_delete: Any = field.remote_field.on_delete
        if on_delete is models.DO_NOTHING or not rows.exists():
            continue
        try:
            # RESTRICT is only lifted by a cascade from the same origin, which a user never is.
            (models.PROTECT if on_delete is models.RESTRICT else on_delete)(
                collector, field, rows, connection.alias
            )
        except ProtectedError as error:
            raise ProtectedError(
                f"Учётную запись нельзя удалить: на неё ссылаются записи "
                f"«{model._meta.verbose_name}» в схеме {schema}.",
                error.protected_objects,
            ) from error
    collector.delete()


@transaction.atomic
def user_delete(*, user: User) -> int:
    """Delete the account and apply each tenant reference's on_delete in every schema.

    Returns how many organisations' schemas held references. All or nothing: a protected
    reference anywhere stops the whole deletion.
    """
    from organizations.models import Organization

    touched = 0
    for schema in Organization.objects.values_list("schema_name", flat=True):
        with schema_context(schema):
            if _referenced_here(user.pk):
                _clear_references(user, schema)
                touched += 1
    with schema_context(settings.TENANT_BASE_SCHEMA):
        user.delete()
    return touched


# Two-factor authentication ------------------------------------------------------------------

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread on paper
_RECOVERY_LENGTH = 24  # 24 × log2(31) ≈ 119 bits: enough for a plain hash (ASVS 5.0 V6.5.2)


def recovery_code_digest(code: str) -> str:
    """What is stored for a recovery code: never the code itself.

    django-otp keeps static tokens as typed (16 characters at most); the codes here carry more
    than 112 bits, so a plain SHA-256 (96 bits of it, base64) is safe to keep and compare.
    Spaces, hyphens and case do not matter.
    """
    normalized = "".join(ch for ch in code.lower() if ch.isalnum())
    digest = hashlib.sha256(normalized.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:16]


def _recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, _RECOVERY_LENGTH, 4))


def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The authenticator being set up: unconfirmed until the user types a code from it.

    Reloading the enrolment page keeps the same secret (the QR already scanned stays valid).
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="Приложение-аутентификатор", confirmed=False
        )
    return device


@transaction.atomic
def totp_enrolment_confirm(*, device: TOTPDevice) -> None:
    """The authenticator answered with a valid code (accounts.forms.verify_with_device): it
    becomes the user's one authenticator, replacing any earlier one."""
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])


@transaction.atomic
def recovery_codes_generate(*, user: User) -> list[str]:
    """Ten new one-time recovery codes; the earlier ones stop working. Returned once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Резервные коды", confirmed=True)
    codes = [_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=recovery_code_digest(code)) for code in codes]
    )
    return codes


@transaction.atomic
def two_factor_disable(*, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


# Lockout ---------------------------------------------------------------------------------------


def login_failures_forgive(*, username: str, ip_address: str | None) -> int:
    """After a successful login: that login's own failures from that address are forgotten.

    Not the address's failures on other logins (axes' AXES_RESET_ON_SUCCESS would clear
    those too, letting anyone with one account reset the count of the address they attack from).
    """
    if not ip_address:
        return 0
    return int(AxesProxyHandler.reset_attempts(username=username, ip_address=ip_address))


def login_lockout_clear(*, username: str) -> int:
    """After a password reset by e-mail: the owner proved themselves, lift the login's lock."""
    return int(AxesProxyHandler.reset_attempts(username=username))
