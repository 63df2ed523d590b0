"""`make bench`: every benchmark on SQLite, and on PostgreSQL when BENCH_DATABASE_URL is
set, printed as one table of ratios against baselines measured in the same run.

    python -m bench [intake] [serve] [cpu] [board] [lists] [reconcile] [kpis] [campaigns]
                   [--db sqlite|postgres]

Environment: BENCH_SCALE (default | full | a number of cases), BENCH_DATABASE_URL
(postgres://…/rhythm_bench; dropped and recreated, so its name must say "bench"),
BENCH_CLIENTS (16), BENCH_SECONDS (10) and BENCH_ROUNDS (3) for intake,
BENCH_RECONCILE_ROUNDS, BENCH_LISTS_DIVISOR (lists: a world this many times smaller,
to try it out), BENCH_KPIS_REQUESTS (kpis: 1,000,000 engagement requests unless
smaller), BENCH_CAMPAIGN_ACCOUNTS (100,000) and BENCH_IMPORT_ROWS (1,000,000) for
campaigns. The intake benchmark needs wrk on the PATH (`make bench`
installs it) and installs its peer, django-helpdesk, under var/bench/peer/.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from bench.db import ROOT, child_env

BENCHMARKS = ("intake", "serve", "cpu", "board", "lists", "reconcile", "kpis", "campaigns")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument(
        "benchmarks",
        nargs="*",
        metavar="{intake,serve,cpu,board,lists,reconcile,kpis,campaigns}",
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], action="append")
    args = parser.parse_args()
    which = args.benchmarks or list(BENCHMARKS)
    if set(which) - set(BENCHMARKS):
        parser.error(f"choose among {', '.join(BENCHMARKS)}")
    pg_url = os.environ.get("BENCH_DATABASE_URL", "").strip()
    databases = args.db or (["sqlite", "postgres"] if pg_url else ["sqlite"])
    if "postgres" in databases and not pg_url:
        parser.error("--db postgres needs BENCH_DATABASE_URL")

    rows: list[dict] = []
    failed = False
    started = time.monotonic()
    for database in databases:
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            env = child_env(pg_url if database == "postgres" else None)
            done = subprocess.run(
                [sys.executable, "-m", "bench.run", out.name, *which], cwd=ROOT, env=env
            )
            if done.returncode != 0:
                print(f"bench: the {database} run failed ({done.returncode})", file=sys.stderr)
                failed = True
                continue
            with open(out.name) as results:
                rows += json.load(results)
    print_subjects(rows)
    print_table(rows)
    print(f"\n{len(rows)} benchmark(s) in {time.monotonic() - started:.0f} s")
    return 1 if failed or not all(row["passed"] for row in rows) else 0


def print_subjects(rows: list[dict]) -> None:
    """The subjects of each benchmark that measures several (intake: the framework's
    floor, the one-row write, the peer and the use case), one line per database."""
    header = [
        "database",
        "subject",
        "req/s",
        "min",
        "max",
        "x bare",
        "p50 ms",
        "p99 ms",
        "errors",
        "201s",
        "stored",
        "queries",
    ]
    by_benchmark: dict[str, list[list[str]]] = {}
    scales: dict[str, str] = {}
    for row in rows:
        if not row.get("subjects"):
            continue
        scales.setdefault(row["benchmark"], row["scale"])
        lines = by_benchmark.setdefault(row["benchmark"], [])
        for n, subject in enumerate(row["subjects"]):
            lines.append(
                [
                    row["database"] if n == 0 else "",
                    subject["subject"],
                    f"{subject['median']:,.0f}",
                    f"{subject['min']:,.0f}",
                    f"{subject['max']:,.0f}",
                    f"{subject['of_bare']:.2f}",
                    f"{subject['p50']:.1f}",
                    f"{subject['p99']:.1f}",
                    f"{subject['errors']:,}",
                    f"{subject['acknowledged']:,}",
                    f"{subject['stored']:,}",
                    "" if subject["queries"] is None else str(subject["queries"]),
                ]
            )
    for benchmark, lines in by_benchmark.items():
        print(f"\n{benchmark}: {scales[benchmark]}; req/s is the median of the rounds")
        print_grid(header, lines, numeric=range(2, len(header)))


def print_grid(header: list[str], table: list[list[str]], numeric=()) -> None:
    widths = [max(len(line[i]) for line in [header, *table]) for i in range(len(header))]
    for n, line in enumerate([header, *table]):
        cells = [
            cell.rjust(width) if i in numeric else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        print(" | ".join(cells).rstrip())
        if n == 0:
            print("-+-".join("-" * width for width in widths))


def print_table(rows: list[dict]) -> None:
    header = ["benchmark", "database", "subject", "baseline", "ratio", "target", "result", "scale"]
    table = [
        [
            row["benchmark"],
            row["database"],
            row["subject"],
            row["baseline"],
            f"{row['ratio']:.2f}",
            row["target"],
            "pass" if row["passed"] else "FAIL",
            row["scale"],
        ]
        for row in rows
    ]
    print()
    print_grid(header, table)
    for row in rows:
        for note in row["notes"]:
            print(f"  {row['benchmark']} on {row['database']}: {note}")


if __name__ == "__main__":
    sys.exit(main())
