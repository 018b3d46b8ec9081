"""What the database would refuse, said in Russian before it is asked: the preview of an import
and a form check the same column limits the confirmation meets."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models


def too_long(model: type[models.Model], values: dict[str, Any]) -> dict[str, str]:
    """Field → Russian message for each text longer than its column (or a list item longer
    than the column's items): what the database would refuse, said before it is asked."""
    errors: dict[str, str] = {}
    for name, value in values.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        limit = getattr(field, "max_length", None)
        items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        if limit is None and isinstance(value, list):
            limit = getattr(getattr(field, "base_field", None), "max_length", None)
        longest = max((len(v) for v in items if isinstance(v, str)), default=0)
        if limit and longest > limit:
            errors[name] = f"не длиннее {limit} символов (сейчас {longest}) — сократите."
    return errors
