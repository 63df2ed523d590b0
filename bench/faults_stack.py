"""One stack's part of `python -m bench.faults`, in a process whose settings name that
stack's database and queue: `python -m bench.faults_stack RESULTS.json SCENARIO…`."""

from __future__ import annotations

import json
import os
import sys
import time

import django

from bench import faults
from bench.db import recreate_postgresql


def recreate_database() -> None:
    """An empty database before Django connects: var/faults/ files, or the
    PostgreSQL database of FAULTS_DATABASE_URL, dropped and created afresh."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        faults.VAR_DIR.mkdir(parents=True, exist_ok=True)
        for name in ("rhythm.sqlite3", "queue.sqlite3"):
            for suffix in ("", "-wal", "-shm"):
                (faults.VAR_DIR / f"{name}{suffix}").unlink(missing_ok=True)
        return
    recreate_postgresql(url, marker="faults", variable="FAULTS_DATABASE_URL")


def main() -> None:
    out, *which = sys.argv[1:]
    recreate_database()
    django.setup()
    from django.core.management import call_command
    from huey.contrib.djhuey import HUEY

    from bench.db import describe

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    stack = describe() + (" + Redis" if os.environ.get("REDIS_URL") else " + huey SQLite")
    faults.log(f"{stack}: migrated in {time.monotonic() - started:.1f} s")
    rows = []
    try:
        for scenario in faults.SCENARIOS:
            if scenario in which:
                began = time.monotonic()
                row = getattr(faults, f"scenario_{scenario}")()
                row["stack"] = stack
                rows.append(row)
                faults.log(
                    f"{scenario}: {'pass' if row['passed'] else 'FAIL'} in"
                    f" {time.monotonic() - began:.0f} s"
                )
    finally:
        HUEY.storage.flush_all()  # this run's queue name only
    with open(out, "w") as handle:
        json.dump(rows, handle)


if __name__ == "__main__":
    main()
