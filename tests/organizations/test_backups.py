"""Backup → loss → restore, in a database of the test's own (pg_dump/pg_restore of the
server's version): one organisation removed with its schema and uploads comes back serving the
same pages and the same files; the whole database dropped comes back the same way."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.faults.processes import REPO, database_of_its_own, python_env, run_module

WORLD = "tests.organizations.backup_world"


@pytest.fixture
def own_database(tmp_path):  # type: ignore[no-untyped-def]
    with database_of_its_own("backup") as (url, recreate):
        yield python_env(DATABASE_URL=url, MEDIA_ROOT=str(tmp_path / "media")), recreate


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_one_organisation_and_the_whole_platform_come_back_from_their_backups(
    own_database, tmp_path
):
    env, recreate_database = own_database
    person = json.loads(run_module(env, WORLD, "setup"))["person"]

    def pages() -> dict[str, object]:
        done = subprocess.run([sys.executable, "-m", WORLD, "pages", str(person)], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.splitlines()[-1])

    before = pages()
    assert (
        before["/participants/?bank=mentors"] == [200, True, False]
        and before["agreement"][0] == 200
    )
    assert before["/roadmap/"] == [200, False, True]
    assert "Копия организации Школа копий" in _manage(
        env, "backup", str(tmp_path / "school"), "--organization", "backup"
    )
    assert "Копия платформы (1 организаций)" in _manage(env, "backup", str(tmp_path / "all"))

    run_module(env, WORLD, "lose")  # the school, its schema and its uploads are gone
    assert pages() == {"registry": False}
    assert "восстановлена" in _manage(env, "restore", str(tmp_path / "school"), "--yes")
    assert pages() == before

    recreate_database()  # the whole database is gone
    _manage(env, "restore", str(tmp_path / "all"), "--yes")
    assert pages() == before


def test_restore_refuses_a_folder_that_is_not_a_backup(own_database, tmp_path):
    env, _ = own_database
    done = subprocess.run([sys.executable, "manage.py", "restore", str(tmp_path), "--yes"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert (
        done.returncode != 0
        and "нет manifest.json: это не резервная копия платформы" in done.stderr
    )
