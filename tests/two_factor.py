"""Test helpers for the second factor: a confirmed authenticator and a session it verified."""

from __future__ import annotations

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.selectors import two_factor_state


def authenticator(user: User) -> TOTPDevice:
    """The user's confirmed TOTP device, created if missing (a phone app already scanned)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Тестовый телефон", confirmed=True)


def totp_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """What the authenticator app shows now (or `steps_ahead` periods later, within tolerance)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def verify_session(client: Client, user: User) -> TOTPDevice:
    """As django_otp.login(request, device) after a correct code: the session is verified."""
    device = authenticator(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def logged_in(client: Client, user: User, *, verified: bool = True) -> Client:
    """force_login, and where the user's role requires 2FA a session verified by their device
    (`verified=False` leaves it at the password step)."""
    client.force_login(user)
    if verified and two_factor_state(user=user).required:
        verify_session(client, user)
    return client
