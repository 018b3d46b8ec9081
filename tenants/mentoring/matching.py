"""Explainable mentor suggestions for a mentee. Pure: participants and forms in, ranked list out.

The score adds up parts a coordinator can read: overlap of the mentee's requests and
difficulties with the mentor's competencies (coverage, and how focused the mentor is on them), whether a form of mentoring fits both, free
places, closeness (same subject; an older pupil two or three grades up), and the mentee's
own choice among offered candidates. Nobody is paired by the score: a person decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from tenants.participants.models import Category

COVERAGE_POINTS = 50  # all of the mentee's requests are among the mentor's competencies
PRECISION_POINTS = 25  # all of the mentor's competencies are about those requests
FORM_POINTS = 10
CAPACITY_POINTS = 2  # per free place, up to three
CLOSENESS_POINTS = 8
CHOICE_POINTS = 25
DEFICIT_POINTS = 30  # the mentor's competencies cover all the deficits of the mentee's route (ИОМ)


class FormLike(Protocol):
    code: str
    title: str
    mentor_categories: list[str]
    mentee_categories: list[str]


class PersonLike(Protocol):
    pk: int
    category: str
    competencies: list[str]
    requests: list[str]
    difficulties: list[str]
    forms: list[str]
    capacity: int
    subject: str
    class_group: str
    offer: str


@dataclass
class Suggestion:
    mentor: PersonLike
    score: float
    reasons: list[str] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)  # codes of the forms that fit


_WORD = re.compile(r"[a-zа-яё0-9]+", re.IGNORECASE)


def _stems(text: str) -> set[str]:
    """Crude Russian stemming: the first five letters of each word longer than two."""
    return {word[:5] for word in _WORD.findall(text.lower().replace("ё", "е")) if len(word) > 2}


def _tag_matches(tag: str, competencies: list[str]) -> bool:
    wanted = _stems(tag)
    return bool(wanted) and any(
        wanted <= _stems(c) or (_stems(c) <= wanted and _stems(c)) for c in competencies
    )


def _grade(class_group: str) -> int | None:
    match = re.match(r"\s*(\d{1,2})", class_group or "")
    return int(match.group(1)) if match else None


def fitting_forms(
    mentor: PersonLike, mentee: PersonLike, forms: Iterable[FormLike]
) -> list[FormLike]:
    """Forms whose categories admit both; narrowed to the mentor's own forms if they named any."""
    fitting = [
        f
        for f in forms
        if mentor.category in f.mentor_categories and mentee.category in f.mentee_categories
    ]
    if mentor.forms:
        preferred = [f for f in fitting if f.code in mentor.forms]
        return preferred or fitting
    return fitting


def rank_mentors(
    mentee: PersonLike,
    mentors: Iterable[PersonLike],
    *,
    forms: Iterable[FormLike],
    load: Mapping[int, int],
    chosen: Iterable[int] = (),
    limit: int = 10,
    route_deficits: Iterable[tuple[str, str]] = (),
) -> list[Suggestion]:
    """Suggestions for one mentee, best first. `load`: mentor pk → mentees in live pairs.
    `route_deficits`: (area, what exactly) of the mentee's own route (ИОМ), if the teacher
    shared it with the curator: a mentor whose competencies cover them ranks higher."""
    deficits = list(route_deficits)
    forms = list(forms)
    chosen = set(chosen)
    wanted = [*mentee.requests, *mentee.difficulties]
    suggestions = []
    for mentor in mentors:
        if mentor.pk == mentee.pk:
            continue
        free = mentor.capacity - load.get(mentor.pk, 0)
        fitting = fitting_forms(mentor, mentee, forms)
        if free <= 0 or not fitting:
            continue  # not a candidate at all: full, or no form admits the two
        reasons = []
        score = 0.0
        competencies = (
            [*mentor.competencies, mentor.offer] if mentor.offer else list(mentor.competencies)
        )
        matched = [tag for tag in wanted if _tag_matches(tag, competencies)]
        if matched:
            # Coverage of the requests, and how focused the mentor's competencies are on them:
            # a mentor whose competencies are exactly the requests scores highest.
            useful = [
                c for c in mentor.competencies if any(_tag_matches(tag, [c]) for tag in wanted)
            ]
            points = COVERAGE_POINTS * len(matched) / len(wanted)
            if mentor.competencies:
                points += PRECISION_POINTS * len(useful) / len(mentor.competencies)
            score += points
            reasons.append(f"совпадает с запросами: {', '.join(matched)} (+{points:.0f})")
        elif wanted:
            reasons.append("компетенции не пересекаются с запросами")
        covered = [
            area for area, what in deficits
            if _tag_matches(area, competencies) or _tag_matches(what, competencies)
        ]  # fmt: skip
        if covered:
            points = DEFICIT_POINTS * len(covered) / len(deficits)
            score += points
            reasons.append(f"закрывает дефициты ИОМ: {', '.join(covered)} (+{points:.0f})")
        score += FORM_POINTS
        reasons.append(f"форма: {fitting[0].title} (+{FORM_POINTS})")
        places = min(free, 3)
        score += CAPACITY_POINTS * places
        reasons.append(f"свободных мест: {free} (+{CAPACITY_POINTS * places})")
        closeness = _closeness(mentor, mentee)
        if closeness:
            score += CLOSENESS_POINTS
            reasons.append(f"{closeness} (+{CLOSENESS_POINTS})")
        if mentor.pk in chosen:
            score += CHOICE_POINTS
            reasons.append(f"наставляемый выбрал этого наставника (+{CHOICE_POINTS})")
        suggestions.append(Suggestion(mentor, round(score, 1), reasons, [f.code for f in fitting]))
    suggestions.sort(key=lambda s: (-s.score, s.mentor.pk))
    return suggestions[:limit]


def _closeness(mentor: PersonLike, mentee: PersonLike) -> str:
    if mentor.subject and mentee.subject and mentor.subject.lower() == mentee.subject.lower():
        return f"тот же предмет: {mentor.subject}"
    if mentor.category == Category.PUPIL and mentee.category == Category.PUPIL:
        older, younger = _grade(mentor.class_group), _grade(mentee.class_group)
        if older and younger and 1 <= older - younger <= 3:
            return f"старше на {older - younger} кл."
    if mentor.subject and any(_stems(mentor.subject) & _stems(tag) for tag in mentee.requests):
        return f"предмет наставника в запросах: {mentor.subject}"
    return ""
