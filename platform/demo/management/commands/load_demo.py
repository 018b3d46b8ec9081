"""`manage.py load_demo`: the demo region, idempotent (run it as often as you like)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from demo.services import demo_load


class Command(BaseCommand):
    help = "Загрузить демонстрационный регион (повторный запуск ничего не дублирует)."

    def handle(self, *args: Any, **options: Any) -> None:
        created = demo_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Демо-регион готов: новых организаций {created['organizations']}, "
                f"новых пользователей {created['users']}."
            )
        )
