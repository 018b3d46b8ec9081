"""Shares for the regional pages. Which counts of people may be shown at all is decided by the
disclosure control (regional_dashboard.disclosure) when a region's figures are published."""

from __future__ import annotations

from regional_dashboard.disclosure import SUPPRESS_BELOW

__all__ = ["SUPPRESS_BELOW", "percent"]


def percent(part: int, whole: int, digits: int | None = 1) -> float | None:
    """part / whole in per cent, rounded; None when there is no whole."""
    return round(part / whole * 100, digits) if whole else None
