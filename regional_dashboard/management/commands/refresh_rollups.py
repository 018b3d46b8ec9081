"""`manage.py refresh_rollups [--schema S ...] [--queue]`: recompute rollups now or by tasks."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from organizations.models import Organization
from regional_dashboard.publication import publish_due
from regional_dashboard.rollups import rollup_refresh


class Command(BaseCommand):
    help = "Пересчитать сводные показатели организаций для регионального уровня."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--schema", action="append", default=[], help="только эта организация (можно несколько)"
        )
        parser.add_argument("--queue", action="store_true", help="поставить задачи Celery вместо расчёта здесь")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        organizations = Organization.objects.filter(is_active=True).order_by("schema_name")
        if options["schema"]:
            organizations = organizations.filter(schema_name__in=options["schema"])
            missing = set(options["schema"]) - set(
                organizations.values_list("schema_name", flat=True)
            )
            if missing:
                raise CommandError(f"Нет подключённых организаций: {', '.join(sorted(missing))}")
        if options["queue"]:
            from tasks.rollups import fan_out

            count = fan_out(list(organizations.values_list("schema_name", flat=True)))
            self.stdout.write(f"Поставлено задач: {count}")
            return
        started = time.perf_counter()
        count = 0
        for organization in organizations:
            with tenant_context(organization):
                rollup_refresh(organization=organization)
            count += 1
        published = publish_due()
        self.stdout.write(
            f"Пересчитано организаций: {count}, опубликовано показателей регионов: {published} "
            f"за {time.perf_counter() - started:.1f} с"
        )
