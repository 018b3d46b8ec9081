"""One measured import step in a fresh process (peak memory is a process's own): run by
bench_imports as `python -m tests.benchmarks.imports_child MODE PATH [SCHEMA YEAR ROWS]`."""

from __future__ import annotations

import io
import json
import resource
import sys
import time
from pathlib import Path

sys.path[:0] = [
    str(Path(__file__).resolve().parents[2] / "platform"),
    str(Path(__file__).resolve().parents[2]),
]


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss would carry the parent's over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(mode: str, path: str, schema: str = "", year: str = "", rows: str = "5000") -> None:
    import django

    django.setup()
    import pandas as pd
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_tenants.utils import schema_context

    from core import imports
    from core.tabular import TableFileError
    from tenants.participants import importing

    content = Path(path).read_bytes()
    before = _peak_mb()
    started = time.perf_counter()
    if mode == "refuse":
        try:
            importing.read_table(content, "list.xlsx")
        except TableFileError as error:
            assert "100\u00a0000 строк" in str(error), error
        else:
            raise AssertionError("the 100,000-row file was accepted")
    elif mode == "refuse-naive":  # what the import did before: the whole sheet into pandas
        frame = pd.read_excel(io.BytesIO(content), dtype=str)
        assert len(frame) > importing.MAX_ROWS
    elif mode in ("import", "import-naive"):
        with schema_context(schema):
            from organizations.models import Organization
            from tenants.participants.models import Participant

            organization = Organization.objects.get(schema_name=schema)
            from django.db import connection

            connection.set_tenant(organization)
            if mode == "import":  # the flow: stored upload, preview rows, confirmation
                job = imports.import_job_start(
                    importer=importing.ParticipantsImporter(),
                    upload=SimpleUploadedFile("bank.xlsx", content),
                    params={"academic_year": int(year)}, user=None,
                )  # fmt: skip
                confirmation = imports.import_job_confirm(job=job, user=None)
                assert confirmation.ok, confirmation.message
            else:  # before: pandas reads it all, the plan is kept whole in memory
                plan = importing.import_plan(content=content, filename="bank.xlsx",
                                             academic_year=int(year), today=organization.local_today())  # fmt: skip
                importing.import_apply(plan=plan, academic_year=int(year), user=None)
            assert Participant.objects.filter(academic_year=int(year)).count() == int(rows)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_mb": max(0.0, _peak_mb() - before)}))


if __name__ == "__main__":
    main(*sys.argv[1:])
