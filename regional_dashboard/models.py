"""Rollups: aggregated, anonymous figures per organisation, academic year and day.

The regional layer reads only these rows (public schema), never a tenant schema. They hold
counts, never names; cells under SUPPRESS_BELOW people are hidden when shown (privacy.py).
One row per organisation, academic year and day is the daily history; the latest row of a
year is the organisation's current state.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from organizations.models import Municipality, Organization, Region


class OrganizationRollup(models.Model):
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="rollups",
        verbose_name="организация",
        db_index=False,  # rollup_one_per_day leads with it
    )
    academic_year = models.PositiveSmallIntegerField("учебный год")
    day = models.DateField("день")
    computed_at = models.DateTimeField("рассчитано")

    # Roadmap (дорожная карта) of the year: events, not stages; cancelled ones are left out.
    items_total = models.PositiveIntegerField("мероприятий", default=0)
    items_done = models.PositiveIntegerField("выполнено", default=0)
    items_overdue = models.PositiveIntegerField("просрочено", default=0)
    # [{"code", "position", "total", "done", "on_time", "overdue"}] per stage of the target
    # model (tenants.roadmap.stages: codes, never a school's wording): the day's record; the
    # latest row of the year also has them as RollupStep rows.
    stages = models.JSONField("по этапам", default=list)

    # Banks (базы наставников и наставляемых) of the year, people still in them.
    mentors = models.PositiveIntegerField("наставников в базе", default=0)
    mentees = models.PositiveIntegerField("наставляемых в базе", default=0)
    consents_missing = models.PositiveIntegerField("без действующего согласия", default=0)

    # Pairs and groups of the year.
    pairs_total = models.PositiveIntegerField("пар и групп", default=0)
    pairs_active = models.PositiveIntegerField("работают", default=0)
    groups = models.PositiveIntegerField("групп", default=0)
    meetings_held = models.PositiveIntegerField("встреч проведено", default=0)
    programs_completed = models.PositiveIntegerField("программ завершено", default=0)

    # Coverage: people in approved, working or completed pairs, against the headcounts.
    pupils_involved = models.PositiveIntegerField("обучающихся вовлечено", default=0)
    teachers_involved = models.PositiveIntegerField("педагогов вовлечено", default=0)
    pupils_count = models.PositiveIntegerField("обучающихся всего", default=0)
    teachers_count = models.PositiveIntegerField("педагогов всего", default=0)

    # Monitoring of the programs (tenants.monitoring.selectors.rollup_figures), counts of
    # people (waves: of programs) that the disclosure control passes, never shown where the
    # pairs are withheld; the sums of indices and shifts are shown only where their count is,
    # and change only when enough answers changed them (publication.COMPANIONS).
    waves_total = models.PositiveIntegerField("волн мониторинга открыто", default=0)
    waves_late = models.PositiveIntegerField("волн с опозданием", default=0)
    survey_invited = models.PositiveIntegerField("анкет мониторинга", default=0)
    survey_answered = models.PositiveIntegerField("анкет заполнено", default=0)
    satisfaction_n = models.PositiveIntegerField("ответов об удовлетворённости", default=0)
    satisfaction_points = models.PositiveIntegerField("сумма индексов удовлетворённости", default=0)
    satisfaction_answers = models.PositiveIntegerField("анкет удовлетворённости в сумме", default=0)
    growth_n = models.PositiveIntegerField("наставляемых с «входом» и «выходом»", default=0)
    growth_points = models.IntegerField("сумма сдвигов, сотые уровня", default=0)
    growth_answers = models.PositiveIntegerField("анкет характеристик в сумме", default=0)
    outcome_n = models.PositiveIntegerField(
        "наставляемых с результатами на входе и выходе", default=0
    )

    # {"mentors_by_category": {...}, "mentees_by_category": {...}, "pairs_by_form": {...},
    #  "pairs_by_kind": {...}, "pairs_by_status": {...}, "growth_by_direction": {...},
    #  "outcomes_by_direction": {...}}: counts by label.
    breakdown = models.JSONField("разбивки", default=dict)

    # The organisation's newest row of the academic year (exactly one, kept by rollup_refresh):
    # what the pages read, without looking for it among a year of daily rows.
    is_latest = models.BooleanField(
        "последний за год", default=False, db_default=False, editable=False
    )  # db_default: workers still running the code of before a deploy insert rows without it

    class Meta:
        verbose_name = "сводные показатели организации"
        verbose_name_plural = "сводные показатели организаций"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "academic_year", "day"], name="rollup_one_per_day"
            ),
            models.UniqueConstraint(
                fields=["academic_year", "organization"],
                condition=models.Q(is_latest=True),
                name="rollup_one_latest",
            ),
        ]
        indexes = [models.Index(fields=["academic_year", "organization", "-day"])]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.academic_year} {self.day}"

    @property
    def pupils_coverage(self) -> float | None:
        return self.pupils_involved / self.pupils_count * 100 if self.pupils_count else None

    @property
    def teachers_coverage(self) -> float | None:
        return self.teachers_involved / self.teachers_count * 100 if self.teachers_count else None


class RollupStep(models.Model):
    """One stage of the target model in an organisation's latest rollup of the year, as a row:
    the per-stage sums over 2,000 organisations are a plain GROUP BY over integers. Replaced
    with the latest row; earlier days keep their stages in OrganizationRollup.stages.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="rollup_steps",
        verbose_name="организация",
    )  # fmt: skip
    academic_year = models.PositiveSmallIntegerField("учебный год")
    position = models.PositiveIntegerField("порядок")
    code = models.CharField("этап целевой модели", max_length=20)
    total = models.PositiveIntegerField("мероприятий")
    done = models.PositiveIntegerField("выполнено")
    on_time = models.PositiveIntegerField("в срок")
    overdue = models.PositiveIntegerField("просрочено")

    class Meta:
        verbose_name = "этап в сводке"
        verbose_name_plural = "этапы в сводках"
        ordering = ["organization", "academic_year", "position"]
        indexes = [models.Index(fields=["academic_year", "organization"])]

    def __str__(self) -> str:
        return self.code


