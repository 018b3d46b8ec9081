"""Filters of the pairs: the board (/pairs/) and the API's list (/api/v1/pairs/)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from core.filters import FilterSet, TextFilter, YearFilter
from tenants.mentoring import selectors
from tenants.mentoring.models import Pair, PairStatus


class PairFilterSet(FilterSet):
    academic_year = YearFilter(help_text="учебный год: 2025 — это 2025/2026 (по умолчанию все)")
    form = TextFilter(max_length=40, help_text="код формы наставничества, например teacher_pupil")
    status = django_filters.ChoiceFilter(choices=PairStatus.choices)

    class Meta:
        model = Pair
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        data = self.valid_data
        return selectors.pairs_filtered(
            queryset,
            academic_year=data.get("academic_year"),
            form_code=data.get("form", ""),
            status=data.get("status", ""),
        )
