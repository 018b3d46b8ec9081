"""Writes to the banks: participants, consents and their withdrawal, questionnaire answers, and
the access log of minors' data."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from core import uploads
from core.limits import too_long
from core.params import ascii_int, has_nul
from organizations.models import Organization
from tenants.participants.models import (
    HEALTH_REASONS,
    LEARNER_CATEGORIES,
    PUPIL_REASONS,
    STAFF_CATEGORIES,
    TEACHER_REASONS,
    AccessKind,
    BankRole,
    Category,
    Consent,
    ConsentKind,
    DestructionAct,
    EventKind,
    Invitation,
    MenteeReason,
    MentoringForm,
    MinorDataAccess,
    Participant,
    ParticipantEvent,
    ProfileField,
    Question,
    QuestionKind,
    Questionnaire,
    Relation,
)

PD_PURPOSE = (
    "участие в реализации целевой модели наставничества: формирование баз наставников и "
    "наставляемых, наставнических пар и групп, персонализированных программ наставничества, "
    "мониторинг и оценка их эффективности"
)
PD_SCOPE = (
    "фамилия, имя, отчество; дата рождения; класс (группа), должность, преподаваемый предмет; "
    "контактный телефон, адрес электронной почты; сведения об образовательных запросах, "
    "профессиональных затруднениях, компетенциях и опыте"
)
HEALTH_PURPOSE = (
    "учёт особых образовательных потребностей при подборе наставника и составлении "
    "персонализированной программы наставничества"
)
HEALTH_SCOPE = "сведения о наличии ограниченных возможностей здоровья (статус ОВЗ)"
# Consent and agreement scans: what a phone or a scanner makes; a browser shows all three.
SCAN_UPLOAD = uploads.UploadPolicy(
    what="скан",
    kinds=frozenset({uploads.Kind.PDF, uploads.Kind.JPEG, uploads.Kind.PNG}),
    max_bytes=10 * uploads.MB,
    too_big_hint="Сохраните скан с меньшим разрешением (150–200 точек на дюйм достаточно).",
)


# Consent rules --------------------------------------------------------------------------------


@dataclass
class ConsentCheck:
    ok: bool
    problems: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return "согласие есть" if self.ok else "; ".join(self.problems)


def _valid(consents: Iterable[Consent], kind: str, day: dt.date) -> list[Consent]:
    return [c for c in consents if c.kind == kind and c.is_valid_on(day)]


def consent_check(*, participant: Participant, today: dt.date) -> ConsentCheck:
    """May this person's data be used, and may they be put in a pair?

    A valid consent to process personal data is needed; a minor's must be signed by a parent
    or legal representative; health-related reasons (ОВЗ) need their own written consent.
    Uses `participant.consents.all()`, so prefetching keeps lists at a fixed query count.
    """
    if participant.anonymised_at is not None:
        return ConsentCheck(False, ["согласие отозвано, данные обезличены"])
    consents = list(participant.consents.all())
    minor = participant.is_minor(today)
    problems = []
    personal = _valid(consents, ConsentKind.PERSONAL_DATA, today)
    if not personal:
        expired = [
            c for c in consents if c.kind == ConsentKind.PERSONAL_DATA and c.withdrawn_on is None
        ]
        problems.append(
            "срок согласия на обработку персональных данных истёк"
            if expired
            else "нет согласия на обработку персональных данных"
        )
    elif minor and not any(c.by_representative for c in personal):
        problems.append("несовершеннолетнему нужно согласие родителя (законного представителя)")
    if HEALTH_REASONS & set(participant.reasons):
        health = _valid(consents, ConsentKind.HEALTH, today)
        if not health or (minor and not any(c.by_representative for c in health)):
            problems.append("нет письменного согласия на обработку сведений о здоровье (ОВЗ)")
    return ConsentCheck(not problems, problems)


def can_be_paired(*, participant: Participant, today: dt.date) -> ConsentCheck:
    """The check the pairs part enforces: nobody without a valid consent enters a pair."""
    return consent_check(participant=participant, today=today)


def has_health_consent(participant: Participant, today: dt.date) -> bool:
    return bool(_valid(participant.consents.all(), ConsentKind.HEALTH, today))


# Participants ----------------------------------------------------------------------------------


def split_tags(value: str | Iterable[str]) -> list[str]:
    """«ИКТ; работа с родителями, ОГЭ» → ["ИКТ", "работа с родителями", "ОГЭ"]."""
    raw = re.split(r"[;,\n]", value) if isinstance(value, str) else list(value)
    tags: list[str] = []
    for tag in raw:
        tag = re.sub(r"\s+", " ", tag).strip(" .")[:100]
        if tag and tag.lower() not in {t.lower() for t in tags}:
            tags.append(tag)
    return tags


def natural_key(*, last_name: str, first_name: str, patronymic: str, birth_date: dt.date | None,
                category: str, class_group: str = "", position: str = "") -> str:  # fmt: skip
    """Who a row is, for re-imports: ФИО and birth date; without a birth date, class or post."""
    name = "|".join(
        part.strip().lower().replace("ё", "е") for part in (last_name, first_name, patronymic)
    )
    if birth_date:
        return f"{name}|{birth_date.isoformat()}"
    detail = class_group if category in LEARNER_CATEGORIES else position
    return f"{name}|{category}|{detail.strip().lower()}"


@dataclass
class ParticipantData:
    last_name: str
    first_name: str
    category: str
    bank_role: str
    patronymic: str = ""
    birth_date: dt.date | None = None
    phone: str = ""
    email: str = ""
    class_group: str = ""
    position: str = ""
    subject: str = ""
    is_external: bool = False
    workplace: str = ""
    agreement_number: str = ""
    agreement_date: dt.date | None = None
    reasons: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    requests_text: str = ""
    difficulties: list[str] = field(default_factory=list)
    difficulties_text: str = ""
    competencies: list[str] = field(default_factory=list)
    experience: str = ""
    offer: str = ""
    capacity: int = 1
    availability: str = ""
    forms: list[str] = field(default_factory=list)

    def values(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def validate_participant_data(data: ParticipantData, *, today: dt.date) -> dict[str, str]:
    """Field → Russian message; empty when the data are fine. Pure: no database."""
    errors: dict[str, str] = {}
    if not data.last_name.strip():
        errors["last_name"] = "Укажите фамилию."
    if not data.first_name.strip():
        errors["first_name"] = "Укажите имя."
    if data.category not in Category.values:
        errors["category"] = "Неизвестная категория."
    if data.bank_role not in BankRole.values:
        errors["bank_role"] = "Укажите роль: наставник, наставляемый или оба."
    if data.birth_date:
        if data.birth_date > today:
            errors["birth_date"] = "Дата рождения в будущем."
        elif data.birth_date.year < today.year - 100:
            errors["birth_date"] = "Дата рождения больше 100 лет назад — проверьте год."
    unknown = [r for r in data.reasons if r not in MenteeReason.values]
    if unknown:
        errors["reasons"] = f"Неизвестные основания: {', '.join(unknown)}."
    elif data.reasons and data.bank_role == BankRole.MENTOR:
        errors["reasons"] = "Основания указываются только наставляемым."
    elif data.category == Category.PUPIL and set(data.reasons) - set(PUPIL_REASONS):
        errors["reasons"] = "Для обучающегося подходят основания п. 4.6 Положения."
    elif data.category in STAFF_CATEGORIES and set(data.reasons) - set(TEACHER_REASONS):
        errors["reasons"] = "Для педагога подходят основания п. 4.7 Положения."
    bad_forms = [f for f in data.forms if f not in MentoringForm.values]
    if bad_forms:
        errors["forms"] = f"Неизвестные формы наставничества: {', '.join(bad_forms)}."
    if not 0 <= data.capacity <= 30:
        errors["capacity"] = "Наставляемых у одного наставника — от 0 до 30."
    if data.email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", data.email):
        errors["email"] = f"«{data.email}» — не адрес электронной почты."
    for name, message in too_long(Participant, data.values()).items():
        errors.setdefault(name, message)
    return errors


def participant_event_record(
    *, participant: Participant, kind: EventKind, user: User | None, text: str
) -> ParticipantEvent:
    """One entry of the person's processing log: typed for code, worded for people."""
    return ParticipantEvent.objects.create(
        participant=participant, kind=kind, user=user, action=text[:300]
    )


