"""What the demo region holds: the five organisations of the seed documents and demo people."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "demo-cmn-2025"
# The authenticator secret (base32) of every demo user whose role requires 2FA: obviously not a
# real one. Add it to an authenticator app, or run `python manage.py demo_totp <login>`.
DEMO_TOTP_SECRET = "DEMO" * 8

REGION = {"name": "Демонстрационная область", "code": "99", "timezone": "Europe/Moscow"}

MUNICIPALITIES = [
    "Городской округ Северный",
    "Красногорский муниципальный район",
    "Добропольский муниципальный округ",
    "Приозерский муниципальный район",
]


@dataclass(frozen=True)
class DemoOrganization:
    slug: str
    short_name: str
    full_name: str
    kind: str
    municipality: str
    pupils: int
    teachers: int
    timezone: str = "Europe/Moscow"


ORGANIZATIONS = [
    DemoOrganization(
        slug="sosh19",
        short_name="МБОУ СОШ № 19",
        full_name="Муниципальное бюджетное общеобразовательное учреждение "
        "«Средняя общеобразовательная школа № 19»",
        kind="school",
        municipality="Городской округ Северный",
        pupils=812,
        teachers=54,
    ),
    DemoOrganization(
        slug="malinovka",
        short_name="МКОУ «Малиновская ООШ»",
        full_name="Муниципальное казенное общеобразовательное учреждение "
        "«Малиновская основная общеобразовательная школа»",
        kind="school",
        municipality="Красногорский муниципальный район",
        pupils=96,
        teachers=14,
        timezone="Asia/Krasnoyarsk",
    ),
    DemoOrganization(
        slug="dou8",
        short_name="МБДОУ детский сад № 8 п. Доброполье",
        full_name="Муниципальное бюджетное дошкольное образовательное учреждение "
        "детский сад № 8 п. Доброполье",
        kind="kindergarten",
        municipality="Добропольский муниципальный округ",
        pupils=140,
        teachers=16,
    ),
    DemoOrganization(
        slug="michurinsk",
        short_name="ГБПОУ ЛО «Мичуринский многопрофильный техникум»",
        full_name="Государственное бюджетное профессиональное образовательное учреждение "
        "Ленинградской области «Мичуринский многопрофильный техникум»",
        kind="college",
        municipality="Приозерский муниципальный район",
        pupils=520,
        teachers=38,
    ),
    DemoOrganization(
        slug="sosh62",
        short_name="МОУ СОШ № 62",
        full_name="Муниципальное общеобразовательное учреждение "
        "«Средняя общеобразовательная школа № 62»",
        kind="school",
        municipality="Городской округ Северный",
        pupils=1040,
        teachers=71,
    ),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    last_name: str
    first_name: str
    patronymic: str
    role: str
    scope: str  # "region", a municipality name, or an organisation slug
    is_staff: bool = False


_PEOPLE = {
    "sosh19": [
        ("Кравцова", "Ирина", "Николаевна"),
        ("Белова", "Ольга", "Сергеевна"),
        ("Соколов", "Андрей", "Викторович"),
        ("Миронова", "Анна", "Павловна"),
    ],
    "malinovka": [
        ("Гусева", "Татьяна", "Ивановна"),
        ("Орлова", "Елена", "Петровна"),
        ("Зайцев", "Павел", "Андреевич"),
        ("Лебедева", "Дарья", "Олеговна"),
    ],
    "dou8": [
        ("Лиманская", "Галина", "Николаевна"),
        ("Фролова", "Марина", "Юрьевна"),
        ("Киселева", "Светлана", "Алексеевна"),
        ("Никитина", "Юлия", "Игоревна"),
    ],
    "michurinsk": [
        ("Романов", "Сергей", "Владимирович"),
        ("Волкова", "Наталья", "Борисовна"),
        ("Егоров", "Игорь", "Леонидович"),
        ("Смирнова", "Алина", "Дмитриевна"),
    ],
    "sosh62": [
        ("Тарасова", "Людмила", "Геннадьевна"),
        ("Павлова", "Виктория", "Андреевна"),
        ("Козлов", "Михаил", "Сергеевич"),
        ("Федорова", "Ксения", "Романовна"),
    ],
}
_ORG_ROLES = ["director", "coordinator", "mentor", "mentee"]
_ROLE_PREFIX = {
    "director": "director",
    "coordinator": "coord",
    "mentor": "mentor",
    "mentee": "mentee",
}

USERS = [
    DemoUser("operator", "Григорьева", "Елена", "Викторовна", "regional_operator", "region"),
    DemoUser("tutor", "Андреева", "Мария", "Константиновна", "tutor", "region"),
    DemoUser("tutor2", "Лаптева", "Наталья", "Сергеевна", "tutor", "region"),
    DemoUser("cnppm", "Зуева", "Ирина", "Михайловна", "cnppm_head", "region"),
    DemoUser(
        "mun.severny",
        "Кузнецова",
        "Оксана",
        "Алексеевна",
        "municipal_specialist",
        "Городской округ Северный",
    ),
    DemoUser(
        "mun.krasnogorsk",
        "Васильев",
        "Дмитрий",
        "Иванович",
        "municipal_specialist",
        "Красногорский муниципальный район",
    ),
    *[
        DemoUser(f"{_ROLE_PREFIX[role]}.{slug}", *person, role, slug)
        for slug, people in _PEOPLE.items()
        for role, person in zip(_ORG_ROLES, people, strict=True)
    ],
    # Teachers with an individual educational route (ИОМ) beside the mentor and the coordinator.
    DemoUser("ped.sosh19", "Ершова", "Валентина", "Петровна", "mentor", "sosh19"),
    DemoUser("ped.malinovka", "Щукин", "Артём", "Олегович", "mentor", "malinovka"),
    DemoUser("ped.sosh62", "Полякова", "Евгения", "Викторовна", "mentor", "sosh62"),
    DemoUser("ped.michurinsk", "Карпов", "Денис", "Андреевич", "mentor", "michurinsk"),
    # The deputy the director of school 19 named to sign приказы.
    DemoUser("zam.sosh19", "Соловьёва", "Татьяна", "Николаевна", "deputy", "sosh19"),
]

ROLE_LABELS = {
    "regional_operator": "региональный оператор",
    "tutor": "тьютор ЦНППМ",
    "cnppm_head": "руководитель ЦНППМ",
    "municipal_specialist": "специалист муниципалитета",
    "director": "руководитель",
    "deputy": "заместитель руководителя (подписывает приказы)",
    "coordinator": "куратор наставничества",
    "mentor": "наставник",
    "mentee": "наставляемый",
}


def demo_logins() -> list[tuple[str, str, str]]:
    """(login, role, organisation slug or "") for the start-up banner: every role once."""
    rows = []
    for user in USERS:
        if user.scope in _PEOPLE and user.scope != "sosh19" and user.role != "coordinator":
            continue
        where = user.scope if user.scope in _PEOPLE else ""
        rows.append((user.username, ROLE_LABELS[user.role], where))
    rows.append(("admin", "администратор платформы", ""))
    return rows
