"""Production settings pass Django's deployment checks; embedded services are dev-only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _production_env(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x7#kq!v2p9-production-like-secret-key-with-enough-entropy-0z8y",
        "ALLOWED_HOSTS": ".cmn.example.ru,cmn.example.ru",
        "BASE_DOMAIN": "cmn.example.ru",
    }
    env.update(extra)
    return env


def test_check_deploy_is_clean_on_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=_production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_database_and_redis_urls():
    env = _production_env()
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "DATABASE_URL and REDIS_URL must be set" in result.stderr


def test_session_cookie_covers_every_organisation_subdomain():
    code = "from django.conf import settings; print(settings.SESSION_COOKIE_DOMAIN)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=REPO,
        env=_production_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == ".cmn.example.ru"


def _setting(name: str, env: dict[str, str]) -> str:
    code = f"from django.conf import settings; print(settings.{name})"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=REPO, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout.strip()


def test_uploads_live_under_the_data_dir_unless_media_root_is_set(tmp_path):
    env = _production_env(CMN_DATA_DIR=str(tmp_path / "data"))
    env.pop("MEDIA_ROOT", None)
    assert Path(_setting("MEDIA_ROOT", env)) == tmp_path / "data" / "media"
    env["MEDIA_ROOT"] = str(tmp_path / "elsewhere")
    assert Path(_setting("MEDIA_ROOT", env)) == tmp_path / "elsewhere"


def test_without_a_data_dir_uploads_go_to_the_checkouts_data_folder():
    env = _production_env()
    env.pop("MEDIA_ROOT", None)
    env.pop("CMN_DATA_DIR", None)
    assert Path(_setting("MEDIA_ROOT", env)) == REPO / ".data" / "media"
