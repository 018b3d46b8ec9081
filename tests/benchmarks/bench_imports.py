"""Imports: refusing a 100,000-row XLSX, and importing 5,000 and 50,000 participants through the
upload → preview → confirm flow (the path a worker takes); time and peak memory, each against
the naive way in the same run."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.benchmarks.harness import REPO, Figure, bench_organizations, timed

IMPORT_ROWS = 5000
BIG_IMPORT_ROWS = 50_000  # the limit: the biggest organisation's bank, as the worker imports it
NAIVE_ROWS = 500  # row by row through the services; scaled to IMPORT_ROWS


def _people(rows: int, seed: int) -> list[list[str]]:
    from tenants.participants.importing import COLUMNS

    people = []
    for n in range(rows):
        pupil = n % 5 != 0
        values = {
            "Фамилия": f"Фамилия{seed}x{n}", "Имя": ["Анна", "Иван", "Мария", "Пётр"][n % 4],
            "Отчество": ["Ивановна", "Петрович", "Сергеевна"][n % 3],
            "Дата рождения": f"{n % 28 + 1:02d}.{n % 12 + 1:02d}." + str(2009 + n % 6 if pupil else 1960 + n % 38),
            "Категория": "обучающийся" if pupil else "педагог",
            "Класс / группа": f"{5 + n % 7} «А»" if pupil else "", "Должность": "" if pupil else "учитель",
            "Роль в базе": "наставляемый" if pupil else "наставник",
            "Основания": "неудовлетворительные результаты" if pupil else "",
            "Запросы": "математика; ОГЭ" if pupil else "", "Компетенции": "" if pupil else "ОГЭ; ИКТ",
            "Наставляемых не более": "" if pupil else "2", "Согласие на обработку ПДн: дата": "02.09.2025",
            "Согласие подписал законный представитель: ФИО": "Родитель Имя Отчество" if pupil else "",
            "Кем приходится": "мать" if pupil else "",
        }  # fmt: skip
        people.append([values.get(column, "") for column in COLUMNS])
    return people


def _child(*args: str, environ: dict[str, str] | None = None) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.imports_child", *args], cwd=REPO, check=True,
        capture_output=True, text=True, env={**os.environ, **(environ or {})},
    ).stdout  # fmt: skip
    return json.loads(output.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run(n_tenants: int) -> list[Figure]:
    from django_tenants.utils import tenant_context

    from tenants.participants.importing import COLUMNS, read_rows, read_table
    from tenants.participants.services import consent_add, participant_create
    from tests.core.xlsx import fast_xlsx

    folder = Path(tempfile.mkdtemp(prefix="cmn-bench-imports-"))
    big = folder / "100k.xlsx"
    header = ["Фамилия", "Имя", "Категория", "Роль в базе"]
    big.write_bytes(fast_xlsx(header, ([f"Фамилия{n}", "Иван", "обучающийся", "наставляемый"]
                                        for n in range(100_000))))  # fmt: skip
    refuse = _child("refuse", str(big))
    refuse_naive = _child("refuse-naive", str(big))
    print(
        f"  refusing a {big.stat().st_size / 1e6:.1f} MB XLSX of 100,000 rows; naive: pandas reads it whole"
    )

    flow_org, naive_org, old_org, big_org = bench_organizations(4, "imports")
    bank = folder / "bank.xlsx"
    bank.write_bytes(fast_xlsx(COLUMNS, _people(IMPORT_ROWS, seed=1)))
    # Read and written in the process measured (the same path a worker takes).
    inline = {"IMPORT_INLINE_BYTES": str(10 * 1024 * 1024), "IMPORT_INLINE_APPLY_ROWS": "100000"}
    flow = _child("import", str(bank), flow_org.schema_name, "2025", environ=inline)
    before = _child("import-naive", str(bank), old_org.schema_name, "2025")
    big_bank = folder / "bank-50k.xlsx"
    big_bank.write_bytes(fast_xlsx(COLUMNS, _people(BIG_IMPORT_ROWS, seed=3)))
    big_flow = _child(
        "import", str(big_bank), big_org.schema_name, "2025", str(BIG_IMPORT_ROWS), environ=inline
    )

    today = dt.date(2025, 10, 1)
    naive_plan = read_rows(
        read_table(fast_xlsx(COLUMNS, _people(NAIVE_ROWS, seed=2)), "n.xlsx"), today=today
    )
    with tenant_context(naive_org):

        def naive() -> None:
            for row in naive_plan.rows:
                person = participant_create(
                    academic_year=2025, data=row.data, user=None, today=today
                )
                if row.pd_consent_on:
                    consent_add(
                        participant=person, kind="personal_data", signed_on=row.pd_consent_on,
                        representative_name=row.representative_name,
                        representative_relation=row.representative_relation, user=None, today=today,
                    )  # fmt: skip

        naive_s = timed(naive) * IMPORT_ROWS / NAIVE_ROWS
    print(f"  imported {IMPORT_ROWS} rows (stored upload, preview rows, confirmation); naive: "
          f"{NAIVE_ROWS} rows through the services, scaled; memory baseline: the previous code "
          "(pandas reads the whole file, the plan held in memory)")  # fmt: skip
    return [
        Figure("import_refuse_100k_rows_s", refuse["seconds"], "s", baseline=refuse_naive["seconds"],
               ratio=refuse_naive["seconds"] / refuse["seconds"], target="< 1 s"),
        Figure("import_refuse_100k_rows_peak_mb", refuse["peak_mb"], "MB", baseline=refuse_naive["peak_mb"],
               ratio=refuse_naive["peak_mb"] / max(refuse["peak_mb"], 0.1)),
        Figure("participants_import_5000_s", flow["seconds"], "s", baseline=naive_s,
               ratio=naive_s / flow["seconds"], target="< 10 s"),
        Figure("participants_import_5000_peak_mb", flow["peak_mb"], "MB", baseline=before["peak_mb"],
               ratio=before["peak_mb"] / max(flow["peak_mb"], 0.1)),
        Figure("participants_import_5000_previous_code_s", before["seconds"], "s"),
        Figure("participants_import_50000_s", big_flow["seconds"], "s", baseline=naive_s * 10,
               ratio=naive_s * 10 / big_flow["seconds"], target="< 120 s (a worker task)"),
        Figure("participants_import_50000_peak_mb", big_flow["peak_mb"], "MB"),
    ]  # fmt: skip
