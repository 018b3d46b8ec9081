"""Monitoring of the organisation's mentoring programs (004 §6): the instruments it uses, the
waves of each program, the answers, and the mentees' educational outcomes at entry and exit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from core.tokens import new_token
from tenants.mentoring.models import Program
from tenants.participants.models import Participant


class Respondent(models.TextChoices):
    MENTEE = "mentee", "наставляемый"
    MENTOR = "mentor", "наставник"
    CURATOR = "curator", "куратор"


class Instrument(models.Model):
    """A version of a questionnaire the organisation uses. Built-in ones come from the seeds
    (tenants.monitoring.catalogue); a school's adaptation is a new version, and every answer
    keeps the version it was given on. Never edited once answered: a change is a new version."""

    code = models.SlugField(
        "код", max_length=40, db_index=False
    )  # monitoring_instrument_version leads with it
    version = models.PositiveSmallIntegerField("версия", default=1)
    title = models.CharField("название", max_length=300)
    intro = models.TextField("вступление", blank=True)
    purpose = models.CharField("назначение", max_length=20)
    forms = ArrayField(models.CharField(max_length=40), default=list, blank=True,
                       verbose_name="формы наставничества")  # fmt: skip
    # [{"code", "text", "kind": "scale"|"open", "scale": [descriptions], "group", "core"}]
    items = models.JSONField("вопросы")
    is_current = models.BooleanField("действует", default=True)
    # The region's common core (regional_dashboard.MonitoringCore) this version carries.
    core_version = models.PositiveSmallIntegerField("версия общего ядра региона", default=0)
    note = models.CharField("что изменено", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_constraint=False,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "инструмент мониторинга"
        verbose_name_plural = "инструменты мониторинга"
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"], name="monitoring_instrument_version"
            ),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_current=True), name="monitoring_instrument_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (версия {self.version})"

    @property
    def scale_items(self) -> list[dict[str, Any]]:
        return [item for item in self.items if item["kind"] == "scale"]


class WaveKind(models.TextChoices):
    ENTRY = "entry", "входная диагностика («вход»)"
    INTERMEDIATE = "intermediate", "промежуточный мониторинг"
    FINAL = "final", "итоговый мониторинг («выход»)"


WAVE_ORDER: dict[str, int] = {WaveKind.ENTRY: 0, WaveKind.INTERMEDIATE: 1, WaveKind.FINAL: 2}


class Wave(models.Model):
    """One wave of a program's monitoring: planned from the program's dates (settable); opened
    on its first day (the answers are created then, with the instruments of that day) and
    closed by its last day or by the program's completion."""

    # Indexed by monitoring_wave_one_per_kind, which leads with the program.
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="waves", db_index=False
    )
    kind = models.CharField("волна", max_length=20, choices=WaveKind.choices)
    opens_on = models.DateField("начало")
    closes_on = models.DateField("окончание")
    # Planned from the program's dates and moved with them; False once a person set the dates.
    automatic = models.BooleanField("по срокам программы", default=True)
    opened_at = models.DateTimeField("открыта", null=True, blank=True)
    closed_at = models.DateTimeField("закрыта", null=True, blank=True)

    class Meta:
        verbose_name = "волна мониторинга"
        verbose_name_plural = "волны мониторинга"
        ordering = ["program", "opens_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "kind"], name="monitoring_wave_one_per_kind"),
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")),
                                   name="monitoring_wave_dates"),
        ]  # fmt: skip
        indexes = [models.Index(fields=["opens_on"]), models.Index(fields=["closes_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.opens_on:%d.%m.%Y}–{self.closes_on:%d.%m.%Y}"

    def state(self, today: dt.date) -> str:
        """planned | open | late (past its last day with answers missing) | done."""
        if self.opened_at is None:
            return "planned"
        if self.closed_at is not None:
            return "done"
        return "late" if today > self.closes_on else "open"


# migrations/0001_initial names the default by this path; it is the core generator.
_token = new_token


class Response(models.Model):
    """One questionnaire of a wave for one respondent (about one mentee, for the profile):
    answered in the cabinet or by the personal link, which needs no account."""

    # A wave opens 120 of these in a school at once, so only the indexes that are read: the
    # wave's questionnaires through monitoring_response_once (it leads with the wave), the
    # respondent's and the subject's for the cabinet and withdrawal. An instrument or an account
    # is deleted rarely enough to scan one school's questionnaires.
    wave = models.ForeignKey(
        Wave, on_delete=models.CASCADE, related_name="responses", db_index=False
    )
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="responses", db_index=False
    )
    respondent = models.CharField("кто отвечает", max_length=10, choices=Respondent.choices)
    # The mentor or mentee who answers (None: the curator, answered by a manager of the school).
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The mentee the answers describe (the profile), else None.
    subject = models.ForeignKey(
        Participant, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Unique through monitoring_response_token (a constraint: no LIKE index beside it).
    token = models.CharField(max_length=64, default=new_token)
    answers = models.JSONField(default=dict, blank=True)  # {item code: level or text}
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_constraint=False,
        db_index=False,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    nudged_on = models.DateField("напомнили", null=True, blank=True)

    class Meta:
        verbose_name = "анкета мониторинга"
        verbose_name_plural = "анкеты мониторинга"
        ordering = ["wave", "respondent", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "instrument", "respondent", "participant", "subject"],
                name="monitoring_response_once", nulls_distinct=False,
            ),
            models.UniqueConstraint(fields=["token"], name="monitoring_response_token"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.instrument.title} — {self.get_respondent_display()}"


class Outcome(models.Model):
    """One educational result of a mentee at the program's entry or exit (catalogue.OUTCOMES),
    typed in or imported from the electronic journal's export."""

    class Stage(models.TextChoices):
        ENTRY = "entry", "на входе"
        EXIT = "exit", "на выходе"

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="outcomes", db_index=False
    )  # monitoring_outcome_once leads with it
    mentee = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    indicator = models.CharField("показатель", max_length=30)
    stage = models.CharField("когда", max_length=10, choices=Stage.choices)
    value = models.DecimalField("значение", max_digits=6, decimal_places=2, null=True, blank=True)
    text = models.CharField("значение (вариант)", max_length=100, blank=True)
    recorded_on = models.DateField("на дату")
    imported = models.BooleanField("из выгрузки журнала", default=False)

    class Meta:
        verbose_name = "образовательный результат"
        verbose_name_plural = "образовательные результаты"
        ordering = ["program", "mentee", "indicator", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["program", "mentee", "indicator", "stage"],
                                    name="monitoring_outcome_once")
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.indicator} {self.stage}"


class AnalyticReport(models.Model):
    """The curator's итоговый аналитический отчёт of a year (001 §4.1.4): everything in it is
    assembled from the system, except the curator's conclusions and proposals, kept here."""

    academic_year = models.PositiveSmallIntegerField("учебный год", unique=True)
    conclusions = models.TextField("выводы", blank=True)
    proposals = models.TextField("предложения", blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_constraint=False,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "аналитический отчёт куратора"
        verbose_name_plural = "аналитические отчёты куратора"

    def __str__(self) -> str:
        return f"Аналитический отчёт {self.academic_year}/{self.academic_year + 1}"
