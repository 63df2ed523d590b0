"""The board's server time with 300 cards more than the demo's, against the demo's own.

In-process (Django's test client, the middleware included), for a CSE manager:
the requests board whole and with lanes per CSE, alternating over rounds. The
demo is loaded and timed, then 300 requests and 300 CTAs are added
(bench.board.fill) and it is timed again in the same process: one database
cannot hold both sizes at once, so the baseline is the same board before.
The row's target is the same number of queries at both sizes; the times are what
issue 11 asks to see. A board with ten times the cards on its first screen draws
them: its time grows with the cards shown (at most 50 a column); the lists at
scale (issue 10) are measured against a page of 300 rows.
"""

from __future__ import annotations

import statistics

from django.db import connection
from django.test.utils import CaptureQueriesContext

VIEWS = ("", "lanes=cse")


def _measure(user, rounds: int) -> tuple[dict[str, float], dict[str, int]]:
    from django.test import Client
    from django.urls import reverse

    from bench.board import server_seconds

    client = Client()
    client.force_login(user)
    queries = {}
    for query in VIEWS:
        url = reverse("engagements:board") + (f"?{query}" if query else "")
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries[query] = len(captured)
    times = {query: [] for query in VIEWS}
    for n in range(rounds):
        for query in VIEWS if n % 2 == 0 else VIEWS[::-1]:
            times[query].append(server_seconds(user, query, rounds=3))
    return {q: statistics.median(t) for q, t in times.items()}, queries


def run(*, rounds: int, log) -> dict:
    from django.core.management import call_command

    from bench.board import fill
    from rhythm.people.choices import Role
    from rhythm.people.models import User

    call_command("demo", verbosity=0)
    manager = User.objects.active().with_role(Role.CSE_MANAGER).order_by("pk").first()
    demo, demo_queries = _measure(manager, rounds)
    log(f"  board on the demo: {', '.join(f'{v * 1000:.0f} ms' for v in demo.values())}")
    fill(300)
    full, full_queries = _measure(manager, rounds)
    log(f"  board +300 cards: {', '.join(f'{v * 1000:.0f} ms' for v in full.values())}")
    ratios = {q: full[q] / demo[q] for q in VIEWS}
    ratio = max(ratios.values())
    same = demo_queries == full_queries
    return {
        "benchmark": "board server time, +300 cards",
        "subject": ", ".join(f"{q or 'board'} {full[q] * 1000:.0f} ms" for q in VIEWS),
        "baseline": ", ".join(f"{q or 'board'} {demo[q] * 1000:.0f} ms (demo)" for q in VIEWS),
        "ratio": ratio,
        "target": "same queries",
        "passed": same,
        "scale": f"demo, then 300 requests and 300 CTAs more; {rounds} rounds",
        "notes": [
            f"queries (board, lanes=cse): demo {list(demo_queries.values())},"
            f" +300 {list(full_queries.values())}"
        ],
    }
