"""Run every benchmark: `make bench` (BENCH_TENANTS sets the largest tenant count)."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2] / "platform")]

from tests.benchmarks.harness import RESULTS, use_scratch_database, write_results  # noqa: E402


def main() -> int:
    n_tenants = int(os.environ.get("BENCH_TENANTS", "200"))
    # BENCH_ONLY=reminders,provisioning runs a subset (names without the bench_ prefix).
    only = {
        f"bench_{name.strip()}"
        for name in os.environ.get("BENCH_ONLY", "").split(",")
        if name.strip()
    }
    use_scratch_database()
    figures = []
    package = Path(__file__).parent
    # The reminder sweep runs before the dashboard fills the shared organisations with banks,
    # pairs and finished items; anything new runs after these.
    order = ["bench_provisioning", "bench_tenant_lookup", "bench_participants", "bench_matching",
             "bench_reminders", "bench_dashboard"]  # fmt: skip
    found = sorted(m.name for m in pkgutil.iter_modules([str(package)]))
    for module in [*[m for m in order if m in found], *[m for m in found if m not in order]]:
        if not module.startswith("bench_") or (only and module not in only):
            continue
        print(f"== {module} (BENCH_TENANTS={n_tenants})", flush=True)
        results = importlib.import_module(f"tests.benchmarks.{module}").run(n_tenants)
        from organizations.schemas import use_public_schema

        use_public_schema()  # a benchmark's requests leave the connection in a tenant schema
        for figure in results:
            print("  " + figure.line(), flush=True)
        figures.extend(results)
    write_results(figures)
    print(f"results: {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