class RollupCount(models.Model):
    """One count by label (pairs by form, mentees by category…) of an organisation's latest
    rollup of the year, as a row, for the same reason as RollupStep; earlier days keep theirs
    in OrganizationRollup.breakdown."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="rollup_counts",
        verbose_name="организация",
    )  # fmt: skip
    academic_year = models.PositiveSmallIntegerField("учебный год")
    breakdown = models.CharField("разбивка", max_length=40)  # a key of OrganizationRollup.breakdown
    label = models.TextField("значение")
    count = models.PositiveIntegerField("число")

    class Meta:
        verbose_name = "значение разбивки в сводке"
        verbose_name_plural = "значения разбивок в сводках"
        indexes = [models.Index(fields=["academic_year", "organization"])]

    def __str__(self) -> str:
        return f"{self.breakdown}: {self.label}"


class RegionPublication(models.Model):
    """When the region's figures were last published, and from which rollups (a signature of
    the latest rows: a change anywhere, a new or moved organisation makes it differ)."""

    # publication_one leads with it: no index of its own
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", db_index=False)
    academic_year = models.PositiveSmallIntegerField("учебный год")
    signature = models.CharField(max_length=64)
    organizations = models.PositiveIntegerField("организаций", default=0)
    published_at = models.DateTimeField("опубликовано")
    day = models.DateField("день последней публикации")  # its PublishedCell rows
    # What it hid, with the true values then ({measure: {"organizations": [[id, n]], "cells":
    # [[m, k, n]], "breakdowns": {name: [[m, k, label, n]]}}}): hidden again next time while
    # unchanged (disclosure.Kept). Never shown.
    hidden = models.JSONField("скрыто", default=dict, editable=False)

    class Meta:
        verbose_name = "публикация показателей региона"
        verbose_name_plural = "публикации показателей регионов"
        constraints = [
            models.UniqueConstraint(fields=["region", "academic_year"], name="publication_one")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.academic_year}"


class PublishedCell(models.Model):
    """People counts of one cell of the filters' lattice (a municipality or all, a kind or
    all) as published on a day: suppressed values are None. Pages sum only published cells."""

    # published_cell_one_per_day leads with it: no index of its own
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", db_index=False)
    academic_year = models.PositiveSmallIntegerField("учебный год")
    day = models.DateField("день")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )  # None: every municipality of the region
    kind = models.CharField("тип организаций", max_length=20, blank=True)  # "": every kind
    organizations = models.PositiveIntegerField("организаций", default=0)
    figures = models.JSONField("показатели", default=dict)  # {measure: count or None}
    breakdowns = models.JSONField("разбивки", default=dict)  # {breakdown: {label: count or None}}

    class Meta:
        verbose_name = "опубликованная ячейка"
        verbose_name_plural = "опубликованные ячейки"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "academic_year", "day", "municipality", "kind"],
                name="published_cell_one_per_day",
                nulls_distinct=False,
            )
        ]
        indexes = [models.Index(fields=["region", "academic_year", "municipality", "kind", "-day"])]

    def __str__(self) -> str:
        return (
            f"{self.region_id} {self.academic_year} {self.day} {self.municipality_id} {self.kind}"
        )


class PublishedOrganization(models.Model):
    """One organisation's people counts as published on a day (hidden: None); kept beside
    the day's cells, so its history and the trend are the same publication."""

    # the (region, …) index leads with it: no index of its own
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", db_index=False)
    academic_year = models.PositiveSmallIntegerField("учебный год")
    day = models.DateField("день")
    # published_organization_day leads with it: no index of its own
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    figures = models.JSONField("показатели", default=dict)

    class Meta:
        verbose_name = "опубликованные показатели организации"
        verbose_name_plural = "опубликованные показатели организаций"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "academic_year", "day"], name="published_organization_day"
            )
        ]
        indexes = [models.Index(fields=["region", "academic_year", "day"])]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.academic_year} {self.day}"