def _log(participant: Participant, user: User | None, kind: EventKind, text: str) -> None:
    participant_event_record(participant=participant, kind=kind, user=user, text=text)


def _clean(data: ParticipantData) -> ParticipantData:
    data.last_name, data.first_name, data.patronymic = (
        data.last_name.strip(), data.first_name.strip(), data.patronymic.strip()
    )  # fmt: skip
    data.requests, data.difficulties, data.competencies = (
        split_tags(data.requests), split_tags(data.difficulties), split_tags(data.competencies)
    )  # fmt: skip
    if data.bank_role == BankRole.MENTOR:
        data.reasons = []
    return data


@transaction.atomic
def participant_create(
    *, academic_year: int, data: ParticipantData, user: User | None, today: dt.date
) -> Participant:
    data = _clean(data)
    errors = validate_participant_data(data, today=today)
    if HEALTH_REASONS & set(data.reasons):
        errors["reasons"] = (
            "Основание «ОВЗ» можно указать только после письменного согласия на обработку "
            "сведений о здоровье: сначала добавьте участника и его согласие."
        )
    if errors:
        raise ValidationError(errors)
    key = natural_key(**_key_fields(data))
    _refuse_duplicate(academic_year=academic_year, key=key, data=data)
    participant = Participant.objects.create(
        academic_year=academic_year, natural_key=key, **data.values()
    )
    _log(participant, user, EventKind.ADDED, "Добавлен в базу")
    return participant


