"""Case intake through the API under concurrent clients, against a bare one-INSERT view.

One gunicorn serves both (bench.settings: Rhythm's URLs plus the bare view), with
the worker and thread counts of `rhythm serve`. Keep-alive clients in threads hit
the baseline and the subject in alternating phases of equal length, so drift in
the machine's load falls on both alike.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal

from bench.db import ROOT

INTAKE_PATH = "/api/v1/cases"
BARE_PATH = "/bench/bare-insert"
WORKERS = 2  # `rhythm serve`'s defaults
THREADS = 4
ACCOUNTS = 40


@dataclass
class Phase:
    ok: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def make_fixture() -> tuple[str, list[bytes]]:
    """An account owner with a token, and one request body per opportunity."""
    from rhythm.catalog.models import Offering
    from rhythm.core.services import create_token
    from rhythm.customers.models import Account, Contact, Opportunity, Segment
    from rhythm.people.choices import Role
    from rhythm.people.services import create_member

    owner = create_member(
        {
            "username": "bench-ae",
            "first_name": "Bench",
            "last_name": "Owner",
            "email": "ae@bench.example",
        },
        roles=[Role.ACCOUNT_OWNER],
    )
    _token, plain = create_token(owner, "bench")
    segment = Segment.objects.create(
        name="Bench Mid-Touch", arr_floor=Decimal("0"), arr_ceiling=Decimal("500000")
    )
    accounts = Account.objects.bulk_create(
        Account(
            name=f"Intake Customer {i:03d}",
            crm_id=f"BENCH-INTAKE-{i}",
            segment=segment,
            region="AMER",
            arr=Decimal("120000"),
            lam=Decimal("400000"),
            account_owner=owner,
        )
        for i in range(ACCOUNTS)
    )
    opportunities = Opportunity.objects.bulk_create(
        Opportunity(account=a, crm_id=f"BENCH-INTAKE-OPP-{a.pk}", name=f"Expansion {a.pk}")
        for a in accounts
    )
    contacts = Contact.objects.bulk_create(
        Contact(account=a, name=f"Contact {a.pk}", email=f"c{a.pk}@customer.example")
        for a in accounts
    )
    offering = Offering.objects.active().order_by("position").first()
    assert offering is not None, "the catalog is seeded by a migration"
    bodies = [
        json.dumps(
            {
                "opportunity": opp.pk,
                "kind": "cse_help",
                "offering": offering.pk,
                "contact": contact.pk,
                "challenges": "Pipelines take 40 minutes; the team wants them under 10. " * 4,
                "opt_out_outreach": i % 5 == 0,
                "priority": "high",
                # The bodies come round again, on opportunities whose first case is
                # still open: the account owner says why, as the duplicate rule asks.
                "duplicate_reason": "Another team on this account asks for help too.",
            }
        ).encode()
        for i, (opp, contact) in enumerate(zip(opportunities, contacts, strict=True))
    ]
    return plain, bodies


def queries_per_request(token: str, body: bytes) -> tuple[int, int]:
    """Queries of one intake and of one bare request, through Django's test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = []
    for path, headers in ((INTAKE_PATH, {"Authorization": f"Bearer {token}"}), (BARE_PATH, {})):
        with CaptureQueriesContext(connection) as captured:
            response = client.post(path, body, content_type="application/json", headers=headers)
        assert response.status_code == 201, (path, response.status_code, response.content[:300])
        counts.append(len(captured))
    return counts[0], counts[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    command = [
        gunicorn,
        "bench.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WORKERS),
        "--threads",
        str(THREADS),
        "--keep-alive",
        "30",
        "--no-control-socket",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status < 500:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not answer within 30 s")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def drive(
    port: int, path: str, headers: dict[str, str], bodies: list[bytes], clients: int, seconds: float
) -> Phase:
    """`clients` keep-alive connections POST as fast as answers come, for `seconds`."""
    phase = Phase()
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]
    headers = {"Content-Type": "application/json", **headers}

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        ok, errors = 0, []
        cycle = itertools.islice(itertools.cycle(bodies), offset, None)
        start.wait()
        while time.monotonic() < stop_at[0]:
            try:
                conn.request("POST", path, next(cycle), headers)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            if response.status == 201:
                ok += 1
            else:
                errors.append(f"{response.status}: {data[:200]!r}")
        conn.close()
        with lock:
            phase.ok += ok
            phase.errors += errors

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    stop_at[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    phase.seconds = time.monotonic() - began
    return phase


def run(*, clients: int, seconds: float, rounds: int, log) -> dict:
    from django.db import connections

    token, bodies = make_fixture()
    subject_queries, bare_queries = queries_per_request(token, bodies[0])
    connections.close_all()

    port = _free_port()
    server = start_server(port)
    auth = {"Authorization": f"Bearer {token}"}
    subject, baseline = Phase(), Phase()
    try:
        # Warm both paths up: imports, connections, the first compiled queries.
        drive(port, BARE_PATH, {}, bodies, clients, 1.0)
        drive(port, INTAKE_PATH, auth, bodies, clients, 1.0)
        for n in range(rounds):
            order = [(BARE_PATH, {}, baseline), (INTAKE_PATH, auth, subject)]
            if n % 2:
                order.reverse()
            for path, headers, total in order:
                phase = drive(port, path, headers, bodies, clients, seconds)
                total.ok += phase.ok
                total.seconds += phase.seconds
                total.errors += phase.errors
                log(f"  intake round {n + 1}/{rounds} {path}: {phase.rate:,.0f} req/s")
    finally:
        stop_server(server)
    errors = subject.errors + baseline.errors
    ratio = subject.rate / baseline.rate if baseline.rate else 0.0
    return {
        "benchmark": "case intake (POST /api/v1/cases)",
        "subject": f"{subject.rate:,.0f} req/s",
        "baseline": f"bare 1-INSERT view {baseline.rate:,.0f} req/s",
        "ratio": ratio,
        "target": ">= 0.5",
        "passed": ratio >= 0.5 and not errors,
        "scale": f"{clients} clients, {WORKERS}w x {THREADS}t, {rounds}x{seconds:g}s each",
        "notes": [
            f"queries per request: intake {subject_queries}, bare {bare_queries}",
            f"requests: intake {subject.ok:,}, bare {baseline.ok:,}",
            *(f"errors: {len(errors)}, first: {errors[0]}" for _ in [0] if errors),
        ],
    }
