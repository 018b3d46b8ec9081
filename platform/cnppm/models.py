"""Public-schema side of the ИОМ: who accompanies whose route, and what a tutor may know of a
route without opening it.

A tutor never becomes a member of a school. `Assignment` names the teacher and the school;
`RouteStatus` is a projection written by the school's own transaction (step, approval, the
codes of the deficit areas, dates, counts) — never the route's text. Opening a route reads the
school's schema after checking both the assignment and the teacher's consent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

REVIEW_EVERY_DAYS = 91  # quarterly, as the ЦНППМ usually plans its reviews


class Centre(models.Model):
    """The region's Центр непрерывного повышения профессионального мастерства."""

    region = models.OneToOneField(
        "organizations.Region",
        on_delete=models.CASCADE,
        related_name="cnppm",
        verbose_name="регион",
    )
    name = models.CharField("наименование", max_length=300)
    review_every_days = models.PositiveSmallIntegerField(
        "периодичность сопровождения, дней", default=REVIEW_EVERY_DAYS
    )

    class Meta:
        verbose_name = "ЦНППМ"
        verbose_name_plural = "ЦНППМ"

    def __str__(self) -> str:
        return self.name


class Instrument(models.Model):
    """A version of the self-diagnosis instrument (areas, indicators, scale) the ЦНППМ owns.
    Versions are never edited once published: a change is a new version."""

    region = models.ForeignKey(
        "organizations.Region",
        on_delete=models.CASCADE,
        related_name="instruments",
        db_index=False,  # instrument_version_unique leads with it
    )
    version = models.PositiveSmallIntegerField("версия")
    title = models.CharField("название", max_length=300)
    areas = models.JSONField("направления и показатели")
    scale = models.JSONField("шкала уровней")
    note = models.CharField("что изменено", max_length=500, blank=True)
    published_at = models.DateTimeField("опубликована", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "инструмент самодиагностики"
        verbose_name_plural = "инструменты самодиагностики"
        ordering = ["region", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["region", "version"], name="instrument_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title}, версия {self.version}"

    @property
    def content(self) -> dict[str, Any]:
        """What a diagnosis keeps of the version it was given on."""
        return {"title": self.title, "areas": self.areas, "scale": self.scale}


class Assignment(models.Model):
    """A tutor accompanies a teacher of a school (appointed by the head of the ЦНППМ or the
    regional operator). Ending it removes the tutor's access on the next request."""

    region = models.ForeignKey(
        "organizations.Region", on_delete=models.CASCADE, related_name="tutor_assignments"
    )
    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tutor_assignments",
        verbose_name="тьютор",
        db_index=False,  # assignment_tutor_active leads with it
    )  # fmt: skip
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="tutor_assignments",
        verbose_name="организация",
    )  # fmt: skip
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tutored_by",
        verbose_name="педагог",
    )  # fmt: skip
    review_every_days = models.PositiveSmallIntegerField(
        "сопровождение раз в, дней", default=REVIEW_EVERY_DAYS
    )
    assigned_at = models.DateTimeField("назначен", auto_now_add=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField("завершено", null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "закрепление тьютора"
        verbose_name_plural = "закрепления тьюторов"
        ordering = ["-assigned_at", "-id"]
        constraints = [
            # One tutor at a time for a teacher of a school.
            models.UniqueConstraint(
                fields=["organization", "teacher"],
                condition=Q(ended_at__isnull=True),
                name="assignment_one_active_per_teacher",
            ),
            models.CheckConstraint(
                condition=Q(review_every_days__gte=7, review_every_days__lte=366),
                name="assignment_review_interval_sane",
            ),
        ]
        indexes = [models.Index(fields=["tutor", "ended_at"], name="assignment_tutor_active")]

    def __str__(self) -> str:
        return f"{self.tutor} → {self.teacher} ({self.organization})"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class RouteStatus(models.Model):
    """What the public schema knows of a route: no text, no names beyond the account it is
    about. Written in the school's transaction of each change (routes.projection)."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="route_statuses",
        db_index=False,  # route_status_unique leads with it
    )
    route_id = models.PositiveIntegerField("маршрут в схеме организации")
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="route_statuses"
    )
    step = models.PositiveSmallIntegerField("шаг", default=1)
    approval = models.CharField("согласование", max_length=12, default="draft")
    started_on = models.DateField("начало")
    ends_on = models.DateField("окончание")
    deficit_areas = ArrayField(
        models.CharField(max_length=40), default=list, blank=True, verbose_name="дефициты (коды)"
    )
    # Planned ДПО hours by area code (a course addressing two areas counts for both).
    planned_hours = models.JSONField("часы ДПО по направлениям", default=dict, blank=True)
    activities = models.PositiveSmallIntegerField("мероприятий", default=0)
    done = models.PositiveSmallIntegerField("выполнено", default=0)
    # Due dates of the activities still planned: what is overdue is counted on the day it is read.
    planned_due = ArrayField(models.DateField(), default=list, blank=True)
    shared_with_tutor = models.BooleanField("согласие на передачу тьютору", default=False)
    last_reviewed_on = models.DateField("последнее сопровождение", null=True, blank=True)
    changed_at = models.DateTimeField("изменён")
    is_active = models.BooleanField("действует", default=True)

    class Meta:
        verbose_name = "состояние маршрута"
        verbose_name_plural = "состояния маршрутов"
        constraints = [
            models.UniqueConstraint(fields=["organization", "route_id"], name="route_status_unique")
        ]
        indexes = [models.Index(fields=["organization", "teacher"], name="route_status_teacher")]

    def __str__(self) -> str:
        return f"ИОМ {self.route_id} ({self.organization_id})"


class Visit(models.Model):
    """When a tutor last opened a route: the caseload says what changed since."""

    # tutor_visit_unique leads with it: no index of its own
    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE)
    route_id = models.PositiveIntegerField()
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tutor", "organization", "route_id"], name="tutor_visit_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tutor_id} → {self.route_id}: {self.seen_at:%d.%m.%Y %H:%M}"


def next_review(last: dt.date | None, assigned: dt.date, every_days: int) -> dt.date:
    return (last or assigned) + dt.timedelta(days=every_days)


class RoutePublication(models.Model):
    """The region's route figures as they may be shown (cnppm.publication): each cell of the
    filters' lattice with hidden counts as None; `hidden` is what to keep hidden next time."""

    region = models.OneToOneField(
        "organizations.Region", on_delete=models.CASCADE, related_name="route_publication"
    )
    signature = models.CharField(max_length=64)
    published_at = models.DateTimeField()
    cells = models.JSONField(default=list)
    hidden = models.JSONField(default=dict)

    class Meta:
        verbose_name = "публикация показателей ИОМ"
        verbose_name_plural = "публикации показателей ИОМ"

    def __str__(self) -> str:
        return f"ИОМ: {self.region_id} на {self.published_at:%d.%m.%Y %H:%M}"
