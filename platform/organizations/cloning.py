"""Schema cloning with django-tenants' `clone_schema` SQL function, installed once, not per clone."""

from __future__ import annotations

from django.db import connection
from django_tenants.clone import CloneSchema


class TemplateCloner(CloneSchema):
    """django-tenants re-creates its 4,000-line PL/pgSQL function before every clone.

    That costs about as much as cloning a small schema. `migrate` installs (and, after an
    upgrade of django-tenants, replaces) the function (organizations.signals); here we only
    install it when it is missing, e.g. in a database restored without it.
    """

    def _create_clone_schema_function(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regproc('public.clone_schema') IS NOT NULL")
            if cursor.fetchone()[0]:
                return
        super()._create_clone_schema_function()


def install_clone_function() -> None:
    CloneSchema()._create_clone_schema_function()
