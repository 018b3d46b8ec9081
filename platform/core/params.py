"""Query (and form) parameters that are not a list's filters: one reader for ints, dates,
choices, years and text, so that no view parses by hand.

`"²".isdigit()` is true and `int("²")` fails, a NUL byte makes PostgreSQL refuse the whole
query, a 20-digit id overflows a bigint: each of these was a 500. Here a bad value is refused
with a Russian message naming the parameter (the API: 400 through core.api's exception handler)
or, on a page, replaced by the default (`strict=False`; `errors` says what was dropped).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal, overload

from django.core.exceptions import ValidationError

ASCII_DIGITS = re.compile(r"[0-9]{1,19}")
MAX_TEXT = 200  # a search word or a name; longer is a probe, not a query
YEARS = (2000, 2100)  # an academic year outside is a typo or a probe
MAX_ID = 2**63 - 1  # a bigint: an id or a count is never more


# Raw schemas of query parameters read by core.params (OpenApiParameter takes them as `type`;
# core.filters gives its filters the same).
YEAR_SCHEMA = {"type": "integer", "minimum": YEARS[0], "maximum": YEARS[1]}
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def text_schema(max_length: int = MAX_TEXT) -> dict[str, Any]:
    # NUL is refused (PostgreSQL cannot hold it): a pattern says so to a client.
    return {"type": "string", "maxLength": max_length, "pattern": "^[^\\x00]*$"}


def ascii_int(value: str | None) -> int | None:
    """The value as an integer if it is plain ASCII digits (a bigint at most), else None."""
    if value is None or not ASCII_DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if number <= MAX_ID else None


def has_nul(value: str) -> bool:
    """PostgreSQL text cannot hold NUL: such a value can never match and must not be sent."""
    return "\x00" in value


class QueryParams:
    """Typed reads of a QueryDict (or any mapping of strings).

    strict=True (the API): a bad value raises ValidationError({name: message});
    strict=False (pages): a bad value gives the default and its message goes into `errors`.
    """

    def __init__(self, data: Mapping[str, Any], *, strict: bool = True) -> None:
        self.data = data
        self.strict = strict
        self.errors: dict[str, str] = {}

    def _refuse(self, name: str, message: str, default: Any) -> Any:
        text = f"Параметр «{name}»: {message}"
        if self.strict:
            raise ValidationError({name: text})
        self.errors[name] = text
        return default

    def _raw(self, name: str, *, required: bool) -> str | None:
        raw = self.data.get(name)
        if isinstance(raw, list):  # a plain dict of lists (a parsed query string)
            raw = raw[-1] if raw else None
        if raw is None or raw == "":
            if required:
                self._refuse(name, "обязательный параметр.", None)
            return None
        return str(raw)

    def text(self, name: str, default: str = "", *, max_length: int = MAX_TEXT,
             required: bool = False) -> str:  # fmt: skip
        """Stripped text, at most `max_length` characters, no NUL."""
        raw = self._raw(name, required=required)
        if raw is None:
            return default
        if has_nul(raw):
            return self._refuse(name, "недопустимый символ (NUL).", default)
        if len(raw) > max_length:
            return self._refuse(name, f"не длиннее {max_length} символов.", default)
        return raw.strip()

    @overload
    def integer(self, name: str, default: int, *, minimum: int = ..., maximum: int = ...,
                required: bool = ...) -> int: ...  # fmt: skip
    @overload
    def integer(self, name: str, default: None = None, *, minimum: int = ..., maximum: int = ...,
                required: Literal[True]) -> int: ...  # fmt: skip
    @overload
    def integer(self, name: str, default: None = None, *, minimum: int = ..., maximum: int = ...,
                required: bool = ...) -> int | None: ...  # fmt: skip
    def integer(self, name: str, default: int | None = None, *, minimum: int = 1,
                maximum: int = MAX_ID, required: bool = False) -> int | None:  # fmt: skip
        """A whole number in ASCII digits within [minimum, maximum] (ids by default)."""
        raw = self._raw(name, required=required)
        if raw is None:
            return default
        value = ascii_int(raw.strip())
        if value is None:
            return self._refuse(name, "нужно целое число цифрами 0–9.", default)
        if not minimum <= value <= maximum:
            return self._refuse(name, f"число от {minimum} до {maximum}.", default)
        return value

    @overload
    def year(self, name: str, default: int, *, required: bool = ...) -> int: ...
    @overload
    def year(self, name: str, default: None = None, *, required: Literal[True]) -> int: ...
    @overload
    def year(self, name: str, default: None = None, *, required: bool = ...) -> int | None: ...
    def year(self, name: str, default: int | None = None, *, required: bool = False) -> int | None:
        """An academic year by its first calendar year: 2025 is 2025/2026."""
        raw = self._raw(name, required=required)
        if raw is None:
            return default
        value = ascii_int(raw.strip())
        if value is None or not YEARS[0] <= value <= YEARS[1]:
            return self._refuse(
                name, f"учебный год числом от {YEARS[0]} до {YEARS[1]} (2025 — это 2025/2026).",
                default,
            )  # fmt: skip
        return value

    def date(self, name: str, default: dt.date | None = None, *,
             required: bool = False) -> dt.date | None:  # fmt: skip
        """A date as ГГГГ-ММ-ДД (what an <input type="date"> sends)."""
        raw = self._raw(name, required=required)
        if raw is None:
            return default
        raw = raw.strip()
        try:
            if not raw.isascii() or len(raw) != 10:
                raise ValueError(raw)
            return dt.date.fromisoformat(raw)
        except ValueError:
            return self._refuse(name, "дата в виде ГГГГ-ММ-ДД.", default)

    def choice(self, name: str, choices: Iterable[str], default: str = "", *,
               required: bool = False) -> str:  # fmt: skip
        """One of `choices` exactly."""
        raw = self._raw(name, required=required)
        if raw is None:
            return default
        allowed = list(choices)
        if raw not in allowed:
            shown = ", ".join(allowed[:12]) + (", …" if len(allowed) > 12 else "")
            return self._refuse(name, f"одно из значений: {shown}.", default)
        return raw

    def integers(self, name: str) -> list[int]:
        """Every value of a repeated parameter (checkboxes) that is an id; others are dropped."""
        getlist = getattr(self.data, "getlist", None)
        values = getlist(name) if getlist else [self.data.get(name)]
        return [n for n in (ascii_int(v) for v in values if isinstance(v, str)) if n]