def _refuse_duplicate(
    *, academic_year: int, key: str, data: ParticipantData, participant: Participant | None = None
) -> None:
    """One person (ФИО, дата рождения…: natural_key) once per year's bank, the database's
    unique constraint said in Russian before it is met."""
    others = Participant.objects.in_banks().filter(academic_year=academic_year, natural_key=key)
    if participant is not None:
        others = others.exclude(pk=participant.pk)
    if others.exists():
        raise ValidationError(
            {
                "last_name": f"{data.last_name} {data.first_name} уже есть в базе {academic_year}/{academic_year + 1}."
            }
        )


def _key_fields(data: ParticipantData) -> dict[str, Any]:
    return {
        "last_name": data.last_name, "first_name": data.first_name, "patronymic": data.patronymic,
        "birth_date": data.birth_date, "category": data.category, "class_group": data.class_group,
        "position": data.position,
    }  # fmt: skip


@transaction.atomic
def participant_update(
    *, participant: Participant, data: ParticipantData, user: User | None, today: dt.date
) -> Participant:
    if participant.anonymised_at is not None:
        raise ValidationError("Данные участника обезличены: изменить их нельзя.")
    data = _clean(data)
    errors = validate_participant_data(data, today=today)
    new_health = (HEALTH_REASONS & set(data.reasons)) - set(participant.reasons)
    if new_health and not has_health_consent(participant, today):
        errors["reasons"] = (
            "Основание «ОВЗ» можно указать только при действующем письменном согласии на "
            "обработку сведений о здоровье."
        )
    if errors:
        raise ValidationError(errors)
    key = natural_key(**_key_fields(data))
    _refuse_duplicate(
        academic_year=participant.academic_year, key=key, data=data, participant=participant
    )
    changed = [
        f.name for f in fields(data) if getattr(participant, f.name) != getattr(data, f.name)
    ]
    for name, value in data.values().items():
        setattr(participant, name, value)
    participant.natural_key = key
    participant.save()
    if changed:
        labels = [
            str(getattr(Participant._meta.get_field(name), "verbose_name", name))
            for name in changed
        ]
        _log(participant, user, EventKind.CHANGED, "Изменено: " + ", ".join(labels))
    return participant


def participant_attach_agreement(
    *, participant: Participant, scan: UploadedFile, user: User | None
) -> None:
    """The signed cooperation agreement with an external mentor (договор о сотрудничестве)."""
    _check_scan(scan)
    if participant.agreement_file:
        participant.agreement_file.delete(save=False)
    participant.agreement_file.save(scan.name or "dogovor.pdf", scan, save=True)
    _log(participant, user, EventKind.AGREEMENT, "Загружен скан договора о сотрудничестве")


