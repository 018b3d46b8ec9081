"""Matching: explainable scores, and on a generated bank the exact match is in the top three."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from tenants.mentoring.matching import rank_mentors
from tenants.participants.models import Category

TOPICS = ["математика", "подготовка к ОГЭ", "физика", "русский язык", "английский язык",
          "программирование", "профориентация", "олимпиады", "химия", "история",
          "адаптация в новом классе", "проектная деятельность", "биология", "тайм-менеджмент"]  # fmt: skip


@dataclass
class P:
    pk: int
    category: str
    competencies: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    difficulties: list[str] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)
    capacity: int = 1
    subject: str = ""
    class_group: str = ""
    offer: str = ""


@dataclass
class F:
    code: str
    title: str
    mentor_categories: list[str]
    mentee_categories: list[str]


FORMS = [
    F("teacher_pupil", "учитель – ученик", ["teacher", "veteran"], ["pupil"]),
    F("pupil_pupil", "ученик – ученик", ["pupil"], ["pupil"]),
    F(
        "teacher_teacher",
        "учитель – учитель",
        ["teacher", "veteran"],
        ["teacher", "young_specialist"],
    ),
]


def test_the_score_explains_itself():
    mentee = P(1, Category.PUPIL, requests=["подготовка к ОГЭ", "физика"], class_group="7 А")
    good = P(2, Category.TEACHER, competencies=["ОГЭ", "физика"], capacity=2)
    older_pupil = P(3, Category.PUPIL, competencies=["физика"], class_group="9 Б")
    [first, second] = rank_mentors(mentee, [older_pupil, good], forms=FORMS, load={})
    assert first.mentor is good
    assert first.reasons[0] == "совпадает с запросами: подготовка к ОГЭ, физика (+75)"
    assert "форма: учитель – ученик (+10)" in first.reasons
    assert "свободных мест: 2 (+4)" in first.reasons
    assert "старше на 2 кл. (+8)" in second.reasons


def test_full_mentors_and_mentors_no_form_admits_are_not_suggested():
    mentee = P(1, Category.PUPIL, requests=["физика"])
    full = P(2, Category.TEACHER, competencies=["физика"], capacity=1)
    parent = P(3, Category.PARENT, competencies=["физика"], capacity=3)
    assert rank_mentors(mentee, [full, parent], forms=FORMS, load={2: 1}) == []


def test_the_mentees_own_choice_lifts_a_candidate():
    mentee = P(1, Category.PUPIL, requests=["физика"])
    a = P(2, Category.TEACHER, competencies=["физика"])
    b = P(3, Category.TEACHER, competencies=["физика"])
    assert rank_mentors(mentee, [a, b], forms=FORMS, load={})[0].mentor is a
    ranked = rank_mentors(mentee, [a, b], forms=FORMS, load={}, chosen={3})
    assert (
        ranked[0].mentor is b and "наставляемый выбрал этого наставника (+25)" in ranked[0].reasons
    )


def test_on_a_generated_bank_the_exactly_matching_mentor_is_in_the_top_three():
    rng = random.Random(7)
    hits, trials = 0, 200
    for _ in range(trials):
        mentors = []
        for n in range(40):
            category = rng.choice(
                [Category.TEACHER, Category.TEACHER, Category.PUPIL, Category.VETERAN]
            )
            mentors.append(P(100 + n, category, competencies=rng.sample(TOPICS, rng.randint(1, 4)),
                             capacity=rng.randint(0, 3), class_group=f"{rng.randint(8, 11)} А",
                             subject=rng.choice(["", "математика", "физика"])))  # fmt: skip
        load = {m.pk: rng.randint(0, m.capacity) for m in mentors}
        wanted = rng.sample(TOPICS, rng.randint(1, 3))
        mentee = P(1, Category.PUPIL, requests=wanted, class_group=f"{rng.randint(5, 8)} Б")
        exact = P(99, Category.TEACHER, competencies=list(wanted), capacity=2)
        position = rng.randint(0, len(mentors))
        mentors.insert(position, exact)
        top = rank_mentors(mentee, mentors, forms=FORMS, load=load, limit=3)
        hits += any(s.mentor is exact for s in top)
    assert hits == trials
