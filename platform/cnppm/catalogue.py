"""The instrument of self-diagnosis the platform ships: the competency areas of the seed's
algorithm (Положение о системе наставничества педагогических работников, §4.3.2, steps 2–3)
and a four-level scale. A region's ЦНППМ edits it as a new version; every answer keeps the
version it was given on.

The seed lists «ИКТ-компетенции» and «цифровизация образования» apart; the catalogue ships them
as two areas and a region may merge them in its own version.
"""

from __future__ import annotations

from typing import Any, TypedDict


class Indicator(TypedDict):
    code: str
    text: str


class Area(TypedDict):
    code: str
    title: str
    indicators: list[Indicator]


class Level(TypedDict):
    value: int
    label: str
    description: str


def _area(code: str, title: str, *indicators: str) -> Area:
    return {
        "code": code,
        "title": title,
        "indicators": [{"code": f"{code}.{n}", "text": t} for n, t in enumerate(indicators, 1)],
    }


AREAS: list[Area] = [
    _area(
        "theory",
        "Научно-теоретические",
        "Знаю современные научные подходы и концепции в своей предметной области и в педагогике",
        "Опираюсь на научное обоснование при выборе содержания и методов работы",
    ),
    _area(
        "legal",
        "Нормативные правовые",
        "Знаю ФГОС, ФОП и локальные акты, регулирующие мою работу",
        "Применяю требования нормативных документов при планировании и оценке результатов",
    ),
    _area(
        "subject",
        "Предметно-профессиональные",
        "Владею содержанием преподаваемого предмета (направления) на углублённом уровне",
        "Готовлю обучающихся к олимпиадам, конкурсам, государственной итоговой аттестации",
    ),
    _area(
        "psychology",
        "Психолого-педагогические (ориентированные на обучающихся и их родителей)",
        "Учитываю возрастные и индивидуальные особенности обучающихся, в том числе с ОВЗ",
        "Выстраиваю конструктивное взаимодействие с родителями (законными представителями)",
    ),
    _area(
        "methods",
        "Методические (содержание образования, методики и технологии обучения)",
        "Применяю современные образовательные технологии и формы организации занятий",
        "Разрабатываю методические материалы, оценочные средства, программы",
    ),
    _area(
        "ict",
        "ИКТ-компетенции",
        "Использую цифровые инструменты для подготовки и проведения занятий",
        "Работаю с электронным журналом, сервисами коммуникации и хранения данных",
    ),
    _area(
        "digital",
        "Цифровизация образования",
        "Использую цифровые образовательные ресурсы и платформы (ФГИС «Моя школа» и др.)",
        "Организую дистанционное и смешанное обучение, оцениваю цифровой след обучающихся",
    ),
    _area(
        "upbringing",
        "Внеурочная и воспитательная деятельность",
        "Планирую и провожу воспитательные мероприятия по рабочей программе воспитания",
        "Веду внеурочную деятельность, вовлекаю обучающихся в проекты и общественную жизнь",
    ),
    _area(
        "health",
        "Здоровьесбережение обучающихся",
        "Соблюдаю санитарные нормы и здоровьесберегающие режимы на занятиях",
        "Применяю здоровьесберегающие технологии и формирую у обучающихся культуру здоровья",
    ),
]

SCALE: list[Level] = [
    {"value": 1, "label": "Испытываю затруднения",
     "description": "нужна помощь наставника, тьютора или обучение"},
    {"value": 2, "label": "Владею частично",
     "description": "справляюсь в знакомых ситуациях, в новых — с трудом"},
    {"value": 3, "label": "Владею уверенно",
     "description": "применяю самостоятельно и с результатом"},
    {"value": 4, "label": "Могу поделиться опытом",
     "description": "мой опыт могут перенять коллеги: открытые занятия, публикации, наставничество"},
]  # fmt: skip

# An area is suggested as a deficit when its mean level is at most this, or any indicator is 1.
DEFICIT_LEVEL = 2.0
# An area is a strength (достижение, ресурс) when its mean level is at least this.
STRENGTH_LEVEL = 3.5

INSTRUMENT_TITLE = "Самодиагностика профессиональных достижений и дефицитов педагога"


def default_instrument() -> dict[str, Any]:
    return {"title": INSTRUMENT_TITLE, "areas": AREAS, "scale": SCALE}


def area_titles(areas: list[Area] | list[dict[str, Any]]) -> dict[str, str]:
    return {area["code"]: area["title"] for area in areas}


def catalogue_titles() -> dict[str, str]:
    """Titles of the shipped areas by code (what the regional figures are labelled with)."""
    return area_titles(AREAS)
