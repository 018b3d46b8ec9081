"""Banks of mentors and mentees (база наставников / наставляемых), consents, questionnaires."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.tokens import new_token


class Category(models.TextChoices):
    PUPIL = "pupil", "обучающийся"
    TEACHER = "teacher", "педагог"
    YOUNG_SPECIALIST = "young_specialist", "молодой специалист"
    PARENT = "parent", "родитель"
    GRADUATE = "graduate", "выпускник"
    STUDENT = "student", "студент"
    EMPLOYER = "employer", "представитель работодателя / предприятия"
    ENTREPRENEUR = "entrepreneur", "предприниматель / общественный деятель"
    VETERAN = "veteran", "ветеран педагогического труда"
    OTHER = "other", "другое"


# Categories whose class/group is asked (обучающийся «7 Б», студент «ТО-21»).
LEARNER_CATEGORIES = frozenset({Category.PUPIL, Category.STUDENT})
# Categories whose post and subject are asked.
STAFF_CATEGORIES = frozenset({Category.TEACHER, Category.YOUNG_SPECIALIST, Category.VETERAN})


class BankRole(models.TextChoices):
    MENTEE = "mentee", "наставляемый"
    MENTOR = "mentor", "наставник"
    BOTH = "both", "наставник и наставляемый"


class MenteeReason(models.TextChoices):
    """Who may be a mentee: 4.6 (pupils) and 4.7 (teachers) of the Положение."""

    OUTSTANDING = "outstanding", "проявивший выдающиеся способности"
    LOW_RESULTS = "low_results", "демонстрирующий неудовлетворительные образовательные результаты"
    DISABILITY = "disability", "с ограниченными возможностями здоровья (ОВЗ)"
    HARD_SITUATION = "hard_situation", "попавший в трудную жизненную ситуацию"
    BEHAVIOUR = "behaviour", "имеющий проблемы с поведением"
    NOT_INVOLVED = (
        "not_involved",
        "не принимающий участие в жизни школы, отстраненный от коллектива",
    )
    YOUNG_SPECIALIST = "young_specialist", "молодой специалист"
    BURNOUT = "burnout", "в состоянии эмоционального выгорания, хронической усталости"
    NEW_PLACE = "new_place", "в процессе адаптации на новом месте работы"
    DIGITAL = "digital", "желающий овладеть современными программами, цифровыми навыками, ИКТ"


PUPIL_REASONS = (
    MenteeReason.OUTSTANDING, MenteeReason.LOW_RESULTS, MenteeReason.DISABILITY,
    MenteeReason.HARD_SITUATION, MenteeReason.BEHAVIOUR, MenteeReason.NOT_INVOLVED,
)  # fmt: skip
TEACHER_REASONS = (
    MenteeReason.YOUNG_SPECIALIST, MenteeReason.BURNOUT, MenteeReason.NEW_PLACE,
    MenteeReason.DIGITAL,
)  # fmt: skip
# Health data (152-ФЗ, ст. 10): stored only with a separate written consent.
HEALTH_REASONS = frozenset({MenteeReason.DISABILITY})


class MentoringForm(models.TextChoices):
    """Standard forms of mentoring (the pairs part adds an organisation's own)."""

    PUPIL_PUPIL = "pupil_pupil", "ученик – ученик"
    TEACHER_TEACHER = "teacher_teacher", "учитель – учитель"
    STUDENT_PUPIL = "student_pupil", "студент – ученик"
    EMPLOYER_PUPIL = "employer_pupil", "работодатель – ученик"
    TEACHER_PUPIL = "teacher_pupil", "учитель – ученик"
    HEAD_TEACHER = "head_teacher", "руководитель ОО – учитель"
    EDUCATOR_EDUCATOR = "educator_educator", "педагог – педагог"


ADULT_AGE = 18


def short_name_of(last_name: str, first_name: str, patronymic: str) -> str:
    """«Иванова А.П.»: a participant's name in lists and messages."""
    initials = "".join(f"{p[0]}." for p in (first_name, patronymic) if p)
    return f"{last_name} {initials}".strip()


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


class ParticipantQuerySet(models.QuerySet["Participant"]):
    def in_banks(self) -> ParticipantQuerySet:
        """Everyone still in the banks: a withdrawn consent removes a person at once."""
        return self.filter(anonymised_at__isnull=True)

    def mentees(self) -> ParticipantQuerySet:
        return self.in_banks().filter(bank_role__in=[BankRole.MENTEE, BankRole.BOTH])

    def mentors(self) -> ParticipantQuerySet:
        return self.in_banks().filter(bank_role__in=[BankRole.MENTOR, BankRole.BOTH])


class Participant(models.Model):
    last_name = models.CharField("фамилия", max_length=100)
    first_name = models.CharField("имя", max_length=100)
    patronymic = models.CharField("отчество", max_length=100, blank=True)
    birth_date = models.DateField("дата рождения", null=True, blank=True)
    phone = models.CharField("телефон", max_length=40, blank=True)
    email = models.EmailField("email", blank=True)
    category = models.CharField("категория", max_length=30, choices=Category.choices)
    class_group = models.CharField("класс / группа", max_length=30, blank=True)
    position = models.CharField("должность", max_length=150, blank=True)
    subject = models.CharField("предмет", max_length=150, blank=True)
    is_external = models.BooleanField("внешний участник", default=False)
    workplace = models.CharField("место работы / учёбы (для внешних)", max_length=300, blank=True)
    agreement_number = models.CharField("договор о сотрудничестве №", max_length=50, blank=True)
    agreement_date = models.DateField("дата договора", null=True, blank=True)
    agreement_file = models.FileField(
        "скан договора", upload_to="participants/agreements/", blank=True
    )
    bank_role = models.CharField("роль в базе", max_length=10, choices=BankRole.choices)
    academic_year = models.PositiveSmallIntegerField("учебный год")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_constraint=False,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="учётная запись",
    )
    # Mentee side
    reasons = ArrayField(
        models.CharField(max_length=30, choices=MenteeReason.choices),
        default=list,
        blank=True,
        verbose_name="основания",
    )
    requests = ArrayField(
        models.CharField(max_length=100), default=list, blank=True, verbose_name="запросы"
    )
    requests_text = models.TextField("запросы (подробно)", blank=True)
    difficulties = ArrayField(
        models.CharField(max_length=100), default=list, blank=True, verbose_name="затруднения"
    )
    difficulties_text = models.TextField("профессиональные затруднения (подробно)", blank=True)
    # Mentor side
    competencies = ArrayField(
        models.CharField(max_length=100), default=list, blank=True, verbose_name="компетенции"
    )
    experience = models.TextField("опыт", blank=True)
    offer = models.TextField("чем может быть полезен", blank=True)
    capacity = models.PositiveSmallIntegerField("наставляемых не более", default=1)
    availability = models.CharField("когда может встречаться", max_length=300, blank=True)
    forms = ArrayField(
        models.CharField(max_length=30, choices=MentoringForm.choices),
        default=list,
        blank=True,
        verbose_name="формы наставничества",
    )
    # Identity for idempotent re-import: normalised ФИО + birth date (or class/post).
    # ФИО (3 × 100) | category | post (150): up to 484 characters.
    natural_key = models.CharField(max_length=500, editable=False)
    anonymised_at = models.DateTimeField("данные обезличены", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = "участник"
        verbose_name_plural = "участники"
        ordering = ["last_name", "first_name", "patronymic"]
        constraints = [
            models.UniqueConstraint(
                fields=["academic_year", "natural_key"],
                condition=Q(anonymised_at__isnull=True),
                name="participant_unique_person_per_year",
            ),
            models.CheckConstraint(condition=Q(capacity__lte=30), name="participant_capacity_sane"),
        ]
        indexes = [
            models.Index(fields=["academic_year", "bank_role", "last_name"]),
            GinIndex(fields=["requests"], name="participant_requests_gin"),
            GinIndex(fields=["competencies"], name="participant_competencies_gin"),
            GinIndex(fields=["reasons"], name="participant_reasons_gin"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def short_name(self) -> str:
        return short_name_of(self.last_name, self.first_name, self.patronymic)

    def age(self, today: dt.date) -> int | None:
        return age_on(self.birth_date, today) if self.birth_date else None

    def is_minor(self, today: dt.date) -> bool:
        """Pupils are minors unless a birth date says otherwise."""
        age = self.age(today)
        if age is None:
            return self.category == Category.PUPIL
        return age < ADULT_AGE

    @property
    def reason_labels(self) -> list[str]:
        labels = dict(MenteeReason.choices)
        return [str(labels.get(r, r)) for r in self.reasons]

    @property
    def form_labels(self) -> list[str]:
        labels = dict(MentoringForm.choices)
        return [str(labels.get(f, f)) for f in self.forms]

    @property
    def is_mentor(self) -> bool:
        return self.bank_role in (BankRole.MENTOR, BankRole.BOTH)

    @property
    def is_mentee(self) -> bool:
        return self.bank_role in (BankRole.MENTEE, BankRole.BOTH)


class ConsentKind(models.TextChoices):
    PERSONAL_DATA = "personal_data", "на обработку персональных данных"
    HEALTH = "health", "на обработку сведений о состоянии здоровья"


class Relation(models.TextChoices):
    MOTHER = "mother", "мать"
    FATHER = "father", "отец"
    GUARDIAN = "guardian", "опекун (попечитель)"
    REPRESENTATIVE = "representative", "иной законный представитель"


class Consent(models.Model):
    """A signed consent (152-ФЗ); for a minor it is signed by a parent or legal representative."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField("вид", max_length=20, choices=ConsentKind.choices)
    purpose = models.TextField("цель обработки")
    scope = models.TextField("перечень данных")
    form_version = models.CharField("версия формы", max_length=30, default="2025-1")
    signed_on = models.DateField("дата подписания")
    valid_until = models.DateField("действует до", null=True, blank=True)
    scan = models.FileField("скан", upload_to="participants/consents/", blank=True)
    representative_name = models.CharField(
        "ФИО законного представителя", max_length=300, blank=True
    )
    representative_relation = models.CharField(
        "кем приходится", max_length=20, choices=Relation.choices, blank=True
    )
    withdrawn_on = models.DateField("отозвано", null=True, blank=True)
    withdrawal_reason = models.CharField("основание отзыва", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_constraint=False,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "согласие"
        verbose_name_plural = "согласия"
        ordering = ["-signed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} от {self.signed_on:%d.%m.%Y}"

    @property
    def by_representative(self) -> bool:
        return bool(self.representative_name)

    def is_valid_on(self, day: dt.date) -> bool:
        return (
            self.withdrawn_on is None
            and self.signed_on <= day
            and (self.valid_until is None or self.valid_until >= day)
        )


class EventKind(models.TextChoices):
    """What a processing-log entry records (the text says it for people; code reads this)."""

    ADDED = "added", "добавлен в базу"
    CHANGED = "changed", "изменены сведения"
    IMPORTED = "imported", "загружен из списка"
    AGREEMENT = "agreement", "загружен договор"
    CONSENT_GIVEN = "consent_given", "получено согласие"
    CONSENT_WITHDRAWN = "consent_withdrawn", "отозвано согласие"
    HEALTH_REMOVED = "health_removed", "удалены сведения о здоровье"
    DESTROYED = "destroyed", "персональные данные уничтожены"
    QUESTIONNAIRE_SENT = "questionnaire_sent", "выдана ссылка на анкету"
    QUESTIONNAIRE_ANSWERED = "questionnaire_answered", "заполнена анкета"
    OTHER = "other", "другое"


class ParticipantEvent(models.Model):
    """The processing log of a person's data; its extract goes into the destruction act."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_constraint=False,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    kind = models.CharField(max_length=30, choices=EventKind.choices, default=EventKind.OTHER)
    action = models.CharField(max_length=300)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.action


class DestructionAct(models.Model):
    """Акт об уничтожении персональных данных, kept after the person's data are gone."""

    number = models.PositiveIntegerField("номер", unique=True)
    participant = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, related_name="destruction_acts"
    )
    created_on = models.DateField("дата")
    file = models.FileField(upload_to="participants/acts/")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_constraint=False,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "акт об уничтожении персональных данных"
        verbose_name_plural = "акты об уничтожении персональных данных"
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Акт № {self.number} от {self.created_on:%d.%m.%Y}"


class AccessKind(models.TextChoices):
    """What was read; the log filters on these codes, never on the Russian labels."""

    CARD = "card", "карточка участника"
    CARD_API = "card_api", "карточка участника через API"
    CONSENT_SCAN = "consent_scan", "скан согласия"
    CONSENT_DOCUMENT = "consent_document", "согласие (DOCX)"
    CONSENT_BLANK = "consent_blank", "бланк согласия с данными участника (DOCX)"
    EXPORT_XLSX = "export_xlsx", "выгрузка баз (XLSX)"
    EXPORT_CSV = "export_csv", "выгрузка баз (CSV)"
    MONITORING = "monitoring", "мониторинг пары (ответы, результаты)"


class MinorDataAccess(models.Model):
    """Журнал доступа к данным несовершеннолетних (152-ФЗ, ст. 19): who read a minor's data,
    when, what and from which address. Written only by services.access_event_record.

    The log outlives what it names: an account may be deleted (the name is kept in user_name)
    and a participant anonymised, so neither reference clears or blocks a row.
    """

    at = models.DateTimeField("когда", default=timezone.now, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        null=True,
        related_name="+",
        verbose_name="кто",
        db_index=False,  # minor_access_user_at leads with it
    )
    user_name = models.CharField("кто (ФИО на момент доступа)", max_length=300)
    kind = models.CharField("что", max_length=20, choices=AccessKind.choices)
    participant = models.ForeignKey(
        Participant,
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        null=True,
        related_name="+",
        verbose_name="чьи данные",
        db_index=False,  # minor_access_participant_at leads with it
    )
    minors = models.PositiveIntegerField("несовершеннолетних", default=1)
    detail = models.CharField("подробности", max_length=300, blank=True)
    ip = models.GenericIPAddressField("IP-адрес", null=True, blank=True)

    class Meta:
        verbose_name = "доступ к данным несовершеннолетнего"
        verbose_name_plural = "журнал доступа к данным несовершеннолетних"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["at"], name="minor_access_at"),
            models.Index(fields=["user", "at"], name="minor_access_user_at"),
            models.Index(fields=["participant", "at"], name="minor_access_participant_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.user_name}: {self.get_kind_display()}"


class QuestionnaireKind(models.TextChoices):
    MENTOR = "mentor", "анкета наставника"
    MENTEE = "mentee", "анкета наставляемого"


class QuestionKind(models.TextChoices):
    TEXT = "text", "строка"
    TEXTAREA = "textarea", "текст"
    CHOICE = "choice", "один вариант"
    MULTI = "multi", "несколько вариантов"
    TAGS = "tags", "перечень через запятую"
    NUMBER = "number", "число"


class ProfileField(models.TextChoices):
    """Which part of the participant's profile an answer fills."""

    NONE = "", "— не переносить —"
    COMPETENCIES = "competencies", "компетенции"
    EXPERIENCE = "experience", "опыт"
    OFFER = "offer", "чем может быть полезен"
    CAPACITY = "capacity", "наставляемых не более"
    AVAILABILITY = "availability", "когда может встречаться"
    FORMS = "forms", "формы наставничества"
    REQUESTS = "requests", "запросы"
    REQUESTS_TEXT = "requests_text", "запросы (подробно)"
    DIFFICULTIES = "difficulties", "затруднения"
    DIFFICULTIES_TEXT = "difficulties_text", "затруднения (подробно)"
    PHONE = "phone", "телефон"
    EMAIL = "email", "email"


class Questionnaire(models.Model):
    kind = models.CharField("вид", max_length=10, choices=QuestionnaireKind.choices)
    title = models.CharField("название", max_length=300)
    intro = models.TextField("вступление", blank=True)

    class Meta:
        verbose_name = "анкета"
        verbose_name_plural = "анкеты"
        # A constraint, not unique=True: no extra «_like» index (only = look-ups).
        constraints = [
            models.UniqueConstraint(fields=["kind"], name="participants_questionnaire_kind_unique")
        ]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField("вопрос", max_length=500)
    kind = models.CharField(
        "тип ответа", max_length=10, choices=QuestionKind.choices, default=QuestionKind.TEXTAREA
    )
    choices = ArrayField(
        models.CharField(max_length=200), default=list, blank=True, verbose_name="варианты"
    )
    profile_field = models.CharField(
        "переносится в профиль", max_length=30, choices=ProfileField.choices, blank=True, default=""
    )
    required = models.BooleanField("обязательный", default=False)

    class Meta:
        verbose_name = "вопрос"
        verbose_name_plural = "вопросы"
        ordering = ["questionnaire", "position", "id"]

    def __str__(self) -> str:
        return self.text


# migrations/0001_initial names the default by this path; it is the core generator.
_invitation_token = new_token


class Invitation(models.Model):
    """A personal link to a questionnaire, answered without an account."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="invitations"
    )
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, default=new_token)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_on = models.DateField("действует до")
    answered_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        # A constraint, not unique=True: no extra «_like» index (only = look-ups).
        constraints = [
            models.UniqueConstraint(fields=["token"], name="participants_invitation_token_unique")
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} → {self.participant}"
