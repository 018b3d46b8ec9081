"""`manage.py backup DIR [--organization SLUG]`: a backup of the whole platform or of one
organisation (organizations.backups)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from organizations.backups import BackupError, backup_organization, backup_platform
from organizations.models import Organization


class Command(BaseCommand):
    help = "Резервная копия всей платформы (база и загруженные файлы) или одной организации."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="папка для копии (создаётся)")
        parser.add_argument(
            "--organization", default="", help="поддомен организации: копия только её"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["folder"]
        try:
            if options["organization"]:
                organization = Organization.objects.filter(slug=options["organization"]).first()
                if organization is None:
                    raise CommandError(f"Организации «{options['organization']}» нет в реестре.")
                backup_organization(organization, folder)
                self.stdout.write(f"Копия организации {organization.short_name}: {folder}")
            else:
                backup = backup_platform(folder)
                count = len(backup.manifest["organizations"])
                self.stdout.write(f"Копия платформы ({count} организаций): {folder}")
        except BackupError as error:
            raise CommandError(str(error)) from error
