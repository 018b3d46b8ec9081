"""The standard questionnaires of the roadmaps, ready in every organisation (editable there)."""

from django.db import migrations

FORMS = [
    "ученик – ученик", "учитель – учитель", "студент – ученик", "работодатель – ученик",
    "учитель – ученик", "руководитель ОО – учитель", "педагог – педагог",
]

QUESTIONNAIRES = [
    (
        "mentor",
        "Чем я могу быть полезен в качестве наставника?",
        "Анкета для потенциальных наставников. Ответы помогут подобрать вам наставляемых.",
        [
            ("В каких областях вы можете помочь наставляемому?", "tags", [], "competencies", True),
            ("Ваш опыт: стаж, достижения, чем вы гордитесь в работе", "textarea", [], "experience", False),
            ("Чем вы можете быть полезны в качестве наставника?", "textarea", [], "offer", True),
            ("В каких формах наставничества вы готовы участвовать?", "multi", FORMS, "forms", False),
            ("Скольких наставляемых вы готовы вести одновременно?", "number", [], "capacity", False),
            ("Когда вам удобно встречаться?", "text", [], "availability", False),
            ("Телефон для связи", "text", [], "phone", False),
        ],
    ),
    (
        "mentee",
        "Анкета наставляемого: мои запросы",
        "Расскажите, с чем вам нужна помощь: по ответам куратор подберёт наставника.",
        [
            ("С какими трудностями вы сталкиваетесь?", "tags", [], "difficulties", False),
            ("Опишите подробнее, в чём вам нужна помощь", "textarea", [], "requests_text", True),
            ("Чему вы хотели бы научиться с наставником?", "tags", [], "requests", False),
            ("Какой формат встреч вам удобнее?", "choice", ["очно", "онлайн", "и так, и так"], "", False),
        ],
    ),
]


def create(apps, schema_editor):
    Questionnaire = apps.get_model("participants", "Questionnaire")
    Question = apps.get_model("participants", "Question")
    for kind, title, intro, questions in QUESTIONNAIRES:
        questionnaire, created = Questionnaire.objects.get_or_create(
            kind=kind, defaults={"title": title, "intro": intro}
        )
        if not created:
            continue
        for position, (text, qkind, choices, field, required) in enumerate(questions, start=1):
            Question.objects.create(
                questionnaire=questionnaire, position=position, text=text, kind=qkind,
                choices=choices, profile_field=field, required=required,
            )


class Migration(migrations.Migration):
    dependencies = [("participants", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
