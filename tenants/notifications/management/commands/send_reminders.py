"""`manage.py send_reminders [--dry-run] [--date 2025-09-07] [--schema sosh19]`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django_tenants.utils import tenant_context

from organizations.models import Organization
from tenants.notifications.planner import plan
from tenants.notifications.services import reminders_run


class Command(BaseCommand):
    help = (
        "Напоминания: с --dry-run показать, что уйдёт в указанный день (ничего не записывая); "
        "без него — запланировать и отправить то, что причитается сейчас."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None, help="ГГГГ-ММ-ДД")
        parser.add_argument("--schema", default="", help="только эта организация")

    def handle(self, *args: Any, **options: Any) -> None:
        organizations = Organization.objects.filter(is_active=True).order_by("slug")
        if options["schema"]:
            organizations = organizations.filter(schema_name=options["schema"])
            if not organizations.exists():
                raise CommandError(f"Организация со схемой {options['schema']} не найдена.")
        day: dt.date | None = options["date"]
        total = 0
        for organization in organizations:
            with tenant_context(organization):
                if not options["dry_run"]:
                    now = timezone.now()
                    result = reminders_run(organization=organization, now=now)
                    self.stdout.write(f"{organization.short_name}: {result}")
                    continue
                target = day or organization.local_today()
                end_of_day = dt.datetime.combine(target, dt.time(23, 59), tzinfo=organization.zone)
                drafts = [d for d in plan(organization=organization, now=end_of_day)
                          if d.send_after.astimezone(organization.zone).date() == target]  # fmt: skip
                if not drafts:
                    continue
                self.stdout.write(
                    f"== {organization.short_name} ({organization.get_timezone_display()})"
                )
                from accounts.models import User

                names = {
                    u.pk: u.display_name
                    for u in User.objects.filter(pk__in={d.recipient_id for d in drafts})
                }
                for draft in sorted(
                    drafts, key=lambda d: (d.send_after, d.recipient_id, d.channel)
                ):
                    local = draft.send_after.astimezone(organization.zone)
                    self.stdout.write(
                        f"  {local:%d.%m.%Y %H:%M}  {draft.channel:<9} {names.get(draft.recipient_id, '?')}: {draft.subject}"
                    )
                total += len(drafts)
        if options["dry_run"]:
            self.stdout.write(f"Всего сообщений: {total} (ничего не отправлено).")
