"""Filters of the banks' list: the page (/participants/) and the API (/api/v1/participants/)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from core.filters import BooleanFilter, FilterSet, TextFilter, YearFilter
from tenants.participants import selectors
from tenants.participants.models import Category, MenteeReason, Participant

BANKS = [("mentees", "наставляемые"), ("mentors", "наставники")]


class BankFilterSet(FilterSet):
    bank = django_filters.ChoiceFilter(choices=BANKS, help_text="по умолчанию mentees")
    academic_year = YearFilter(help_text="учебный год: 2025 — это 2025/2026 (по умолчанию текущий)")
    q = TextFilter(help_text="слова из ФИО, класса, должности или предмета")
    category = django_filters.ChoiceFilter(choices=Category.choices)
    reason = django_filters.ChoiceFilter(choices=MenteeReason.choices)
    tag = TextFilter(help_text="запрос, затруднение или компетенция")
    consent = django_filters.ChoiceFilter(choices=selectors.CONSENT_STATES)
    free = BooleanFilter(help_text="только со свободными местами (true или 1)")

    class Meta:
        model = Participant
        fields: list[str] = []

    def bank_filters(self) -> selectors.BankFilters:
        data = self.valid_data
        return selectors.BankFilters(
            bank=data.get("bank", "mentees"),
            query=data.get("q", ""),
            category=data.get("category", ""),
            reason=data.get("reason", ""),
            tag=data.get("tag", ""),
            consent=data.get("consent", ""),
            free_capacity=bool(data.get("free")),
        )

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The API's list: the bank of the asked (else the current) year for the director and
        coordinators; a mentor's or mentee's own cards (the queryset given) as they are."""
        if not selectors.can_see_whole_bank(self.request.roles):
            return queryset
        organization = self.request.tenant
        today = organization.local_today()
        year = self.valid_data.get("academic_year") or organization.academic_year_of(today)
        return selectors.bank_list(academic_year=year, filters=self.bank_filters(), today=today)
