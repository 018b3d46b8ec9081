"""Индивидуальный образовательный маршрут (ИОМ) of a pedagogical worker: a programme of
professional self-improvement for 4–5 years in yearly cycles, built by the seven steps of the
Положение (seed 001, §4.3.2). Lives in the teacher's school schema; a ЦНППМ tutor reads it only
through cnppm.access (assignment + consent), and every such read is in `RouteAccess`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q


class Step(models.IntegerChoices):
    """The algorithm of the route (§4.3.2)."""

    SELF_DETERMINATION = 1, "Самоопределение"
    ACHIEVEMENTS = 2, "Диагностика достижений и ресурсов"
    DEFICITS = 3, "Диагностика затруднений и дефицитов"
    ROADMAP = 4, "Дорожная карта ИОМ"
    IMPLEMENTATION = 5, "Реализация"
    CORRECTION = 6, "Корректировка"
    REFLECTION = 7, "Рефлексивный анализ"


STEP_HINTS = {
    Step.SELF_DETERMINATION: "описание идеального, желаемого образа себя как состоявшегося "
    "профессионала — чтобы не копировать «слепо» чужой опыт",
    Step.ACHIEVEMENTS: "достижения, достоинства и личностные ресурсы в педагогическом контексте "
    "своей организации",
    Step.DEFICITS: "профессиональные затруднения и дефициты по тем же направлениям",
    Step.ROADMAP: "обучение по программам ДПО, пробно-поисковые действия, инновационные программы "
    "и проекты, другие меры — каждое против своих дефицитов",
    Step.IMPLEMENTATION: "по каждому мероприятию — педагогический продукт и своё отношение к "
    "результату",
    Step.CORRECTION: "дополнения и изменения под влиянием изменений в образовании, запросов, "
    "интересов и потребностей",
    Step.REFLECTION: "по каждому дефициту — насколько преодолён; насколько приблизились к "
    "желаемому образу",
}


class Approval(models.TextChoices):
    DRAFT = "draft", "черновик"
    SUBMITTED = "submitted", "на согласовании"
    RETURNED = "returned", "на доработку"
    APPROVED = "approved", "согласовано"


ROUTE_YEARS = (4, 5)


class Route(models.Model):
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.DO_NOTHING,
        related_name="+", verbose_name="педагог",
    )  # fmt: skip
    teacher_name = models.CharField("ФИО педагога", max_length=300)
    position = models.CharField("должность", max_length=150, blank=True)
    subject = models.CharField("предмет, направление", max_length=150, blank=True)
    started_on = models.DateField("начало маршрута")
    years = models.PositiveSmallIntegerField("срок, лет", default=5)
    desired_image = models.TextField("желаемый образ себя как профессионала", blank=True)
    step = models.PositiveSmallIntegerField(
        "шаг", choices=Step.choices, default=Step.SELF_DETERMINATION
    )
    approval = models.CharField(
        "согласование дорожной карты", max_length=12, choices=Approval.choices,
        default=Approval.DRAFT,
    )  # fmt: skip
    approved_once = models.BooleanField("была согласована", default=False)
    last_reviewed_on = models.DateField("последнее сопровождение", null=True, blank=True)
    completed_on = models.DateField("завершён", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "индивидуальный образовательный маршрут"
        verbose_name_plural = "индивидуальные образовательные маршруты"
        ordering = ["teacher_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["teacher"],
                condition=Q(completed_on__isnull=True),
                name="route_one_current_per_teacher",
            ),
            models.CheckConstraint(
                condition=Q(years__in=ROUTE_YEARS), name="route_four_or_five_years"
            ),
        ]

    def __str__(self) -> str:
        return f"ИОМ: {self.teacher_name}"

    @property
    def ends_on(self) -> dt.date:
        return route_end(self.started_on, self.years)

    def cycle_years(self) -> list[int]:
        """The academic years (by their first calendar year) the route's cycles fall in."""
        first = self.started_on.year if self.started_on.month >= 9 else self.started_on.year - 1
        return [first + n for n in range(self.years)]


def route_end(started_on: dt.date, years: int) -> dt.date:
    try:
        return started_on.replace(year=started_on.year + years) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        return started_on.replace(year=started_on.year + years, day=28)


