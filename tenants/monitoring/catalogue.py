"""The built-in instruments of monitoring, from the seeds (004 §6, 001 §5, 003 stage 6, 002).

No marks are given (004 §6.5): every closed question is a scale of described levels, never a
grade; a level is stored as its position (1 = the first description) and shown by its words.
Items marked `core` are the region's common core: a school may add, reword or drop its own
items, never the core ones, so the core stays comparable across schools and only its codes
travel to the regional figures. Open questions are the school's alone.
"""

from __future__ import annotations

from typing import Any

# Scales: described levels, from the lowest to the highest.
MANIFEST = [
    "проявляется редко",
    "проявляется иногда",
    "проявляется часто",
    "проявляется устойчиво",
]
AGREEMENT = [
    "не удовлетворён(а)",
    "скорее не удовлетворён(а)",
    "скорее удовлетворён(а)",
    "полностью удовлетворён(а)",
]
PROCESS = [
    "не выполняется",
    "выполняется частично",
    "выполняется в основном",
    "выполняется полностью",
]

PROFILE = "profile"
SATISFACTION = "satisfaction"
CURATOR = "curator"
PURPOSES = {
    PROFILE: "характеристики наставляемого («вход» / «выход»)",
    SATISFACTION: "удовлетворённость программой наставничества",
    CURATOR: "качество процесса реализации программы",
}

# Groups of characteristics (004 §6.2: мотивационно-личностный, компетентностный,
# профессиональный рост).
GROUPS = {
    "motivation": "мотивационно-личностный рост",
    "competence": "компетентностный рост",
    "professional": "профессиональный рост",
}

PUPIL_FORMS = ["pupil_pupil", "teacher_pupil", "student_pupil"]
EMPLOYER_FORMS = ["employer_pupil"]
TEACHER_FORMS = ["teacher_teacher", "head_teacher", "educator_educator"]


def _scale_item(code: str, text: str, scale: list[str], *, group: str = "", core: bool = True) -> dict[str, Any]:  # fmt: skip
    return {"code": code, "text": text, "kind": "scale", "scale": scale, "group": group, "core": core}  # fmt: skip


def _open_item(code: str, text: str) -> dict[str, Any]:
    return {"code": code, "text": text, "kind": "open", "scale": [], "group": "", "core": False}


