"""Filters of the roadmap's item list: the page (/roadmap/) and the API (/api/v1/roadmap-items/)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from core.filters import FilterSet, IntegerFilter, TextFilter, YearFilter
from tenants.roadmap import selectors
from tenants.roadmap.models import ItemStatus, RoadmapItem

STATUS_CHOICES = [*ItemStatus.choices, ("overdue", "просрочено")]


class RoadmapItemFilterSet(FilterSet):
    academic_year = YearFilter(help_text="учебный год: 2025 — это 2025/2026 (по умолчанию текущий)")
    stage = IntegerFilter(help_text="id этапа: он и его подпункты")
    responsible = TextFilter(help_text="ответственный: часть текста или фамилии")
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, help_text="статус или overdue")
    q = TextFilter(help_text="слова из названия или содержания")

    class Meta:
        model = RoadmapItem
        fields: list[str] = []

    def item_filters(self) -> selectors.ItemFilters:
        data = self.valid_data
        return selectors.ItemFilters(
            stage=data.get("stage"),
            responsible=data.get("responsible", ""),
            status=data.get("status", ""),
            query=data.get("q", ""),
        )

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The API's list: the items of the asked (else the current) year's roadmap."""
        organization = self.request.tenant
        year = self.valid_data.get("academic_year") or selectors.current_academic_year(organization)
        roadmap = selectors.roadmap_for_year(academic_year=year)
        if roadmap is None:
            return queryset.none()
        return selectors.roadmap_items(
            roadmap=roadmap, today=organization.local_today(), filters=self.item_filters()
        ).prefetch_related("occurrences")