# Consents --------------------------------------------------------------------------------------


def _check_scan(scan: UploadedFile | None) -> None:
    """By size, then by bytes: an HTML page named `x.html.pdf` is not a scan."""
    if scan is None:
        return
    try:
        uploads.validate(scan, SCAN_UPLOAD)
    except uploads.UploadRefused as refusal:
        raise ValidationError({"scan": refusal.messages}) from None


@transaction.atomic
def consent_add(
    *,
    participant: Participant,
    kind: str,
    signed_on: dt.date,
    user: User | None,
    today: dt.date,
    representative_name: str = "",
    representative_relation: str = "",
    valid_until: dt.date | None = None,
    form_version: str = "2025-1",
    purpose: str = "",
    scope: str = "",
    scan: UploadedFile | None = None,
) -> Consent:
    if participant.anonymised_at is not None:
        raise ValidationError("Данные участника обезличены.")
    errors: dict[str, str] = {}
    if kind not in ConsentKind.values:
        errors["kind"] = "Неизвестный вид согласия."
    if signed_on > today:
        errors["signed_on"] = "Дата подписания в будущем."
    if valid_until and valid_until < signed_on:
        errors["valid_until"] = "Срок действия заканчивается раньше подписания."
    minor = participant.is_minor(signed_on)
    representative_name = representative_name.strip()
    if minor and not representative_name:
        age = participant.age(signed_on)
        errors["representative_name"] = (
            f"Участнику {age} лет: согласие подписывает родитель (законный представитель)."
            if age is not None
            else "Обучающийся несовершеннолетний: согласие подписывает родитель (законный представитель)."
        )
    if representative_name and representative_relation not in Relation.values:
        errors["representative_relation"] = "Укажите, кем представитель приходится участнику."
    if errors:
        raise ValidationError(errors)
    _check_scan(scan)
    consent = Consent.objects.create(
        participant=participant,
        kind=kind,
        signed_on=signed_on,
        valid_until=valid_until,
        form_version=form_version,
        purpose=purpose or (HEALTH_PURPOSE if kind == ConsentKind.HEALTH else PD_PURPOSE),
        scope=scope or (HEALTH_SCOPE if kind == ConsentKind.HEALTH else PD_SCOPE),
        representative_name=representative_name,
        representative_relation=representative_relation if representative_name else "",
        created_by=user,
    )
    if scan is not None:
        consent.scan.save(scan.name or "scan.pdf", scan, save=True)
    signer = (
        f", подписал(а) {Relation(representative_relation).label} {representative_name}"
        if representative_name
        else ""
    )
    _log(
        participant,
        user,
        EventKind.CONSENT_GIVEN,
        f"Получено согласие {consent.get_kind_display()} от {signed_on:%d.%m.%Y}{signer}",
    )
    return consent


@transaction.atomic
def consent_withdraw(
    *,
    consent: Consent,
    user: User | None,
    on: dt.date,
    reason: str,
    organization: Organization,
) -> DestructionAct | None:
    """Withdrawal. Personal data: the person leaves the banks at once and is anonymised, with
    a destruction act. Health data: the ОВЗ reason is erased, the rest stays."""
    if consent.withdrawn_on is not None:
        raise ValidationError("Согласие уже отозвано.")
    participant = consent.participant
    consent.withdrawn_on = on
    consent.withdrawal_reason = reason.strip() or "заявление об отзыве согласия"
    consent.save(update_fields=["withdrawn_on", "withdrawal_reason"])
    _log(
        participant,
        user,
        EventKind.CONSENT_WITHDRAWN,
        f"Отозвано согласие {consent.get_kind_display()} ({on:%d.%m.%Y})",
    )
    if consent.kind == ConsentKind.HEALTH:
        if not _valid(participant.consents.all(), ConsentKind.HEALTH, on):
            participant.reasons = [r for r in participant.reasons if r not in HEALTH_REASONS]
            participant.save(update_fields=["reasons", "updated_at"])
            _log(participant, user, EventKind.HEALTH_REMOVED, "Сведения о здоровье (ОВЗ) удалены")
        return None
    return participant_anonymise(participant=participant, user=user, on=on, organization=organization,
                                 reason=f"отзыв согласия на обработку персональных данных от {on:%d.%m.%Y}")  # fmt: skip