def _profile(prefix: str, items: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    return [_scale_item(f"{prefix}.{code}", text, MANIFEST, group=group) for code, text, group in items]  # fmt: skip


BUILTIN: list[dict[str, Any]] = [
    {
        "code": "profile_pupil",
        "title": "Характеристики наставляемого-обучающегося («вход» и «выход»)",
        "purpose": PROFILE,
        "forms": PUPIL_FORMS,
        "intro": (
            "Сравнение личностных характеристик наставляемого на «входе» и «выходе» программы "
            "наставничества. Отметки не выставляются: выберите описание, которое точнее всего "
            "подходит сейчас."
        ),
        "items": [
            *_profile(
                "pupil",
                [
                    ("motivation", "Интерес и мотивация к учёбе", "motivation"),
                    (
                        "confidence",
                        "Уверенность в себе, готовность высказывать своё мнение",
                        "motivation",
                    ),
                    ("goals", "Понимание своих целей и жизненных планов", "motivation"),
                    ("communication", "Умение общаться и работать в команде", "competence"),
                    (
                        "selforg",
                        "Самоорганизация: планирует своё время, доводит дела до конца",
                        "competence",
                    ),
                    (
                        "projects",
                        "Участие в проектной, исследовательской, творческой деятельности",
                        "competence",
                    ),
                    ("olympiads", "Участие в олимпиадах, конкурсах, соревнованиях", "professional"),
                    ("school_life", "Включённость в жизнь класса и школы", "professional"),
                ],
            ),
            _open_item("pupil.note", "Что изменилось за время программы (по желанию)"),
        ],
    },
    {
        "code": "profile_employer",
        "title": "Характеристики наставляемого: профессиональная ориентация («вход» и «выход»)",
        "purpose": PROFILE,
        "forms": EMPLOYER_FORMS,
        "intro": (
            "Форма «работодатель – ученик»: представления о профессии и готовность к выбору "
            "на «входе» и «выходе» программы. Отметки не выставляются."
        ),
        "items": [
            *_profile(
                "career",
                [
                    ("interest", "Интерес к профессии и отрасли наставника", "motivation"),
                    ("plans", "Осознанность профессиональных планов", "motivation"),
                    (
                        "knowledge",
                        "Представление о требованиях профессии и рынка труда",
                        "competence",
                    ),
                    (
                        "skills",
                        "Практические навыки, освоенные в проекте или на пробах",
                        "competence",
                    ),
                    ("soft", "Ответственность, пунктуальность, работа в команде", "competence"),
                    (
                        "choice",
                        "Готовность к выбору профиля обучения или профессии",
                        "professional",
                    ),
                ],
            ),
            _open_item("career.note", "Что изменилось за время программы (по желанию)"),
        ],
    },
    {
        "code": "profile_teacher",
        "title": "Характеристики наставляемого педагога («вход» и «выход»)",
        "purpose": PROFILE,
        "forms": TEACHER_FORMS,
        "intro": (
            "Формы «учитель – учитель», «руководитель ОО – учитель», «педагог – педагог»: "
            "адаптация и профессиональный рост на «входе» и «выходе» программы. Отметки не "
            "выставляются."
        ),
        "items": [
            *_profile(
                "teacher",
                [
                    ("adaptation", "Адаптация в коллективе и в организации", "motivation"),
                    (
                        "selfdev",
                        "Мотивация к профессиональному саморазвитию и самообразованию",
                        "motivation",
                    ),
                    ("lessons", "Уверенность в проведении уроков и занятий", "competence"),
                    (
                        "methods",
                        "Владение методиками и современными образовательными технологиями",
                        "competence",
                    ),
                    ("ict", "Использование цифровых инструментов в работе", "competence"),
                    (
                        "parents",
                        "Взаимодействие с родителями (законными представителями)",
                        "professional",
                    ),
                    (
                        "innovation",
                        "Включённость в инновационную, проектную деятельность школы",
                        "professional",
                    ),
                    ("mentor_plan", "Готовность в будущем стать наставником", "professional"),
                ],
            ),
            _open_item("teacher.note", "Что изменилось за время программы (по желанию)"),
        ],
    },
    {
        "code": "satisfaction_mentee",
        "title": "Анкета оценки удовлетворённости программой наставничества (наставляемый)",
        "purpose": SATISFACTION,
        "forms": [],
        "intro": (
            "Мониторинг личной удовлетворённости участием в программе наставничества. Ответы "
            "видит куратор; в сводки попадают только обобщённые показатели без имён и текстов."
        ),
        "items": [
            _scale_item("sat.overall", "Участие в программе наставничества в целом", AGREEMENT),
            _scale_item("sat.meetings", "Регулярность и польза встреч с наставником", AGREEMENT),
            _scale_item("sat.relationship", "Отношения с наставником, доверие", AGREEMENT),
            _scale_item("sat.goals", "Достижение целей, поставленных в программе", AGREEMENT),
            _scale_item("sat.support", "Поддержка куратора и организации", AGREEMENT),
            _scale_item(
                "sat.usefulness",
                "Полезность полученного опыта для дальнейшей учёбы или работы",
                AGREEMENT,
            ),
            _open_item("sat.best", "Что было самым ценным?"),
            _open_item("sat.improve", "Что стоит изменить в программе?"),
        ],
    },
    {
        "code": "satisfaction_mentor",
        "title": "Анкета оценки удовлетворённости программой наставничества (наставник)",
        "purpose": SATISFACTION,
        "forms": [],
        "intro": (
            "Мониторинг личной удовлетворённости участием в программе наставничества. Ответы "
            "видит куратор; в сводки попадают только обобщённые показатели без имён и текстов."
        ),
        "items": [
            _scale_item("sat.overall", "Участие в программе наставничества в целом", AGREEMENT),
            _scale_item("sat.meetings", "Регулярность и польза встреч с наставляемым", AGREEMENT),
            _scale_item(
                "sat.relationship", "Отношения с наставляемым, его включённость", AGREEMENT
            ),
            _scale_item("sat.goals", "Достижение целей, поставленных в программе", AGREEMENT),
            _scale_item(
                "sat.support",
                "Поддержка куратора и организации (методическая, организационная)",
                AGREEMENT,
            ),
            _scale_item(
                "sat.usefulness", "Собственный профессиональный рост как наставника", AGREEMENT
            ),
            _open_item("sat.best", "Что было самым ценным?"),
            _open_item("sat.improve", "Что стоит изменить в программе?"),
        ],
    },
    {
        "code": "curator",
        "title": "Анкета куратора",
        "purpose": CURATOR,
        "forms": [],
        "intro": (
            "Оценка качества процесса реализации персонализированной программы наставничества "
            "(004 §6.2). Рядом — то, что уже есть в системе: встречи и выполнение плана."
        ),
        "items": [
            _scale_item("cur.plan", "План мероприятий программы выполняется в срок", PROCESS),
            _scale_item(
                "cur.meetings", "Встречи наставника и наставляемого проходят регулярно", PROCESS
            ),
            _scale_item("cur.goals", "Цели программы достигаются", PROCESS),
            _scale_item(
                "cur.documents", "Документы программы ведутся (план, встречи, итоги)", PROCESS
            ),
            _scale_item(
                "cur.involvement",
                "Наставляемый включён в работу, риски прекращения не выявлены",
                PROCESS,
            ),
            _open_item("cur.risks", "Риски и что с ними делать"),
        ],
    },
]

BY_CODE = {instrument["code"]: instrument for instrument in BUILTIN}
SATISFACTION_CODES = {"mentee": "satisfaction_mentee", "mentor": "satisfaction_mentor"}


def profile_code(form_code: str) -> str:
    """The entry/exit profile for a pair's form (a school's own form: the pupils' one when
    its mentees are learners, else the teachers')."""
    for instrument in BUILTIN:
        if instrument["purpose"] == PROFILE and form_code in instrument["forms"]:
            return str(instrument["code"])
    return ""


def core_codes(code: str) -> list[str]:
    """The common core of a built-in instrument: the codes that stay comparable."""
    return [item["code"] for item in BY_CODE[code]["items"] if item["core"]]


# Educational outcomes per mentee (001 §5, 004 §6.2: «динамика образовательных результатов»),
# at entry and exit. `better`: which direction is an improvement.
OUTCOMES: list[dict[str, Any]] = [
    {"code": "avg_grade", "title": "Средний балл (успеваемость)", "for": "pupil", "kind": "decimal",
     "min": 1, "max": 5, "better": "up", "column": "Средний балл"},
    {"code": "exam", "title": "ВПР / ОГЭ / ЕГЭ: сдано работ успешно из выполненных, %", "for": "pupil",
     "kind": "integer", "min": 0, "max": 100, "better": "up", "column": "ВПР/ОГЭ/ЕГЭ, % успешно"},
    {"code": "olympiads", "title": "Участие в олимпиадах и конкурсах", "for": "pupil", "kind": "integer",
     "min": 0, "max": 100, "better": "up", "column": "Олимпиады и конкурсы"},
    {"code": "winners", "title": "Из них победитель или призёр", "for": "pupil", "kind": "integer",
     "min": 0, "max": 100, "better": "up", "column": "Победы и призовые места"},
    {"code": "projects", "title": "Проекты и исследования", "for": "pupil", "kind": "integer",
     "min": 0, "max": 100, "better": "up", "column": "Проекты"},
    {"code": "pupils_passed", "title": "Обучающиеся педагога, успешно прошедшие ВПР/ОГЭ/ЕГЭ, %",
     "for": "teacher", "kind": "integer", "min": 0, "max": 100, "better": "up", "column": "Ученики: ВПР/ОГЭ/ЕГЭ, % успешно"},
    {"code": "pupils_grade", "title": "Средний балл обучающихся педагога", "for": "teacher",
     "kind": "decimal", "min": 1, "max": 5, "better": "up", "column": "Ученики: средний балл"},
    {"code": "category", "title": "Квалификационная категория", "for": "teacher", "kind": "choice",
     "choices": ["без категории", "соответствие занимаемой должности", "первая", "высшая"],
     "better": "up", "column": "Категория"},
    {"code": "courses", "title": "Курсы повышения квалификации (пройдено)", "for": "teacher",
     "kind": "integer", "min": 0, "max": 50, "better": "up", "column": "Курсы ПК"},
    {"code": "competitions", "title": "Профессиональные конкурсы (участие)", "for": "teacher",
     "kind": "integer", "min": 0, "max": 50, "better": "up", "column": "Профконкурсы"},
]  # fmt: skip
OUTCOME_BY_CODE = {outcome["code"]: outcome for outcome in OUTCOMES}
# The region's figure of outcome dynamics: the indicator every school keeps (the journal's).
HEADLINE_OUTCOME = {"pupil": "avg_grade", "teacher": "pupils_grade"}
