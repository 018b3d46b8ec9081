"""Mentoring pairs and groups, the приказы that approve them, programs and meetings."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from core.tokens import new_token
from tenants.participants.models import Category, Participant


class Form(models.Model):
    """A form of mentoring (форма наставничества): who may mentor whom."""

    code = models.SlugField("код", max_length=40, db_index=False)
    title = models.CharField("форма наставничества", max_length=200)
    mentor_categories = ArrayField(
        models.CharField(max_length=30, choices=Category.choices),
        verbose_name="категории наставников",
    )
    mentee_categories = ArrayField(
        models.CharField(max_length=30, choices=Category.choices),
        verbose_name="категории наставляемых",
    )
    allows_groups = models.BooleanField("возможна групповая форма", default=False)
    is_standard = models.BooleanField("из целевой модели", default=False)
    # The forms the organisation implements (its Положение names them); the others stay listed.
    in_use = models.BooleanField("используется в организации", default=False)

    class Meta:
        verbose_name = "форма наставничества"
        verbose_name_plural = "формы наставничества"
        ordering = ["-is_standard", "title"]
        # A constraint, not unique=True: no extra «_like» index (only = look-ups).
        constraints = [models.UniqueConstraint(fields=["code"], name="mentoring_form_code_unique")]

    def __str__(self) -> str:
        return self.title

    @property
    def mentor_labels(self) -> list[str]:
        labels = dict(Category.choices)
        return [str(labels.get(c, c)) for c in self.mentor_categories]

    @property
    def mentee_labels(self) -> list[str]:
        labels = dict(Category.choices)
        return [str(labels.get(c, c)) for c in self.mentee_categories]


class Kind(models.TextChoices):
    TRADITIONAL = "traditional", "традиционное (один-на-один)"
    GROUP = "group", "в группе"
    VIRTUAL = "virtual", "виртуальное (дистанционное)"
    REVERSE = "reverse", "реверсивное"
    SITUATIONAL = "situational", "ситуационное"
    SPEED = "speed", "скоростное"
    SHORT_TERM = "short_term", "краткосрочное (целеполагающее)"


class PairStatus(models.TextChoices):
    PROPOSED = "proposed", "предложена"
    APPROVED = "approved", "утверждена приказом"
    ACTIVE = "active", "работает"
    COMPLETED = "completed", "завершена"
    TERMINATED = "terminated", "прекращена"


LIVE_STATUSES = (PairStatus.PROPOSED, PairStatus.APPROVED, PairStatus.ACTIVE)
# Allowed transitions of the lifecycle: proposed → approved → active → completed; any live
# state → terminated (with a reason).
TRANSITIONS = {
    PairStatus.PROPOSED: {PairStatus.APPROVED, PairStatus.TERMINATED},
    PairStatus.APPROVED: {PairStatus.ACTIVE, PairStatus.TERMINATED},
    PairStatus.ACTIVE: {PairStatus.COMPLETED, PairStatus.TERMINATED},
    PairStatus.COMPLETED: set(),
    PairStatus.TERMINATED: set(),
}


class Order(models.Model):
    """Приказ «Об утверждении наставнических пар/групп»; recording its number approves them."""

    number = models.CharField("номер", max_length=30, blank=True)
    signed_on = models.DateField("дата", null=True, blank=True)
    title = models.CharField(
        "заголовок", max_length=300, default="Об утверждении наставнических пар/групп"
    )
    curator_name = models.CharField("куратор", max_length=300, blank=True)
    director_name = models.CharField("руководитель", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_constraint=False,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "приказ"
        verbose_name_plural = "приказы"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        if self.number:
            return f"Приказ № {self.number} от {self.signed_on:%d.%m.%Y}"
        return "Проект приказа"

    @property
    def is_signed(self) -> bool:
        return bool(self.number and self.signed_on)


class Pair(models.Model):
    """A mentoring pair (one mentee) or group (several), with one mentor."""

    mentor = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="mentoring_pairs"
    )
    mentees = models.ManyToManyField(
        Participant, related_name="mentee_pairs", verbose_name="наставляемые"
    )
    form = models.ForeignKey(Form, on_delete=models.PROTECT, verbose_name="форма")
    kind = models.CharField("вид", max_length=20, choices=Kind.choices, default=Kind.TRADITIONAL)
    academic_year = models.PositiveSmallIntegerField("учебный год")
    starts_on = models.DateField("начало")
    ends_on = models.DateField("окончание")
    status = models.CharField(
        "статус", max_length=20, choices=PairStatus.choices, default=PairStatus.PROPOSED
    )
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="pairs"
    )
    termination_reason = models.CharField("причина прекращения", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "наставническая пара (группа)"
        verbose_name_plural = "наставнические пары и группы"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "academic_year"])]

    def __str__(self) -> str:
        return f"{self.mentor.short_name} → {', '.join(m.short_name for m in self.mentees.all())}"

    @property
    def is_group(self) -> bool:
        return self.mentees.count() > 1


class PairEventKind(models.TextChoices):
    PROPOSED = "proposed", "предложена"
    STATUS = "status", "изменён статус"
    IN_ORDER = "in_order", "включена в проект приказа"
    APPROVED = "approved", "утверждена приказом"
    PROGRAM = "program", "программа"
    MEETING = "meeting", "встреча"
    MENTEE_ADDED = "mentee_added", "добавлен наставляемый"
    OTHER = "other", "другое"


class PairEvent(models.Model):
    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_constraint=False,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    kind = models.CharField(
        max_length=20, choices=PairEventKind.choices, default=PairEventKind.OTHER
    )
    summary = models.CharField(max_length=500)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.summary


# migrations/0001_initial names the default by this path; it is the core generator.
_token = new_token


# A mentee's link to choose a mentor works this long: it names the offered mentors, so it must
# not stay valid in a forwarded message for the rest of the year.
OFFER_LINK_DAYS = 14


class OfferLinkState(models.TextChoices):
    OPEN = "open", "действует"
    CHOSEN = "chosen", "выбор сделан"
    CLOSED = "closed", "подбор закрыт"
    EXPIRED = "expired", "срок истёк"


class CandidateOffer(models.Model):
    """Mentors offered to a mentee, who has the right to choose (Положение)."""

    mentee = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="candidate_offers"
    )
    mentors = models.ManyToManyField(Participant, related_name="+")
    token = models.CharField(max_length=64, default=new_token)
    chosen = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    chosen_at = models.DateTimeField(null=True, blank=True)
    # Closed by a newer offer to the same mentee, or when the mentee is put into a pair.
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        # A constraint, not unique=True: no extra «_like» index (only = look-ups).
        constraints = [
            models.UniqueConstraint(fields=["token"], name="mentoring_candidateoffer_token_unique")
        ]

    def __str__(self) -> str:
        return f"Кандидаты для {self.mentee}"

    @property
    def expires_at(self) -> dt.datetime:
        return self.created_at + dt.timedelta(days=OFFER_LINK_DAYS)

    def link_state(self, now: dt.datetime) -> OfferLinkState:
        """Whether the mentee's link still lets them choose; a used link does not."""
        if self.chosen_id is not None:
            return OfferLinkState.CHOSEN
        if self.closed_at is not None:
            return OfferLinkState.CLOSED
        if now >= self.expires_at:
            return OfferLinkState.EXPIRED
        return OfferLinkState.OPEN


