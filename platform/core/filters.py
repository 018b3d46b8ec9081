"""Filters of lists (django-filter), shared by a page and its API: one parser per list.

A FilterSet here declares the parameters (types, bounds, choices; drf-spectacular documents
them from it) and hands the valid values to the list's selector. On the API an invalid value
is a 400 naming the parameter (FilterBackend); a page shows the list without that filter
(`valid_data`), as if the value had not been given.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.request import Request

from core.params import MAX_ID, MAX_TEXT, YEARS, text_schema


def _document(parameter: django_filters.Filter, schema: dict[str, Any]) -> None:
    """The parameter's schema for drf-spectacular (its `extend_schema_field` on one filter):
    it cannot read the bounds off the form field, nor a type when no model field matches."""
    help_text = parameter.extra.get("help_text")
    description = {"description": str(help_text)} if help_text else {}
    parameter._spectacular_annotation = {"field": {**schema, **description}}


class IntegerFilter(django_filters.Filter):
    """A whole number (an id by default): NumberFilter would take 1.5 or 1e3 as a Decimal."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
        _document(self, {"type": "integer", "minimum": kwargs["min_value"],
                         "maximum": kwargs["max_value"]})  # fmt: skip


class YearFilter(IntegerFilter):
    """An academic year by its first calendar year (2025 is 2025/2026)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", YEARS[0])
        kwargs.setdefault("max_value", YEARS[1])
        kwargs.setdefault("help_text", "учебный год: 2025 — это 2025/2026")
        super().__init__(*args, **kwargs)


class TextFilter(django_filters.CharFilter):
    """Bounded text; Django's CharField already refuses NUL («нулевые символы»)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_TEXT)
        super().__init__(*args, **kwargs)
        _document(self, text_schema(kwargs["max_length"]))


class StrictBooleanField(forms.Field):
    """true/false (or 1/0, as a page's checkbox sends); anything else is refused, not read as
    "not given" the way Django's NullBooleanField reads it."""

    widget = forms.TextInput  # the raw value: NullBooleanSelect would turn "null" into None
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        try:
            return self.VALUES[str(value).lower()]
        except KeyError:
            raise forms.ValidationError("нужно true или false.", code="invalid") from None

    def validate(self, value: Any) -> None:
        return None


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class FilterSet(django_filters.FilterSet):
    """A FilterSet that parses only: `filter_queryset` of a subclass passes `valid_data` to the
    list's selector, so a page and the API filter by the same code."""

    @property
    def valid_data(self) -> dict[str, Any]:
        """The values that passed validation; empty ones left out."""
        if not self.is_bound:
            return {}
        self.is_valid()  # builds cleaned_data; invalid fields are simply missing from it
        return {
            name: value
            for name, value in self.form.cleaned_data.items()
            if value not in (None, "", [], ())
        }

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        raise NotImplementedError("a list's FilterSet hands valid_data to its selector")


class FilterBackend(DjangoFilterBackend):
    """django-filter on the API: a bad parameter is a 400 whose messages name it, in Russian."""

    def filter_queryset(
        self, request: Request, queryset: QuerySet[Any], view: Any
    ) -> QuerySet[Any]:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise exceptions.ValidationError(
                {
                    name: [f"Параметр «{name}»: {message}" for message in messages]
                    for name, messages in filterset.errors.items()
                }
            )
        return filterset.qs
