"""One generator of secret tokens; the migrations that name the old defaults still load."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from django.apps import apps
from django.db import models

from core.tokens import new_token

REPO = Path(__file__).resolve().parents[2]


def test_tokens_are_long_url_safe_and_never_repeat():
    tokens = {new_token() for _ in range(1000)}
    assert len(tokens) == 1000
    assert all(len(t) >= 32 and t.replace("-", "").replace("_", "").isalnum() for t in tokens)


def _own_token_fields() -> list[tuple[str, models.CharField]]:  # type: ignore[type-arg]
    """Token fields of the platform's own apps (libraries such as django-otp keep theirs)."""
    roots = [REPO / "platform", REPO / "tenants", REPO / "regional_dashboard"]
    return [
        (model._meta.label, field)
        for model in apps.get_models()
        if any(Path(model._meta.app_config.path).is_relative_to(root) for root in roots)
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField) and field.name.endswith("token")
    ]


def test_every_secret_token_field_defaults_to_the_core_generator():
    fields = _own_token_fields()
    assert len(fields) >= 4, fields
    for label, field in fields:
        assert field.default is new_token, (label, field.name)


def test_the_models_and_their_migrations_agree():
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
