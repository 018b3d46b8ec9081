"""`manage.py provision_tenant`: add one organisation (registry row, cloned schema, domain)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from organizations.models import OrganizationKind, Region
from organizations.services import (
    OrganizationData,
    domain_for,
    municipality_get_or_create,
    organization_provision,
)


class Command(BaseCommand):
    help = "Подключить образовательную организацию: запись в реестре, схема (клон шаблона), домен."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", required=True, help="поддомен, например sosh19")
        parser.add_argument("--full-name", required=True)
        parser.add_argument("--short-name", required=True)
        parser.add_argument("--kind", required=True, choices=OrganizationKind.values)
        parser.add_argument("--region-code", required=True, help="код субъекта РФ в реестре")
        parser.add_argument("--municipality", required=True, help="название; создаётся, если нет")
        parser.add_argument("--timezone", default="")
        parser.add_argument("--pupils", type=int, default=0)
        parser.add_argument("--teachers", type=int, default=0)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            region = Region.objects.get(code=options["region_code"])
        except Region.DoesNotExist as error:
            raise CommandError(f"Регион с кодом {options['region_code']} не найден.") from error
        municipality = municipality_get_or_create(region=region, name=options["municipality"])
        try:
            organization = organization_provision(
                data=OrganizationData(
                    full_name=options["full_name"],
                    short_name=options["short_name"],
                    slug=options["slug"],
                    kind=options["kind"],
                    municipality=municipality,
                    timezone=options["timezone"],
                    pupils_count=options["pupils"],
                    teachers_count=options["teachers"],
                )
            )
        except ValidationError as error:
            raise CommandError(_format(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Подключена {organization.short_name}: схема {organization.schema_name}, "
                f"адрес {domain_for(organization.slug)}"
            )
        )


def _format(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return " ".join(error.messages)