ANONYMISED_TEXT_FIELDS = (
    "first_name", "patronymic", "phone", "email", "class_group", "position", "subject",
    "workplace", "agreement_number", "requests_text", "difficulties_text", "experience",
    "offer", "availability",
)  # fmt: skip
DESTROYED_DATA = (
    "фамилия, имя, отчество; дата рождения; контактные данные; класс (группа), должность, "
    "предмет; запросы, затруднения, компетенции, опыт; сведения о здоровье; сканы согласий "
    "и договора о сотрудничестве"
)


@transaction.atomic
def participant_anonymise(
    *,
    participant: Participant,
    user: User | None,
    on: dt.date,
    organization: Organization,
    reason: str,
) -> DestructionAct:
    """Erase the person's data (category, role and year stay for aggregate counts) and draw
    up the act with the processing log."""
    from tenants.participants.documents import destruction_act_docx

    number = (DestructionAct.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    _log(participant, user, EventKind.DESTROYED, "Персональные данные уничтожены (обезличены)")
    # The data are destroyed now: the act is dated today (never before the destruction), even
    # when the withdrawal it follows is dated earlier.
    act_day = max(on, organization.local_today())
    act_bytes = destruction_act_docx(
        participant=participant, organization=organization, number=number, on=act_day, reason=reason,
        destroyed=DESTROYED_DATA, events=list(participant.events.select_related("user")),
    )  # fmt: skip
    act = DestructionAct(
        number=number, participant=participant, created_on=act_day, created_by=user
    )
    act.file.save(f"act-{number}.docx", ContentFile(act_bytes), save=True)

    for consent in participant.consents.all():
        if consent.scan:
            consent.scan.delete(save=False)
        consent.representative_name = ""
        consent.withdrawn_on = consent.withdrawn_on or on
        consent.save()
    if participant.agreement_file:
        participant.agreement_file.delete(save=False)
    for name in ANONYMISED_TEXT_FIELDS:
        setattr(participant, name, "")
    participant.last_name = f"Участник № {participant.pk}"
    participant.birth_date = None
    participant.agreement_date = None
    participant.reasons = []
    participant.requests = []
    participant.difficulties = []
    participant.competencies = []
    participant.user = None
    participant.natural_key = f"anonymised|{participant.pk}"
    participant.anonymised_at = timezone.now()
    participant.save()
    participant.invitations.all().delete()
    from tenants.monitoring.services import responses_anonymise

    responses_anonymise(participant=participant)  # unanswered go; answered keep levels only
    # The log keeps what was done, not whose data: the act above holds the extract.
    participant.events.exclude(kind=EventKind.DESTROYED).update(action="запись журнала обезличена")
    return act


# Access log of minors' data (152-ФЗ, ст. 19) -----------------------------------------------------


def access_event_record(
    *,
    kind: AccessKind,
    user: User | None,
    ip: str | None,
    participant: Participant | None = None,
    minors: int = 1,
    detail: str = "",
) -> MinorDataAccess:
    """The one writer of the access log. Called before the data leave the server: if the row
    cannot be written, the read fails with it."""
    return MinorDataAccess.objects.create(
        kind=kind,
        user=user,
        user_name=user.display_name if user is not None else "—",
        participant=participant,
        minors=minors,
        detail=detail[:300],
        ip=ip,
    )


def minor_read_record(
    *, participant: Participant, kind: AccessKind, user: User | None, ip: str | None, today: dt.date
) -> MinorDataAccess | None:
    """A read of one person's data (card, consent scan or document) is logged when the person
    is a minor on `today`, the organisation's local date."""
    if not participant.is_minor(today):
        return None
    return access_event_record(kind=kind, user=user, ip=ip, participant=participant)


def minor_export_record(
    *,
    participants: Sequence[Participant],
    kind: AccessKind,
    user: User | None,
    ip: str | None,
    today: dt.date,
    detail: str = "",
) -> MinorDataAccess | None:
    """An export is one row naming how many minors it carried; none if it carried none."""
    minors = sum(1 for participant in participants if participant.is_minor(today))
    if not minors:
        return None
    return access_event_record(kind=kind, user=user, ip=ip, minors=minors, detail=detail)


# Questionnaires --------------------------------------------------------------------------------


def invitation_create(
    *,
    participant: Participant,
    questionnaire: Questionnaire,
    user: User | None,
    today: dt.date,
    days: int = 30,
) -> Invitation:
    if participant.anonymised_at is not None:
        raise ValidationError("Данные участника обезличены.")
    invitation = Invitation.objects.create(
        participant=participant,
        questionnaire=questionnaire,
        expires_on=today + dt.timedelta(days=days),
    )
    _log(
        participant,
        user,
        EventKind.QUESTIONNAIRE_SENT,
        f"Выдана ссылка на анкету «{questionnaire.title}»",
    )
    return invitation


def _answer_value(question: Question, raw: Any) -> Any:
    values = raw if isinstance(raw, list) else [raw]
    if any(isinstance(v, str) and has_nul(v) for v in values):  # PostgreSQL cannot store NUL
        raise ValidationError({str(question.pk): "Ответ содержит недопустимый символ."})
    if question.kind == QuestionKind.MULTI:
        values = raw if isinstance(raw, list) else [raw] if raw else []
        return [v for v in values if v in question.choices]
    if question.kind == QuestionKind.TAGS:
        return split_tags(raw if isinstance(raw, str) else ",".join(raw or []))
    text = (raw[0] if isinstance(raw, list) and raw else raw or "").strip()
    if question.kind == QuestionKind.CHOICE and text and text not in question.choices:
        raise ValidationError({str(question.pk): "Выберите один из вариантов."})
    if question.kind == QuestionKind.NUMBER and text:
        number = ascii_int(text)  # "²".isdigit() is true, int("²") fails
        if number is None:
            raise ValidationError({str(question.pk): "Нужно целое число."})
        return number
    return text


FORM_BY_LABEL = {label: value for value, label in MentoringForm.choices}


@transaction.atomic
def invitation_submit(
    *, invitation: Invitation, answers: dict[str, Any], today: dt.date
) -> Participant:
    """Store the answers and fill the profile fields the questions map to."""
    if invitation.answered_at is not None:
        raise ValidationError("Анкета уже заполнена. Спасибо!")
    if invitation.expires_on < today:
        raise ValidationError("Срок действия ссылки истёк: попросите куратора прислать новую.")
    participant = invitation.participant
    if participant.anonymised_at is not None:
        raise ValidationError("Ссылка больше не действует.")
    questions = list(invitation.questionnaire.questions.all())
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in questions:
        try:
            value = _answer_value(question, answers.get(str(question.pk)))
        except ValidationError as error:
            errors.update({k: " ".join(v) for k, v in error.message_dict.items()})
            continue
        if question.required and value in ("", [], None):
            errors[str(question.pk)] = "Ответьте, пожалуйста, на этот вопрос."
        cleaned[str(question.pk)] = value
    if errors:
        raise ValidationError(errors)
    updated: list[str] = []
    for question in questions:
        value = cleaned.get(str(question.pk))
        target = question.profile_field
        if not target or value in ("", [], None):
            continue
        if target == ProfileField.FORMS:
            value = [
                FORM_BY_LABEL.get(v, v)
                for v in value
                if FORM_BY_LABEL.get(v, v) in MentoringForm.values
            ]
        if target == ProfileField.CAPACITY:
            value = max(0, min(30, int(value)))
        if target in (ProfileField.COMPETENCIES, ProfileField.REQUESTS, ProfileField.DIFFICULTIES):
            value = split_tags([*getattr(participant, target), *value])
        setattr(participant, target, value)
        updated.append(str(ProfileField(target).label))
    participant.save()
    invitation.answers = {q.text: cleaned.get(str(q.pk)) for q in questions}
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["answers", "answered_at"])
    note = f"; в профиль перенесено: {', '.join(updated)}" if updated else ""
    _log(
        participant,
        None,
        EventKind.QUESTIONNAIRE_ANSWERED,
        f"Заполнена анкета «{invitation.questionnaire.title}»{note}",
    )
    return participant
