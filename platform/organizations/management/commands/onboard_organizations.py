"""`manage.py onboard_organizations FILE --region-code 99`: bulk onboarding from XLSX/CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from organizations.models import Region
from organizations.onboarding import OnboardingFileError, onboarding_apply, onboarding_plan


class Command(BaseCommand):
    help = "Подключить организации региона списком из XLSX/CSV (ничего не создаётся при ошибках)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--region-code", required=True)
        parser.add_argument("--dry-run", action="store_true", help="только проверить файл")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"Файл {path} не найден.")
        try:
            region = Region.objects.get(code=options["region_code"])
        except Region.DoesNotExist as error:
            raise CommandError(f"Регион с кодом {options['region_code']} не найден.") from error
        try:
            plan = onboarding_plan(content=path.read_bytes(), filename=path.name, region=region)
        except OnboardingFileError as error:
            raise CommandError(str(error)) from error
        if not plan.is_valid:
            for row_error in plan.errors:
                self.stderr.write(str(row_error))
            raise CommandError(
                f"Найдено ошибок: {len(plan.errors)}. Ничего не создано; исправьте файл и повторите."
            )
        if options["dry_run"]:
            self.stdout.write(f"Файл в порядке: организаций к подключению — {len(plan.rows)}.")
            return
        created = onboarding_apply(plan=plan, region=region)
        self.stdout.write(self.style.SUCCESS(f"Подключено организаций: {len(created)}."))
