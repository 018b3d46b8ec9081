"""core.params: the one reader of query and form parameters outside a list's filters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict

from core.params import QueryParams, ascii_int


def test_a_superscript_two_is_not_a_number_though_isdigit_says_so():
    assert "²".isdigit()
    assert ascii_int("²") is None
    assert ascii_int("٣") is None  # an Arabic-Indic three: int() would take it, we do not
    assert ascii_int("42") == 42
    assert ascii_int("9" * 19) is None  # past a bigint


def test_strict_parameters_are_refused_with_a_russian_message_naming_them():
    params = QueryParams(QueryDict("stage=²&year=1812&day=01.09.2025&kind=zoo&q=a%00b"))
    cases = [
        (lambda: params.integer("stage"), "stage", "целое число"),
        (lambda: params.year("year"), "year", "учебный год"),
        (lambda: params.date("day"), "day", "ГГГГ-ММ-ДД"),
        (lambda: params.choice("kind", ["school", "college"]), "kind", "school, college"),
        (lambda: params.text("q"), "q", "NUL"),
        (lambda: params.integer("mentee", required=True), "mentee", "обязательный"),
    ]
    for read, name, words in cases:
        with pytest.raises(ValidationError) as refused:
            read()
        [message] = refused.value.message_dict[name]
        assert message.startswith(f"Параметр «{name}»: ") and words in message


def test_lenient_parameters_fall_back_to_the_default_and_say_what_was_dropped():
    params = QueryParams(
        QueryDict(f"stage=²&year=2025&day=2025-09-01&q={'я' * 201}&id=99999999999999999999"),
        strict=False,
    )
    assert params.integer("stage", 7) == 7
    assert params.year("year", 2000) == 2025
    assert params.date("day") == dt.date(2025, 9, 1)
    assert params.text("q") == ""
    assert params.integer("id") is None
    assert params.integer("absent") is None
    assert set(params.errors) == {"stage", "q", "id"}


def test_repeated_ids_keep_only_the_ids():
    params = QueryParams(QueryDict("pairs=1&pairs=²&pairs=&pairs=3&pairs=-4"))
    assert params.integers("pairs") == [1, 3]
