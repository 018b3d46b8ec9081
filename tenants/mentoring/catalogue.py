"""The forms of mentoring of the target model (распоряжение Р-145 and the seeds), by code.

The regional layer counts pairs by these names only: an organisation may add forms of its own,
but their names are its free text and stay in its schema (counted as OTHER_FORMS).
"""

from __future__ import annotations

STANDARD_FORMS = {
    "pupil_pupil": "ученик – ученик",
    "teacher_teacher": "учитель – учитель",
    "student_pupil": "студент – ученик",
    "employer_pupil": "работодатель – ученик",
    "teacher_pupil": "учитель – ученик",
    "head_teacher": "руководитель ОО – учитель",
    "educator_educator": "педагог – педагог",
}
OTHER_FORMS = "другие формы (организации)"


def form_label(code: str) -> str:
    return STANDARD_FORMS.get(code, OTHER_FORMS)
