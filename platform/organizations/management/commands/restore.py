"""`manage.py restore DIR`: put back a backup made by `manage.py backup` (whole platform or
one organisation, as its manifest says)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from organizations.backups import BackupError, restore_organization, restore_platform


class Command(BaseCommand):
    help = (
        "Восстановить резервную копию. Копия всей платформы заменяет базу и файлы целиком "
        "(остановите сайт, воркер и планировщик); копия организации заменяет только её данные."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="папка с копией")
        parser.add_argument("--yes", action="store_true", help="не спрашивать подтверждения")

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["folder"]
        manifest_path = folder / "manifest.json"
        if not manifest_path.exists():
            raise CommandError(
                f"В папке {folder} нет manifest.json: это не резервная копия платформы."
            )
        kind = json.loads(manifest_path.read_text()).get("kind")
        what = "ВСЮ базу и файлы платформы" if kind == "platform" else "данные организации"
        if not options["yes"] and input(
            f"Заменить {what} копией из {folder}? [да/нет] "
        ).strip().lower() not in ("да", "yes", "y"):
            raise CommandError("Отменено.")
        try:
            if kind == "platform":
                restore_platform(folder)
                self.stdout.write("Платформа восстановлена из копии.")
            else:
                organization = restore_organization(folder)
                self.stdout.write(f"Организация {organization.short_name} восстановлена из копии.")
        except BackupError as error:
            raise CommandError(str(error)) from error
