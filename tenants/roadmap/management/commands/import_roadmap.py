"""`manage.py import_roadmap FILE --dry-run --json`: read a roadmap table without a database."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.roadmap.importing import RoadmapFileError, parse_file


class Command(BaseCommand):
    help = (
        "Прочитать дорожную карту из DOCX или текста (TSV). С --dry-run ничего не записывает; "
        "запись в организацию: --schema <схема>."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="только показать разбор")
        parser.add_argument("--json", action="store_true", help="вывести разбор в JSON")
        parser.add_argument("--academic-year", type=int, default=None)
        parser.add_argument("--schema", default="", help="организация, куда загрузить пункты")
        parser.add_argument("--replace", action="store_true", help="заменить пункты года")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"Файл {path} не найден.")
        try:
            parsed = parse_file(path.read_bytes(), path.name)
        except RoadmapFileError as error:
            raise CommandError(str(error)) from error
        year = options["academic_year"]
        if options["json"]:
            self.stdout.write(json.dumps(parsed.as_json(year), ensure_ascii=False, indent=2))
        else:
            for item in parsed.items:
                problems = "; ".join(p.message for p in item.problems)
                self.stdout.write(
                    f"{item.number:>4}  {item.title[:70]:<70}  {item.deadline_text.replace(chr(10), ' / ')[:40]:<40}"
                    f"  {', '.join(item.responsible)}{'  ⚠ ' + problems if problems else ''}"
                )
            self.stdout.write(f"Пунктов: {len(parsed.items)}, разделов: {len(parsed.stages)}.")
        if options["dry_run"]:
            return
        if not options["schema"]:
            raise CommandError("Укажите --schema организации или --dry-run.")
        self._write(parsed, options["schema"], year, options["replace"])

    def _write(self, parsed: Any, schema: str, year: int | None, replace: bool) -> None:
        from django_tenants.utils import tenant_context

        from organizations.models import Organization
        from tenants.roadmap.selectors import current_academic_year
        from tenants.roadmap.services import roadmap_create, roadmap_import

        organization = Organization.objects.filter(schema_name=schema).first()
        if organization is None:
            raise CommandError(f"Организация со схемой {schema} не найдена.")
        with tenant_context(organization):
            from tenants.roadmap.models import Roadmap

            year = year or current_academic_year(organization, dt.datetime.now(dt.UTC))
            roadmap = Roadmap.objects.filter(academic_year=year).first() or roadmap_create(
                organization=organization, academic_year=year, template_code=""
            )
            created = roadmap_import(
                roadmap=roadmap,
                parsed=parsed,
                organization=organization,
                user=None,
                replace=replace,
            )
        self.stdout.write(self.style.SUCCESS(f"Загружено пунктов: {len(created)}."))
