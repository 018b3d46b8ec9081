"""Small-cell suppression: a count of 1–4 people (or of pairs, which are people) is never shown.

Zero is shown: it names nobody. Sums over several organisations are suppressed the same way
when they are small, so a municipality with one tiny school does not reveal it either.
"""

from __future__ import annotations

SUPPRESS_BELOW = 5
SUPPRESSED = "< 5"


def suppressed(value: int | None) -> int | str | None:
    if value is None:
        return None
    return SUPPRESSED if 0 < value < SUPPRESS_BELOW else value


def suppress_mapping(counts: dict[str, int]) -> dict[str, int | str | None]:
    return {label: suppressed(n) for label, n in counts.items()}


def percent(part: int, whole: int, digits: int | None = 1) -> float | None:
    """part / whole in per cent, rounded; None when there is no whole."""
    return round(part / whole * 100, digits) if whole else None


def share(part: int, whole: int) -> float | None:
    """A percentage of people, or None when it would reveal a small group (or there is no
    whole)."""
    return None if 0 < part < SUPPRESS_BELOW else percent(part, whole)