class Program(models.Model):
    """Персонализированная программа наставничества (3 months to 1 year)."""

    pair = models.OneToOneField(Pair, on_delete=models.CASCADE, related_name="program")
    goals = models.TextField("цели и задачи", blank=True)
    expected_results = models.TextField("ожидаемые результаты", blank=True)
    starts_on = models.DateField("начало")
    ends_on = models.DateField("окончание")
    final_report = models.TextField("итоги", blank=True)
    completed_on = models.DateField("завершена", null=True, blank=True)

    class Meta:
        verbose_name = "персонализированная программа наставничества"
        verbose_name_plural = "персонализированные программы наставничества"

    def __str__(self) -> str:
        return f"Программа: {self.pair}"

    @property
    def months(self) -> float:
        return (self.ends_on - self.starts_on).days / 30.44


class PlanItem(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="plan")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField("мероприятие", max_length=300)
    planned_on = models.DateField("срок")
    done_on = models.DateField("выполнено", null=True, blank=True)

    class Meta:
        ordering = ["program", "planned_on", "position"]

    def __str__(self) -> str:
        return self.title


class MeetingKind(models.TextChoices):
    ORGANIZATIONAL = "organizational", "организационная встреча"
    TRIAL = "trial", "пробная рабочая встреча"
    PLANNING = "planning", "встреча-планирование"
    REGULAR = "regular", "регулярная встреча"
    FINAL = "final", "заключительная встреча"


class MeetingFormat(models.TextChoices):
    IN_PERSON = "in_person", "очно"
    ONLINE = "online", "онлайн"


class Meeting(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField("встреча", max_length=20, choices=MeetingKind.choices)
    held_on = models.DateField("дата")
    time = models.TimeField("время", null=True, blank=True)
    # Planned ahead (in the calendar and reminders) until it is marked as held.
    is_planned = models.BooleanField("запланирована", default=False)
    place = models.CharField("место или ссылка", max_length=300, blank=True)
    format = models.CharField(
        "формат", max_length=10, choices=MeetingFormat.choices, default=MeetingFormat.IN_PERSON
    )
    notes = models.TextField("заметки", blank=True)
    attendees = models.ManyToManyField(
        Participant, blank=True, related_name="+", verbose_name="присутствовали"
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_constraint=False,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "встреча"
        verbose_name_plural = "встречи"
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        when = f"{self.held_on:%d.%m.%Y}" + (f" {self.time:%H:%M}" if self.time else "")
        return f"{self.get_kind_display()} {when}"


def default_program_end(start: dt.date) -> dt.date:
    try:
        return start.replace(year=start.year + 1) - dt.timedelta(days=1)
    except ValueError:
        return start.replace(year=start.year + 1, day=28)
