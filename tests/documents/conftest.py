"""Documents fixtures: the mentoring fixtures (Alpha's schema and its people)."""

from __future__ import annotations

from tests.mentoring.conftest import in_alpha

__all__ = ["in_alpha"]
