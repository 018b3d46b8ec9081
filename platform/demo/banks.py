"""Demo banks of mentors and mentees, sized like real organisations, loaded through the import."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django_tenants.utils import tenant_context

from organizations.models import Organization
from tenants.participants.importing import ImportPlan, ImportRow, import_apply
from tenants.participants.models import (
    BankRole,
    Category,
    ConsentKind,
    MenteeReason,
    MentoringForm,
    Participant,
    Relation,
)
from tenants.participants.services import ParticipantData, consent_withdraw, natural_key

MALE_FIRST = ["Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём", "Илья",
              "Кирилл", "Михаил", "Никита", "Матвей", "Роман", "Егор", "Иван", "Тимофей", "Павел"]  # fmt: skip
FEMALE_FIRST = ["Анастасия", "Мария", "Анна", "Виктория", "Екатерина", "Наталья", "Марина",
                "Полина", "София", "Дарья", "Алиса", "Ксения", "Елена", "Ольга", "Татьяна", "Ирина"]  # fmt: skip
FATHERS = ["Александр", "Дмитрий", "Сергей", "Андрей", "Алексей", "Михаил", "Иван", "Николай",
           "Владимир", "Евгений", "Олег", "Юрий", "Виктор", "Павел", "Игорь"]  # fmt: skip
SURNAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
            "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
            "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
            "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв"]  # fmt: skip
PUPIL_REQUESTS = ["математика", "подготовка к ОГЭ", "подготовка к ЕГЭ", "русский язык", "физика",
                  "английский язык", "адаптация в новом классе", "профориентация", "проектная деятельность",
                  "олимпиады", "программирование", "общение со сверстниками", "тайм-менеджмент"]  # fmt: skip
TEACHER_DIFFICULTIES = ["дисциплина на уроке", "работа с родителями", "электронный журнал",
                        "обновлённые ФГОС", "формирующее оценивание", "работа с детьми с ОВЗ",
                        "цифровые инструменты", "рабочая программа", "классное руководство"]  # fmt: skip
SUBJECTS = ["математика", "русский язык и литература", "физика", "история", "английский язык",
            "биология", "информатика", "химия", "начальные классы", "физическая культура"]  # fmt: skip


def _male(surname: str) -> str:
    return surname


def _female(surname: str) -> str:
    return surname[:-2] + "ая" if surname.endswith("ий") else surname + "а"


# Russian patronymics are irregular (Игорь → Игоревна, Павел → Павловна, Юрий → Юрьевна):
# spelled out, never derived by a rule.
PATRONYMICS = {
    "Александр": ("Александрович", "Александровна"), "Дмитрий": ("Дмитриевич", "Дмитриевна"),
    "Сергей": ("Сергеевич", "Сергеевна"), "Андрей": ("Андреевич", "Андреевна"),
    "Алексей": ("Алексеевич", "Алексеевна"), "Михаил": ("Михайлович", "Михайловна"),
    "Иван": ("Иванович", "Ивановна"), "Николай": ("Николаевич", "Николаевна"),
    "Владимир": ("Владимирович", "Владимировна"), "Евгений": ("Евгеньевич", "Евгеньевна"),
    "Олег": ("Олегович", "Олеговна"), "Юрий": ("Юрьевич", "Юрьевна"),
    "Виктор": ("Викторович", "Викторовна"), "Павел": ("Павлович", "Павловна"),
    "Игорь": ("Игоревич", "Игоревна"),
}  # fmt: skip


def _patronymic(father: str, female: bool) -> str:
    male_form, female_form = PATRONYMICS[father]
    return female_form if female else male_form


@dataclass(frozen=True)
class BankSize:
    pupil_mentees: int
    teacher_mentees: int
    teacher_mentors: int
    pupil_mentors: int
    other_mentors: int
    student_mentees: int = 0


SIZES = {
    "sosh62": BankSize(190, 14, 30, 10, 6),
    "sosh19": BankSize(130, 10, 24, 8, 5),
    "malinovka": BankSize(0, 5, 5, 0, 1),
    "dou8": BankSize(0, 6, 5, 0, 0),
    "michurinsk": BankSize(0, 10, 14, 0, 3, student_mentees=30),
}


class _Person:
    def __init__(self, rng: random.Random, *, female: bool | None = None) -> None:
        self.female = rng.random() < 0.55 if female is None else female
        surname = rng.choice(SURNAMES)
        self.last_name = _female(surname) if self.female else _male(surname)
        self.first_name = rng.choice(FEMALE_FIRST if self.female else MALE_FIRST)
        self.patronymic = _patronymic(rng.choice(FATHERS), self.female)


def demo_banks(*, organization: Organization, today: dt.date | None = None) -> int:
    """Fill an empty bank of the current academic year; returns how many people were added."""
    size = SIZES.get(organization.slug)
    if size is None:
        return 0
    rng = random.Random(f"banks-{organization.slug}")
    with tenant_context(organization):
        today = today or organization.local_today()
        year = organization.academic_year_of(today)
        if Participant.objects.filter(academic_year=year).exists():
            return 0
        rows = _rows(rng, size, today, organization.academic_year_bounds(year)[0])
        plan = ImportPlan(rows=rows, total=len(rows))
        for row in plan.rows:
            data = row.data
            row.key = natural_key(
                last_name=data.last_name, first_name=data.first_name, patronymic=data.patronymic,
                birth_date=data.birth_date, category=data.category, class_group=data.class_group,
                position=data.position,
            )  # fmt: skip
        seen: set[str] = set()
        plan.rows = [r for r in plan.rows if not (r.key in seen or seen.add(r.key))]  # type: ignore[func-returns-value]
        import_apply(plan=plan, academic_year=year, user=None)
        _withdraw_one(organization, year, today)
        return len(plan.rows)


def _consent_date(rng: random.Random, today: dt.date, year_start: dt.date) -> dt.date:
    return min(today, year_start + dt.timedelta(days=rng.randint(0, 25)))


def _rows(
    rng: random.Random, size: BankSize, today: dt.date, year_start: dt.date
) -> list[ImportRow]:
    rows: list[ImportRow] = []

    def add(data: ParticipantData, *, minor: bool, health: bool = False) -> None:
        row = ImportRow(row=len(rows) + 2, data=data)
        missing = rng.random() < 0.06  # a few consents still to collect
        if not missing:
            row.pd_consent_on = _consent_date(rng, today, year_start)
            if minor and rng.random() > 0.04:  # and a few minors still lack a parent's signature
                parent = _Person(rng)
                row.representative_name = (
                    f"{parent.last_name} {parent.first_name} {parent.patronymic}"
                )
                row.representative_relation = Relation.MOTHER if parent.female else Relation.FATHER
            elif minor:
                row.pd_consent_on = None
        if health and row.pd_consent_on and row.representative_name:
            row.health_consent_on = row.pd_consent_on
        elif health:
            data.reasons = [r for r in data.reasons if r != MenteeReason.DISABILITY] or [
                MenteeReason.LOW_RESULTS
            ]
        rows.append(row)

    for _ in range(size.pupil_mentees):
        person = _Person(rng)
        grade = rng.randint(5, 11)
        birth = dt.date(
            year_start.year - grade - 7,  # born some 7 years before their first school year
            rng.randint(1, 12),
            rng.randint(1, 28),
        )
        pupil_reasons = [MenteeReason.OUTSTANDING, MenteeReason.LOW_RESULTS, MenteeReason.HARD_SITUATION,
                         MenteeReason.BEHAVIOUR, MenteeReason.NOT_INVOLVED, MenteeReason.DISABILITY]  # fmt: skip
        reason = rng.choices(pupil_reasons, weights=[3, 6, 1, 2, 2, 1])[0]
        add(
            ParticipantData(
                last_name=person.last_name,
                first_name=person.first_name,
                patronymic=person.patronymic,
                birth_date=birth,
                category=Category.PUPIL,
                bank_role=BankRole.MENTEE,
                class_group=f"{grade} «{rng.choice('АБВГ')}»",
                reasons=[reason],
                requests=rng.sample(PUPIL_REQUESTS, rng.randint(1, 3)),
            ),
            minor=True,
            health=reason == MenteeReason.DISABILITY,
        )
    for index in range(size.teacher_mentees):
        person = _Person(rng, female=rng.random() < 0.8)
        young = index % 2 == 0
        add(
            ParticipantData(
                last_name=person.last_name,
                first_name=person.first_name,
                patronymic=person.patronymic,
                birth_date=dt.date(
                    today.year - (rng.randint(22, 27) if young else rng.randint(30, 55)),
                    rng.randint(1, 12),
                    rng.randint(1, 28),
                ),
                category=Category.YOUNG_SPECIALIST if young else Category.TEACHER,
                bank_role=BankRole.MENTEE,
                position="учитель"
                if size.pupil_mentees
                else "воспитатель"
                if not size.student_mentees
                else "преподаватель",
                subject=rng.choice(SUBJECTS) if size.pupil_mentees else "",
                reasons=[MenteeReason.YOUNG_SPECIALIST]
                if young
                else [
                    rng.choice([MenteeReason.BURNOUT, MenteeReason.NEW_PLACE, MenteeReason.DIGITAL])
                ],
                difficulties=rng.sample(TEACHER_DIFFICULTIES, rng.randint(1, 3)),
            ),
            minor=False,
        )
    for _ in range(size.student_mentees):
        person = _Person(rng)
        add(
            ParticipantData(
                last_name=person.last_name,
                first_name=person.first_name,
                patronymic=person.patronymic,
                birth_date=dt.date(
                    today.year - rng.randint(16, 19), rng.randint(1, 12), rng.randint(1, 28)
                ),
                category=Category.STUDENT,
                bank_role=BankRole.MENTEE,
                class_group=f"{rng.choice(['ТО', 'ПК', 'ЭМ', 'ЗО'])}-{rng.randint(21, 25)}",
                requests=rng.sample(
                    [
                        "практика на предприятии",
                        "курсовой проект",
                        "профессиональные пробы",
                        "адаптация в группе",
                        "трудоустройство",
                    ],
                    2,
                ),
            ),
            minor=False,
        )
    for _ in range(size.teacher_mentors):
        person = _Person(rng, female=rng.random() < 0.8)
        veteran = rng.random() < 0.12
        add(
            ParticipantData(
                last_name=person.last_name,
                first_name=person.first_name,
                patronymic=person.patronymic,
                birth_date=dt.date(
                    today.year - rng.randint(35, 70 if veteran else 60),
                    rng.randint(1, 12),
                    rng.randint(1, 28),
                ),
                category=Category.VETERAN if veteran else Category.TEACHER,
                bank_role=BankRole.MENTOR,
                position="учитель высшей категории"
                if size.pupil_mentees
                else "старший воспитатель"
                if not size.student_mentees
                else "преподаватель",
                subject=rng.choice(SUBJECTS) if size.pupil_mentees else "",
                competencies=rng.sample(PUPIL_REQUESTS + TEACHER_DIFFICULTIES, rng.randint(2, 4)),
                offer="Помогу освоиться и спланировать работу; поделюсь материалами и приёмами.",
                capacity=rng.randint(1, 4),
                forms=[MentoringForm.TEACHER_TEACHER, MentoringForm.TEACHER_PUPIL]
                if size.pupil_mentees
                else [MentoringForm.EDUCATOR_EDUCATOR],
            ),
            minor=False,
        )
    for _ in range(size.pupil_mentors):
        person = _Person(rng)
        birth = dt.date(today.year - rng.randint(15, 17), rng.randint(1, 12), rng.randint(1, 28))
        add(
            ParticipantData(
                last_name=person.last_name,
                first_name=person.first_name,
                patronymic=person.patronymic,
                birth_date=birth,
                category=Category.PUPIL,
                bank_role=BankRole.MENTOR,
                class_group=f"{rng.randint(9, 11)} «{rng.choice('АБВ')}»",
                competencies=rng.sample(PUPIL_REQUESTS, 2),
                capacity=rng.randint(1, 2),
                forms=[MentoringForm.PUPIL_PUPIL],
            ),
            minor=True,
        )
    others: list[tuple[str, str, list[str]]] = [
        (Category.PARENT, "член родительского совета", [MentoringForm.TEACHER_PUPIL]),
        (Category.GRADUATE, "студент вуза", [MentoringForm.STUDENT_PUPIL]),
        (Category.EMPLOYER, "инженер АО «Северный завод»", [MentoringForm.EMPLOYER_PUPIL]),
        (Category.ENTREPRENEUR, "индивидуальный предприниматель", [MentoringForm.EMPLOYER_PUPIL]),
    ]
    for index in range(size.other_mentors):
        person = _Person(rng)
        category, workplace, forms = others[index % len(others)]
        external = category in (Category.EMPLOYER, Category.ENTREPRENEUR, Category.GRADUATE)
        add(
            ParticipantData(
                last_name=person.last_name,
                first_name=person.first_name,
                patronymic=person.patronymic,
                birth_date=dt.date(
                    today.year - rng.randint(19, 50), rng.randint(1, 12), rng.randint(1, 28)
                ),
                category=category,
                bank_role=BankRole.MENTOR,
                is_external=external,
                workplace=workplace,
                agreement_number=f"{index + 1}-Н" if external and index % 3 else "",
                agreement_date=year_start + dt.timedelta(days=4)
                if external and index % 3
                else None,
                competencies=["профориентация", "проектная деятельность"],
                capacity=2,
                forms=forms,
            ),
            minor=False,
        )
    return rows


def _withdraw_one(organization: Organization, year: int, today: dt.date) -> None:
    """Big schools show one withdrawn consent: the person is gone, the act remains."""
    if organization.slug not in ("sosh62", "sosh19"):
        return
    participant = (
        Participant.objects.in_banks()
        .filter(academic_year=year, consents__kind=ConsentKind.PERSONAL_DATA)
        .order_by("pk")
        .last()
    )
    if participant is None:
        return
    consent = participant.consents.filter(kind=ConsentKind.PERSONAL_DATA).first()
    assert consent is not None
    consent_withdraw(consent=consent, user=None, on=today, reason="заявление законного представителя",
                     organization=organization)  # fmt: skip


def demo_own_cards(*, organization: Organization) -> None:
    """The demo mentor and mentee users get their own cards in the banks (what they see)."""
    from accounts.models import Membership, Role
    from tenants.participants.services import consent_add, participant_create

    with tenant_context(organization):
        today = organization.local_today()
        year = organization.academic_year_of(today)
        memberships = Membership.objects.filter(
            organization_id=organization.pk, role__in=[Role.MENTOR, Role.MENTEE]
        ).select_related("user")
        for membership in memberships:
            user = membership.user
            if Participant.objects.filter(user=user, academic_year=year).exists():
                continue
            mentor = membership.role == Role.MENTOR
            participant = participant_create(
                academic_year=year,
                data=ParticipantData(
                    last_name=user.last_name, first_name=user.first_name, patronymic=user.patronymic,
                    category=Category.TEACHER if mentor else Category.YOUNG_SPECIALIST,
                    bank_role=BankRole.MENTOR if mentor else BankRole.MENTEE,
                    position="учитель" if organization.kind != "kindergarten" else "воспитатель",
                    competencies=["математика", "подготовка к ОГЭ", "классное руководство"]
                    if mentor
                    else [],
                    reasons=[] if mentor else [MenteeReason.YOUNG_SPECIALIST],
                    difficulties=[] if mentor else ["дисциплина на уроке"],
                    capacity=4 if mentor else 1,
                    subject="математика" if mentor else "",
                ),
                user=None,
                today=today,
            )  # fmt: skip
            participant.user = user
            participant.save(update_fields=["user"])
            consent_add(participant=participant, kind=ConsentKind.PERSONAL_DATA,
                        signed_on=min(today, dt.date(year, 9, 2)), user=None, today=today)  # fmt: skip
