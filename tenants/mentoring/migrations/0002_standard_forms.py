"""The forms of mentoring of the target model, with who may be mentor and mentee in each."""

from django.db import migrations

STAFF = ["teacher", "young_specialist", "veteran"]
FORMS = [
    ("pupil_pupil", "ученик – ученик", ["pupil"], ["pupil"], True),
    ("teacher_teacher", "учитель – учитель", ["teacher", "veteran"], ["teacher", "young_specialist"], True),
    ("student_pupil", "студент – ученик", ["student", "graduate"], ["pupil"], True),
    ("employer_pupil", "работодатель – ученик", ["employer", "entrepreneur"], ["pupil", "student"], True),
    ("teacher_pupil", "учитель – ученик", STAFF, ["pupil", "student"], True),
    ("head_teacher", "руководитель ОО – учитель", ["teacher", "veteran", "other"], ["teacher", "young_specialist"], False),
    ("educator_educator", "педагог – педагог", STAFF, ["teacher", "young_specialist"], True),
]


def create(apps, schema_editor):
    Form = apps.get_model("mentoring", "Form")
    for code, title, mentors, mentees, groups in FORMS:
        Form.objects.get_or_create(
            code=code,
            defaults={"title": title, "mentor_categories": mentors, "mentee_categories": mentees,
                      "allows_groups": groups, "is_standard": True},
        )


class Migration(migrations.Migration):
    dependencies = [("mentoring", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
