"""Template filters for Russian text."""

from __future__ import annotations

from django import template

from core.russian import plural_ru

register = template.Library()


@register.simple_tag
def submit_key() -> str:
    """The hidden field that makes a double submit of the form do one thing (core.idempotency)."""
    from django.utils.html import format_html

    from core.idempotency import FIELD, new_key

    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_key())


@register.filter
def pluralize_ru(value: int | str, forms: str) -> str:
    """{{ n|pluralize_ru:"день,дня,дней" }}"""
    one, few, many = forms.split(",")
    try:
        number = int(value)
    except (TypeError, ValueError):
        return many
    return plural_ru(number, one, few, many)


@register.filter
def absolute(value: int) -> int:
    return abs(int(value))


@register.filter
def get_item(mapping: object, key: str) -> object:
    """{{ dict|get_item:key }} for dictionaries and QueryDicts."""
    getter = getattr(mapping, "get", None)
    return getter(key) if getter else None


@register.filter
def score(value: float | int | str) -> str:
    """{{ s.score|score }} → «49,3 балла»."""
    from core.russian import score_ru

    try:
        return score_ru(float(value))
    except (TypeError, ValueError):
        return str(value)
