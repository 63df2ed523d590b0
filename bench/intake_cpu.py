"""The CPU one intake costs in-process, against the bare one-INSERT view's.

Both go through Django's WSGI handler with the same middleware, in the same
process, in alternating batches, so the ratio is the use case's own cost over the
framework's floor: no server, no client, no network in either. Process CPU time
(not wall time) is measured, so a busy neighbour moves both less.
"""

from __future__ import annotations

import gc
import io
import statistics
import time

BATCH = 200
TARGET = 12.0  # intake CPU ≤ 12× the bare view's


def _environ(path: str, body: bytes, headers: dict[str, str]) -> dict:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def _batch(handler, path: str, headers: dict[str, str], bodies: list[bytes], start: int) -> float:
    """CPU seconds per request over one batch; every answer must be a 201."""
    statuses: list[str] = []

    def start_response(status, _headers, _exc_info=None):
        statuses.append(status)

    began = time.process_time()
    for n in range(BATCH):
        body = bodies[(start + n) % len(bodies)]
        for chunk in handler(_environ(path, body, headers), start_response):
            del chunk
    spent = time.process_time() - began
    refused = [s for s in statuses if not s.startswith("201")]
    if refused:
        raise RuntimeError(f"{path}: {len(refused)} answers were not 201, first {refused[0]}")
    return spent / BATCH


def run(*, rounds: int, log) -> dict:
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from bench.intake import BARE_PATH, INTAKE_PATH, make_fixture

    token, bodies = make_fixture("cpu")
    handler = WSGIHandler()
    auth = {"Authorization": f"Bearer {token}"}
    # As a served worker runs: URLconf loaded, warm, long-lived objects frozen.
    reverse("home")
    _batch(handler, BARE_PATH, {}, bodies, 0)
    _batch(handler, INTAKE_PATH, auth, bodies, 0)
    with CaptureQueriesContext(connection) as captured:
        _batch_one = handler(_environ(INTAKE_PATH, bodies[1], auth), lambda *a: None)
        list(_batch_one)
    statements = len(captured)
    gc.freeze()

    subject: list[float] = []
    baseline: list[float] = []
    for n in range(rounds):
        order = [(BARE_PATH, {}, baseline), (INTAKE_PATH, auth, subject)]
        if n % 2:
            order.reverse()
        for path, headers, samples in order:
            samples.append(_batch(handler, path, headers, bodies, n * BATCH))
        log(
            f"  intake CPU round {n + 1}/{rounds}: intake {subject[-1] * 1000:.2f} ms,"
            f" bare {baseline[-1] * 1000:.3f} ms"
        )
    ratios = [s / b for s, b in zip(subject, baseline, strict=True)]
    ratio = statistics.median(ratios)
    return {
        "benchmark": "intake CPU in-process",
        "subject": f"intake {statistics.median(subject) * 1000:.2f} ms CPU",
        "baseline": f"bare 1-INSERT view {statistics.median(baseline) * 1000:.3f} ms CPU",
        "ratio": ratio,
        "target": f"<= {TARGET:g}",
        "passed": ratio <= TARGET,
        "scale": f"{rounds} rounds x {BATCH} requests each",
        "notes": [
            f"ratio min/median/max {min(ratios):.1f} / {ratio:.1f} / {max(ratios):.1f}",
            f"statements per intake: {statements}",
        ],
    }