class DirtyMark(models.Model):
    """«This organisation changed»: written in the transaction that made the change (so it is
    committed with it or not at all), read by the flush, deleted by the refresh that consumed
    it in the refresh's own transaction. Redis may be down meanwhile: nothing is lost."""

    schema_name = models.CharField(max_length=63)
    marked_at = models.DateTimeField(default=timezone.now)
    # When the flush last sent a refresh for it (None: not yet); a refresh lost with the
    # broker is sent again after ROLLUP_REQUEUE_SECONDS.
    queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "отметка об изменении"
        verbose_name_plural = "отметки об изменениях"
        # An index, not db_index=True: no «_like» copy (look-ups by = and IN only).
        indexes = [models.Index(fields=["schema_name"], name="dirtymark_schema_name")]

    def __str__(self) -> str:
        return f"{self.schema_name} {self.marked_at:%Y-%m-%d %H:%M:%S}"


class MonitoringCore(models.Model):
    """The region's common core of the monitoring questionnaires: the questions every school
    asks as they are (locked in each school's version), compared across schools by their
    codes. Version 0 (no row) is the built-in core of the seeds (tenants.monitoring.catalogue);
    each publication is a new version of every instrument's core."""

    # monitoring_core_version leads with it: no index of its own
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", db_index=False)
    version = models.PositiveSmallIntegerField("версия")
    items = models.JSONField("общие вопросы")  # {instrument code: [item, …]}
    note = models.CharField("что изменено", max_length=500, blank=True)
    published_at = models.DateTimeField("опубликовано", auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "общее ядро анкет мониторинга"
        verbose_name_plural = "общие ядра анкет мониторинга"
        ordering = ["region", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["region", "version"], name="monitoring_core_version")
        ]

    def __str__(self) -> str:
        return f"{self.region_id}: ядро анкет, версия {self.version}"
