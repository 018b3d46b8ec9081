"""`manage.py demo_totp <login>`: the current two-factor code of a demo user (demo secret only)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.catalogue import DEMO_TOTP_SECRET
from demo.services import demo_totp_key


class Command(BaseCommand):
    help = "Показать текущий код двухфакторной аутентификации демо-пользователя."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        device = TOTPDevice.objects.filter(
            user__username=options["username"], confirmed=True
        ).first()
        # Never print a real user's code: only a device that holds the demo secret.
        if device is None or device.key != demo_totp_key():
            raise CommandError(
                f"У пользователя «{options['username']}» нет демо-аутентификатора "
                f"(ключ {DEMO_TOTP_SECRET})."
            )
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        now = time.time()
        totp.time = now
        left = device.step - int(now - device.t0) % device.step
        self.stdout.write(f"{totp.token():06d}")
        self.stderr.write(f"Код действует ещё {left} с; ключ для приложения: {DEMO_TOTP_SECRET}")
