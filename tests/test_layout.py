"""The layout the design card fixes, and the `platform` trap."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_import_platform_is_the_standard_library_module():
    platform = importlib.import_module("platform")
    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    assert Path(platform.__file__).resolve().parent == stdlib
    assert callable(platform.system) and platform.system()


def test_platform_folder_is_a_source_root_not_a_package():
    assert (REPO / "platform").is_dir()
    assert not (REPO / "platform" / "__init__.py").exists()


def test_manage_py_keeps_stdlib_platform_first():
    code = "import platform, sys; print(platform.__file__); print(platform.system())"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert "site-packages" not in result.stdout.splitlines()[0]
    assert str(REPO / "platform") not in result.stdout.splitlines()[0]


def test_top_level_layout_is_as_the_design_card_says():
    for name in ["platform", "tenants", "regional_dashboard", "tasks", "deploy", "tests"]:
        assert (REPO / name).is_dir(), name
    assert (REPO / "pyproject.toml").is_file()


def test_every_source_package_is_installed_for_the_worker_and_gunicorn():
    """Celery and gunicorn import the apps without manage.py's sys.path: each package of
    `platform/` must be in pyproject's package list (a missing one stopped `make run`'s worker)."""
    packages = sorted(p.name for p in (REPO / "platform").iterdir() if (p / "__init__.py").exists())
    packages += ["tenants", "regional_dashboard", "tasks"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    code = (
        "import importlib.util, sys; "
        "print(' '.join(n for n in sys.argv[1:] if importlib.util.find_spec(n) is None))"
    )
    result = subprocess.run([sys.executable, "-c", code, *packages], cwd="/", env=env,
                            capture_output=True, text=True, check=True)  # fmt: skip
    assert result.stdout.strip() == "", f"not installed: {result.stdout.strip()}"
