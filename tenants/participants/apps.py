"""Banks of mentors and mentees."""

from __future__ import annotations

from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    name = "tenants.participants"
    label = "participants"
    verbose_name = "Базы наставников и наставляемых"

    def ready(self) -> None:
        # Registers the consent forms and the destruction act with the document templates.
        from tenants.participants import documents  # noqa: F401
