"""`rhythm serve`'s defaults against the best worker setting gunicorn offers, for intake.

Every subject is `rhythm serve` itself, on a port of its own: once with no options
(the defaults this database gets) and once per candidate `--workers/--threads`.
All are started up front (an idle server costs nothing) and driven in turn by the
intake benchmark's wrk client, the order alternating every round. Target: the
defaults' throughput within 10% of the best candidate's, and their p99 at most 3×
their p50 (no request stalls behind the others).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys

from bench import intake, servers
from bench.db import ROOT

# (workers, threads): processes beside threads, on 2 cores.
CANDIDATES = [(1, 4), (1, 8), (2, 1), (2, 2), (2, 4), (3, 1), (3, 2), (4, 1)]
WITHIN = 0.10
TAIL = 3.0


def _serve(port: int, workers: int | None, threads: int | None) -> subprocess.Popen:
    command = [sys.executable, "-m", "rhythm.cli", "serve", "--bind", f"127.0.0.1:{port}"]
    if workers is not None:
        command += ["--workers", str(workers), "--threads", str(threads)]
    env = {k: v for k, v in os.environ.items() if k != "WEB_CONCURRENCY"}  # the defaults
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    servers.wait_until_up(server, port, "/healthz")
    return server


def run(*, clients: int, seconds: float, rounds: int, log) -> dict:
    from django.db import connections

    from rhythm.core.management.commands.serve import defaults

    intake.wrk_path()
    token, bodies = intake.make_fixture("serve")
    connections.close_all()
    auth = {"Authorization": f"Bearer {token}"}
    requests = [(intake.INTAKE_PATH, body) for body in bodies]
    chosen = defaults()
    settings = [("defaults", None, None)] + [
        (f"{w}w x {t}t", w, t) for w, t in CANDIDATES if (w, t) != chosen
    ]
    running, subjects = [], []
    try:
        for key, workers, threads in settings:
            port = servers.free_port()
            running.append(_serve(port, workers, threads))
            subjects.append(intake.Subject(key, key, port, auth, requests))
        totals = intake.measure(
            subjects, clients=clients, seconds=seconds, rounds=rounds, log=log, label="serve"
        )
    finally:
        for server in running:
            servers.stop_server(server)
    medians = {k: statistics.median(t.rates) if t.rates else 0.0 for k, t in totals.items()}
    best_key = max((k for k in medians if k != "defaults"), key=medians.get)
    mine, best = medians["defaults"], max(medians[best_key], medians["defaults"])
    p50 = intake.percentile(totals["defaults"].latencies_ms, 0.50)
    p99 = intake.percentile(totals["defaults"].latencies_ms, 0.99)
    errors = sum(len(t.errors) for t in totals.values())
    ratio = mine / best if best else 0.0
    notes = [
        f"{key}: {medians[key]:,.0f} req/s (min {min(t.rates):,.0f}, max {max(t.rates):,.0f}),"
        f" p50 {intake.percentile(t.latencies_ms, 0.5):.0f} ms,"
        f" p99 {intake.percentile(t.latencies_ms, 0.99):.0f} ms"
        for key, t in totals.items()
    ]
    notes.insert(
        0, f"defaults: {chosen[0]} worker(s) x {chosen[1]} thread(s); p99/p50 {p99 / p50:.1f}"
    )
    if errors:
        notes.append(f"{errors} errors")
    return {
        "benchmark": "rhythm serve defaults (intake)",
        "subject": f"defaults {mine:,.0f} req/s, p99 {p99:.0f} ms",
        "baseline": f"best: {best_key} {medians[best_key]:,.0f} req/s",
        "ratio": ratio,
        "target": f">= {1 - WITHIN:.2f}, p99 <= {TAIL:g}x p50",
        "passed": ratio >= 1 - WITHIN and p99 <= TAIL * p50 and not errors,
        "scale": f"{clients} clients, {rounds} rounds x {seconds:g} s, {len(settings)} settings",
        "notes": notes,
    }
