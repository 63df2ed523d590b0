"""One database's part of `python -m bench`, in a process whose settings name that
database: `python -m bench.run RESULTS.json BENCHMARK…` (intake, serve, cpu, board,
lists, reconcile, kpis, campaigns)."""

from __future__ import annotations

import json
import os
import sys
import time

import django

from bench import db


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> None:
    out, *which = sys.argv[1:]
    scale_name, cases = scale()
    db.recreate()
    django.setup()
    started = time.monotonic()
    db.migrate()
    database = db.describe()
    log(f"{database}: migrated in {time.monotonic() - started:.1f} s")
    rows = []
    if "intake" in which:
        from bench import intake

        rows.append(
            intake.run(
                clients=int(os.environ.get("BENCH_CLIENTS", "16")),
                seconds=float(os.environ.get("BENCH_SECONDS", "10")),
                rounds=int(os.environ.get("BENCH_ROUNDS", "3")),
                log=log,
            )
        )
    if "serve" in which:
        from bench import serve

        rows.append(
            serve.run(
                clients=int(os.environ.get("BENCH_CLIENTS", "16")),
                seconds=float(os.environ.get("BENCH_SERVE_SECONDS", "6")),
                rounds=int(os.environ.get("BENCH_ROUNDS", "3")),
                log=log,
            )
        )
    if "board" in which:
        from bench import board_time

        rows.append(board_time.run(rounds=int(os.environ.get("BENCH_ROUNDS", "3")), log=log))
    if "lists" in which:
        from bench import lists

        rows += lists.run(
            rounds=int(os.environ.get("BENCH_ROUNDS", "3")),
            divisor=int(os.environ.get("BENCH_LISTS_DIVISOR", "1")),
            log=log,
        )
    if "cpu" in which:
        from bench import intake_cpu

        rows.append(intake_cpu.run(rounds=int(os.environ.get("BENCH_CPU_ROUNDS", "5")), log=log))
    if "reconcile" in which:
        from bench import reconcile

        rows.append(
            reconcile.run(
                cases=cases,
                rounds=int(
                    os.environ.get("BENCH_RECONCILE_ROUNDS", "3" if cases <= 200_000 else "2")
                ),
                scale_name=scale_name,
                log=log,
            )
        )
    if "kpis" in which:
        from bench import kpis

        rows.append(
            kpis.run(
                requests=int(os.environ.get("BENCH_KPIS_REQUESTS", "1000000")),
                rounds=int(os.environ.get("BENCH_ROUNDS", "3")),
                log=log,
            )
        )
    if "campaigns" in which:
        from bench import campaigns

        rows += campaigns.run(log=log)
    for row in rows:
        row["database"] = database
    with open(out, "w") as handle:
        json.dump(rows, handle)


def scale() -> tuple[str, int]:
    """BENCH_SCALE: "default" (100,000 cases), "full" (1,000,000) or a number."""
    raw = os.environ.get("BENCH_SCALE", "default").strip().lower() or "default"
    if raw == "full":
        return "full", 1_000_000
    if raw == "default":
        return "default", 100_000
    return "custom", int(raw.replace("_", "").replace(",", ""))


if __name__ == "__main__":
    main()