class RespondentKind(models.TextChoices):
    SELF = "self", "самодиагностика педагога"
    TUTOR = "tutor", "оценка тьютора ЦНППМ"
    CURATOR = "curator", "оценка куратора"


class Diagnosis(models.Model):
    """One respondent's diagnosis of the areas in one cycle (academic year), on the instrument
    version in force when it was started (kept with it, so a later version changes nothing)."""

    route = models.ForeignKey(
        Route, on_delete=models.CASCADE, related_name="diagnoses", db_index=False
    )  # diagnosis_one_per_year leads with it
    kind = models.CharField(max_length=10, choices=RespondentKind.choices)
    academic_year = models.PositiveSmallIntegerField("учебный год")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.DO_NOTHING,
        null=True, related_name="+",
    )  # fmt: skip
    author_name = models.CharField(max_length=300)
    instrument_version = models.PositiveSmallIntegerField("версия инструмента")
    instrument = models.JSONField("инструмент (направления и шкала)")
    submitted_at = models.DateTimeField("заполнена", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["academic_year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["route", "kind", "academic_year"], name="diagnosis_one_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.academic_year}/{self.academic_year + 1}"


class AreaResult(models.Model):
    diagnosis = models.ForeignKey(
        Diagnosis, on_delete=models.CASCADE, related_name="results", db_index=False
    )  # area_result_unique leads with it
    area = models.CharField("направление", max_length=40)
    ratings = models.JSONField("уровни по показателям", default=dict)
    level = models.DecimalField("средний уровень", max_digits=3, decimal_places=2, null=True)
    achievements = models.TextField("достижения, ресурсы, подтверждения", blank=True)
    difficulties = models.TextField("затруднения", blank=True)
    comment = models.TextField("комментарий", blank=True)

    class Meta:
        ordering = ["diagnosis", "id"]
        constraints = [
            models.UniqueConstraint(fields=["diagnosis", "area"], name="area_result_unique")
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.level}"


class Deficit(models.Model):
    """A professional deficit the route works on (step 3); activities address it (step 4) and
    the reflective analysis says how far it was overcome (step 7)."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="deficits")
    area = models.CharField("направление", max_length=40)
    area_title = models.CharField("направление (название)", max_length=200)
    description = models.CharField("в чём затруднение", max_length=1000)
    academic_year = models.PositiveSmallIntegerField("выявлен в учебном году")
    closed_on = models.DateField("снят с маршрута", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.area_title}: {self.description}"


class Section(models.TextChoices):
    """The parts of the route's roadmap (§4.3.2, step 4 а–г)."""

    COURSES = "courses", "а) Обучение по программам ДПО"
    TRIALS = "trials", "б) Пробно-поисковые действия в педагогической деятельности"
    PROJECTS = "projects", "в) Инновационные программы, педагогические проекты, исследования"
    MEASURES = "measures", "г) Другие меры и мероприятия"


class CourseFormat(models.TextChoices):
    FULL_TIME = "full_time", "очно"
    MIXED = "mixed", "очно-заочно"
    DISTANCE = "distance", "дистанционно"
    INTERNSHIP = "internship", "стажировка"


class ProductKind(models.TextChoices):
    """Педагогические продукты the seed names (step 5)."""

    DIAGNOSTICS = "diagnostics", "пакет педагогических диагностик"
    RECOMMENDATIONS = "recommendations", "методические рекомендации"
    TECHNOLOGY = "technology", "технология"
    METHOD = "method", "методика"
    LESSON = "lesson", "разработка занятия (урока)"
    SCENARIO = "scenario", "сценарий воспитательного мероприятия"
    PROGRAM = "program", "программа (рабочая, внеурочной деятельности)"
    PUBLICATION = "publication", "публикация, выступление"
    CERTIFICATE = "certificate", "удостоверение о повышении квалификации"
    OTHER = "other", "другое"


class ActivityStatus(models.TextChoices):
    RECOMMENDED = "recommended", "рекомендовано тьютором"
    PLANNED = "planned", "запланировано"
    DONE = "done", "выполнено"
    CANCELLED = "cancelled", "исключено"


class Activity(models.Model):
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="activities")
    section = models.CharField("раздел", max_length=10, choices=Section.choices)
    title = models.CharField("мероприятие", max_length=500)
    academic_year = models.PositiveSmallIntegerField("учебный год (цикл маршрута)")
    deficits = models.ManyToManyField(Deficit, related_name="activities", blank=True)
    deadline_text = models.CharField("сроки (как написано)", max_length=300)
    deadline = models.JSONField("сроки (разобранные)", default=dict, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    due_on = models.DateField("срок", null=True, blank=True)
    expected_product = models.CharField(
        "ожидаемый педагогический продукт", max_length=500, blank=True
    )
    # ДПО course (section «courses»)
    provider = models.CharField("организация ДПО", max_length=300, blank=True)
    hours = models.PositiveSmallIntegerField(
        "объём, часов", null=True, blank=True,
        validators=[MaxValueValidator(3000, "Объём программы — не больше 3000 часов.")],
    )  # fmt: skip
    course_starts_on = models.DateField("начало обучения", null=True, blank=True)
    course_ends_on = models.DateField("окончание обучения", null=True, blank=True)
    course_format = models.CharField(
        "форма обучения", max_length=12, choices=CourseFormat.choices, blank=True
    )
    certificate = models.CharField("документ об обучении", max_length=300, blank=True)
    # Implementation (step 5)
    status = models.CharField(
        max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    product_kind = models.CharField(
        "вид продукта", max_length=20, choices=ProductKind.choices, blank=True
    )
    product_title = models.CharField("продукт", max_length=500, blank=True)
    product_file = models.FileField("файл продукта", upload_to="routes/products/", blank=True)
    product_link = models.URLField("ссылка на продукт", max_length=500, blank=True)
    attitude = models.TextField("отношение к достигнутому результату", blank=True)
    done_on = models.DateField("выполнено", null=True, blank=True)
    recommended_by = models.CharField("рекомендовал", max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["section", "position", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="route_activity_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(course_ends_on__isnull=True)
                | Q(course_starts_on__isnull=True)
                | Q(course_ends_on__gte=models.F("course_starts_on")),
                name="activity_course_dates_ordered",
                violation_error_message="Окончание обучения раньше его начала.",
            ),
            models.CheckConstraint(
                condition=Q(hours__lte=3000),
                name="activity_hours_sane",
                violation_error_message="Объём программы — не больше 3000 часов.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: dt.date) -> bool:
        return (
            self.status == ActivityStatus.PLANNED
            and self.due_on is not None
            and self.due_on < today
        )


class ChangeReason(models.TextChoices):
    """Why the roadmap changed (step 6 of §4.3.2)."""

    EDUCATION = "education", "изменения, происходящие в образовании"
    OWN_NEEDS = "own_needs", "изменение запросов, интересов и потребностей педагога"
    ORGANIZATION = "organization", "потребности участников образовательного процесса организации"
    REVIEW = "review", "замечания тьютора или куратора"
    OTHER = "other", "другое"


class ActorRole(models.TextChoices):
    TEACHER = "teacher", "педагог"
    TUTOR = "tutor", "тьютор ЦНППМ"
    CURATOR = "curator", "куратор"


class Change(models.Model):
    """One correction of the route: what changed, why and who (step 6)."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.DO_NOTHING,
        null=True, related_name="+",
    )  # fmt: skip
    user_name = models.CharField(max_length=300)
    role = models.CharField(max_length=10, choices=ActorRole.choices, default=ActorRole.TEACHER)
    reason = models.CharField("причина", max_length=15, choices=ChangeReason.choices, blank=True)
    reason_text = models.CharField("пояснение", max_length=1000, blank=True)
    summary = models.CharField("что изменено", max_length=1000)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.summary


class Verdict(models.TextChoices):
    COMMENT = "comment", "комментарий"
    RETURNED = "returned", "на доработку"
    APPROVED = "approved", "согласовано"


class Review(models.Model):
    """A tutor's or curator's word on the route: a comment on a step or an activity, or a
    verdict on the roadmap («согласовано» / «на доработку»)."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="reviews")
    at = models.DateTimeField(auto_now_add=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.DO_NOTHING,
        null=True, related_name="+",
    )  # fmt: skip
    reviewer_name = models.CharField(max_length=300)
    role = models.CharField(max_length=10, choices=ActorRole.choices)
    verdict = models.CharField(max_length=10, choices=Verdict.choices, default=Verdict.COMMENT)
    step = models.PositiveSmallIntegerField(choices=Step.choices, null=True, blank=True)
    activity = models.ForeignKey(
        Activity, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviews"
    )
    text = models.TextField("текст")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_verdict_display()}: {self.reviewer_name}"


class Overcome(models.IntegerChoices):
    NOT_YET = 0, "не преодолён"
    PARTLY = 1, "преодолён частично"
    MOSTLY = 2, "преодолён в основном"
    FULLY = 3, "преодолён полностью"


class Reflection(models.Model):
    """Рефлексивный анализ at the end of a cycle (and, final, of the route)."""

    route = models.ForeignKey(
        Route, on_delete=models.CASCADE, related_name="reflections", db_index=False
    )  # reflection_one_per_year leads with it
    academic_year = models.PositiveSmallIntegerField("учебный год")
    is_final = models.BooleanField("итоговый, по маршруту", default=False)
    image_distance = models.PositiveSmallIntegerField(
        "степень приближения к желаемому образу (1–5)", null=True
    )
    image_text = models.TextField("насколько приблизился к желаемому образу", blank=True)
    conclusions = models.TextField("выводы, что дальше", blank=True)
    author_name = models.CharField(max_length=300)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["academic_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["route", "academic_year"], name="reflection_one_per_year"
            ),
            models.CheckConstraint(
                condition=Q(image_distance__isnull=True)
                | Q(image_distance__gte=1, image_distance__lte=5),
                name="reflection_distance_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"Рефлексивный анализ {self.academic_year}/{self.academic_year + 1}"


class DeficitProgress(models.Model):
    reflection = models.ForeignKey(
        Reflection, on_delete=models.CASCADE, related_name="progress", db_index=False
    )  # deficit_progress_unique leads with it
    deficit = models.ForeignKey(Deficit, on_delete=models.CASCADE, related_name="progress")
    degree = models.PositiveSmallIntegerField(choices=Overcome.choices)
    comment = models.CharField(max_length=1000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reflection", "deficit"], name="deficit_progress_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.deficit_id}: {self.get_degree_display()}"


class Recipient(models.TextChoices):
    TUTOR = "tutor", "тьютору ЦНППМ"
    CURATOR = "curator", "куратору наставничества организации"


CONSENT_TEXT_VERSION = "iom-2026-1"


class RouteConsent(models.Model):
    """The teacher's consent to share the route (152-ФЗ, ст. 9): recorded in the school's consent
    register before anyone but the teacher sees the route; withdrawn, it ends access at once."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="consents")
    recipient = models.CharField("кому", max_length=10, choices=Recipient.choices)
    text_version = models.CharField(max_length=20, default=CONSENT_TEXT_VERSION)
    given_at = models.DateTimeField("дано")
    withdrawn_at = models.DateTimeField("отозвано", null=True, blank=True)

    class Meta:
        verbose_name = "согласие на передачу ИОМ"
        verbose_name_plural = "согласия на передачу ИОМ"
        ordering = ["-given_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["route", "recipient"],
                condition=Q(withdrawn_at__isnull=True),
                name="route_consent_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"Согласие на передачу ИОМ {self.get_recipient_display()}"


class AccessWhat(models.TextChoices):
    ROUTE = "route", "маршрут"
    PRODUCT = "product", "файл продукта"
    DOCUMENT = "document", "маршрут (DOCX)"
    API = "api", "маршрут через API"
    MENTORING = "mentoring", "дефициты — при подборе наставника и программе"


class RouteAccess(models.Model):
    """Журнал просмотров маршрута кем-либо, кроме самого педагога (тьютор, куратор)."""

    at = models.DateTimeField(auto_now_add=True)
    route = models.ForeignKey(
        Route, on_delete=models.CASCADE, related_name="accesses", db_index=False
    )  # route_access_route_at leads with it
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.DO_NOTHING,
        null=True, related_name="+",
    )  # fmt: skip
    user_name = models.CharField(max_length=300)
    role = models.CharField(max_length=10, choices=ActorRole.choices)
    what = models.CharField(max_length=10, choices=AccessWhat.choices, default=AccessWhat.ROUTE)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["route", "at"], name="route_access_route_at")]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.user_name}: {self.get_what_display()}"
