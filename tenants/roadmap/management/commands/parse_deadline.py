"""`manage.py parse_deadline "До 10.09. ежегодно" --academic-year 2025`: the grammar as JSON."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.roadmap.deadlines import parse_deadline


class Command(BaseCommand):
    help = "Разобрать срок из дорожной карты и показать даты в учебном году (JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("phrase", help="срок, как он написан: «До 10.09. ежегодно»")
        parser.add_argument(
            "--academic-year", type=int, required=True, help="2025 означает 2025/2026"
        )
        parser.add_argument("--program-start", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        deadline = parse_deadline(options["phrase"])
        if not deadline.readable:
            raise CommandError(
                f"Не удалось распознать срок «{options['phrase']}». Примеры, которые понимает "
                "система: «До 10.09. ежегодно», «Сентябрь 2023», «Ноябрь 2023-январь 2024», "
                "«В течение первого месяца», «По завершению …», «по мере необходимости»."
            )
        occurrences = deadline.occurrences(
            options["academic_year"], program_start=options["program_start"]
        )
        result = {
            "kind": deadline.kind,
            "recurring": deadline.recurring,
            "occurrences": [o.as_json() for o in occurrences],
        }
        self.stdout.write(json.dumps(result, ensure_ascii=False))
