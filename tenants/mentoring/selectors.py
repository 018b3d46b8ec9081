"""Reads for pairs: the board, unmatched mentees, suggestions, what a mentor or mentee sees."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import User
from tenants.mentoring import matching
from tenants.mentoring.models import LIVE_STATUSES, Form, Pair
from tenants.mentoring.services import chosen_mentors, mentor_load
from tenants.participants.models import Consent, Participant
from tenants.participants.services import can_be_paired


def pairs_board(*, academic_year: int, form_code: str = "") -> QuerySet[Pair]:
    pairs = (
        Pair.objects.filter(academic_year=academic_year)
        .select_related("mentor", "form", "order")
        .prefetch_related("mentees")
        .order_by("starts_on", "pk")
    )
    if form_code:
        pairs = pairs.filter(form__code=form_code)
    return pairs


def own_pairs(*, user: User | None) -> QuerySet[Pair]:
    """Pairs where the user is the mentor or a mentee (through their card in the banks)."""
    if user is None:
        return Pair.objects.none()
    return (
        Pair.objects.filter(Q(mentor__user=user) | Q(mentees__user=user))
        .select_related("mentor", "form", "order")
        .prefetch_related("mentees")
        .distinct()
    )


def unmatched_mentees(*, academic_year: int, query: str = "") -> QuerySet[Participant]:
    """Mentees of the year not in a live pair (proposed, approved or active)."""
    mentees = (
        Participant.objects.filter(academic_year=academic_year)
        .mentees()
        .exclude(mentee_pairs__status__in=LIVE_STATUSES)
        .prefetch_related(Prefetch("consents", queryset=Consent.objects.order_by("-signed_on")))
        .order_by("last_name", "first_name")
    )
    for word in query.split():
        mentees = mentees.filter(
            Q(last_name__icontains=word)
            | Q(first_name__icontains=word)
            | Q(class_group__icontains=word)
        )
    return mentees


def _eligible_mentors(academic_year: int, today: dt.date) -> list[Participant]:
    return [
        m
        for m in Participant.objects.filter(academic_year=academic_year)
        .mentors()
        .prefetch_related("consents")
        if can_be_paired(participant=m, today=today).ok
    ]


def suggestions_for_all(
    *, academic_year: int, today: dt.date
) -> list[tuple[Participant, list[matching.Suggestion]]]:
    """The best three mentors for every unmatched mentee; mentors, forms and load read once.

    Suggestions only: accepting one uses a place, so the coordinator goes through them in turn.
    """
    mentors = _eligible_mentors(academic_year, today)
    forms = list(Form.objects.all())
    load = mentor_load(on=today)
    rows = []
    for mentee in unmatched_mentees(academic_year=academic_year):
        if not can_be_paired(participant=mentee, today=today).ok:
            continue
        ranked = matching.rank_mentors(
            mentee, mentors, forms=forms, load=load, chosen=chosen_mentors(mentee=mentee), limit=3
        )
        rows.append((mentee, ranked))
    return rows


def suggestions(
    *, mentee: Participant, academic_year: int, today: dt.date, limit: int = 10
) -> list[matching.Suggestion]:
    """Ranked mentors with free places whose consents allow pairing, with the explanation."""
    return matching.rank_mentors(
        mentee,
        _eligible_mentors(academic_year, today),
        forms=list(Form.objects.all()),
        load=mentor_load(on=today),
        chosen=chosen_mentors(mentee=mentee),
        limit=limit,
    )
