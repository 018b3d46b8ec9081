"""Demo progress on each organisation's roadmap: a realistic mix of done, pending and overdue."""

from __future__ import annotations

import datetime as dt

from django_tenants.utils import tenant_context

from organizations.models import Organization
from tenants.roadmap.models import ItemChange, ItemStatus, Roadmap
from tenants.roadmap.selectors import current_academic_year
from tenants.roadmap.services import (
    roadmap_create,
    roadmap_item_set_status,
    roadmap_relink_responsible,
)

# Malinovka's seed is the mentorship of pedagogical workers, not the pupils' ЦМН.
DEMO_TEMPLATES = {"malinovka": "pedagogical"}


def demo_roadmap(*, organization: Organization, today: dt.date | None = None) -> Roadmap:
    """Idempotent: an untouched roadmap gets its demo progress once; a used one is left alone."""
    with tenant_context(organization):
        today = today or organization.local_today()
        year = current_academic_year(organization)
        roadmap = Roadmap.objects.filter(academic_year=year).first()
        wanted = DEMO_TEMPLATES.get(organization.slug)
        if roadmap is not None and wanted and roadmap.template_code != wanted:
            if not ItemChange.objects.filter(item__roadmap=roadmap, user__isnull=False).exists():
                roadmap.delete()
                roadmap = None
        if roadmap is None:
            roadmap = roadmap_create(
                organization=organization, academic_year=year, template_code=wanted
            )
        roadmap_relink_responsible(roadmap=roadmap, organization=organization)
        if not ItemChange.objects.filter(item__roadmap=roadmap).exists():
            _progress(roadmap, today)
            from demo.reminders import reference_day

            _near_deadlines(roadmap, organization, reference_day(organization))
        return roadmap


def _near_deadlines(roadmap: Roadmap, organization: Organization, today: dt.date) -> None:
    """Two dated items around today, so the demo's reminders show whatever the date."""
    from tenants.roadmap.services import roadmap_item_create

    soon = roadmap_item_create(
        roadmap=roadmap, organization=organization, user=None,
        title="Заседание рабочей группы по наставничеству", deadline_text=f"до {today + dt.timedelta(days=3):%d.%m.%Y}",
        responsible_text="Куратор", expected_result="Протокол заседания",
    )  # fmt: skip
    late = roadmap_item_create(
        roadmap=roadmap, organization=organization, user=None,
        title="Мониторинг удовлетворённости участников программы (анкетирование)",
        deadline_text=f"до {today - dt.timedelta(days=1):%d.%m.%Y}", responsible_text="Куратор",
        expected_result="Справка по итогам анкетирования",
    )  # fmt: skip
    assert soon.pk and late.pk


def _progress(roadmap: Roadmap, today: dt.date) -> None:
    past_due = 0
    for item in roadmap.items.filter(is_stage=False).order_by("position"):
        if item.due_on and item.due_on < today:
            past_due += 1
            if past_due % 4 == 0:
                continue  # every fourth past item stays overdue: the demo has something to fix
            roadmap_item_set_status(
                item=item,
                user=None,
                status=ItemStatus.DONE,
                completed_on=min(item.due_on, today) - dt.timedelta(days=2),
                comment="Выполнено (демо-данные).",
                today=today,
            )
        elif item.starts_on and item.starts_on <= today:
            roadmap_item_set_status(
                item=item, user=None, status=ItemStatus.IN_PROGRESS, today=today
            )
