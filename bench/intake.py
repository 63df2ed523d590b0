"""Case intake under concurrent clients, against a real peer and the framework's floor.

Four subjects, each a POST answered 201, measured in alternating phases over
BENCH_ROUNDS rounds (the order reverses every other round, so drift in the
machine's load falls on all alike):

- bare: a bare Django view doing one INSERT, no auth (bench/views.py), on Rhythm's
  server, settings and middleware: the framework's floor;
- note: Rhythm's simplest authenticated write, a note on an account's timeline
  (POST /api/v1/accounts/{id}/notes, one row), with a token;
- helpdesk: django-helpdesk 2.6.1's ticket create (POST /api/tickets/, DRF with
  token auth), installed and served by bench/peer.py;
- intake: Rhythm's CS Help intake, POST /api/v1/cases (case, CTA, tasks, history,
  timeline), with a token.

Both servers run gunicorn with the same workers and threads (`rhythm serve`'s
defaults) and the same database engine and connection options. The client is wrk
(bench/intake_client.lua), one keep-alive connection per thread, timing every
request itself: in C it costs a few percent of a core where Python client threads
cost a third of one (see README, Benchmarks), and on 2 cores the client competes
with the server for CPU. After the run every subject's rows are counted against
its 201s: each acknowledged write stored once, and nothing unacknowledged.

Target: intake ≥ 1.5× helpdesk's ticket create (the median of the rounds' ratios),
with no errors.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from bench import peer as peers
from bench.servers import (
    PEER_SYNC_WORKERS,
    free_port,
    gunicorn_options,
    serve_defaults,
    start,
    start_server,
    stop_server,
    sync_worker_options,
)

INTAKE_PATH = "/api/v1/cases"
BARE_PATH = "/bench/bare-insert"
PEER_IDLE_PATH = "/login/"  # helpdesk's login page: nothing logged


ACCOUNTS = 40
TARGET = 1.5
WARM_UP_SECONDS = 2
CLIENT_SCRIPT = Path(__file__).resolve().parent / "intake_client.lua"
CHALLENGES = "Pipelines take 40 minutes; the team wants them under 10. " * 4


@dataclass(frozen=True)
class Subject:
    key: str
    label: str
    port: int
    headers: dict[str, str]
    requests: list[tuple[str, bytes]]  # (path, body), cycled through
    # What a thread GETs once its phase is over, until every thread is: a server that
    # closes each connection (sync workers) would otherwise hold a worker on the
    # connection wrk opens again after the last answer, and send nothing on.
    idle_path: str = "/healthz"


@dataclass
class Phase:
    """One wrk run against one subject."""

    ok: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line per failed request
    samples: list[str] = field(default_factory=list)  # the first refusal's answer
    client_cpu: float = 0.0  # seconds of CPU wrk used

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


@dataclass
class Totals:
    """A subject across the run: measured rounds, plus every 201 (warm-up included)
    for the count of rows stored."""

    rates: list[float] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)
    acknowledged: int = 0
    client_cpu: float = 0.0
    seconds: float = 0.0

    def add(self, phase: Phase, *, measured: bool) -> None:
        self.acknowledged += phase.ok
        self.errors += phase.errors
        self.samples += phase.samples
        if measured:
            self.rates.append(phase.rate)
            self.latencies_ms += phase.latencies_ms
            self.client_cpu += phase.client_cpu
            self.seconds += phase.seconds


# --- Fixtures ---------------------------------------------------------------------


def make_fixture(tag: str = "intake") -> tuple[str, list[bytes]]:
    """An account owner with a token, and one intake body per opportunity of theirs
    (bench/faults.py's intake scenario posts them too). `tag` keeps the rows of each
    benchmark in one run apart (`python -m bench intake cpu serve` makes three)."""
    from rhythm.catalog.models import Offering
    from rhythm.core.services import create_token
    from rhythm.customers.models import Account, Contact, Opportunity, Segment
    from rhythm.people.choices import Role
    from rhythm.people.services import create_member

    owner = create_member(
        {
            "username": f"bench-ae-{tag}",
            "first_name": "Bench",
            "last_name": "Owner",
            "email": f"ae-{tag}@bench.example",
        },
        roles=[Role.ACCOUNT_OWNER],
    )
    _token, plain = create_token(owner, "bench")
    segment = Segment.objects.create(
        name=f"Bench Mid-Touch ({tag})", arr_floor=Decimal("0"), arr_ceiling=Decimal("500000")
    )
    accounts = Account.objects.bulk_create(
        Account(
            name=f"{tag.title()} Customer {i:03d}",
            crm_id=f"BENCH-{tag.upper()}-{i}",
            segment=segment,
            region="AMER",
            arr=Decimal("120000"),
            lam=Decimal("400000"),
            account_owner=owner,
        )
        for i in range(ACCOUNTS)
    )
    opportunities = Opportunity.objects.bulk_create(
        Opportunity(account=a, crm_id=f"BENCH-{tag.upper()}-OPP-{a.pk}", name=f"Expansion {a.pk}")
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
                "challenges": CHALLENGES,
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


def note_requests(tag: str = "intake") -> list[tuple[str, bytes]]:
    """A note on each of the fixture's accounts (`make_fixture(tag)`'s)."""
    from rhythm.customers.models import Account

    text = "Call with the platform team\nThey move their pipelines to merge trains next sprint."
    accounts = Account.objects.filter(crm_id__startswith=f"BENCH-{tag.upper()}-").order_by("pk")
    return [
        (f"/api/v1/accounts/{pk}/notes", json.dumps({"text": text}).encode())
        for pk in accounts.values_list("pk", flat=True)
    ]


def ticket_requests(queue: int, domain: str = "customer.example") -> list[tuple[str, bytes]]:
    """Tickets like the intake's cases: a title, the same challenges, a submitter (at
    `domain`, which tells the two peer servers' tickets apart when they are counted)."""
    return [
        (
            peers.TICKETS_PATH,
            json.dumps(
                {
                    "queue": queue,
                    "title": f"Intake Customer {i:03d}: pipelines take 40 minutes",
                    "description": CHALLENGES,
                    "submitter_email": f"c{i}@{domain}",
                    "priority": 2,
                }
            ).encode(),
        )
        for i in range(ACCOUNTS)
    ]


def queries_per_request(token: str, requests: dict[str, tuple[str, bytes]]) -> dict[str, int]:
    """Queries of one request of each of Rhythm's subjects, through Django's test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = {}
    for key, (path, body) in requests.items():
        headers = {} if key == "bare" else {"Authorization": f"Bearer {token}"}
        with CaptureQueriesContext(connection) as captured:
            response = client.post(path, body, content_type="application/json", headers=headers)
        assert response.status_code == 201, (path, response.status_code, response.content[:300])
        counts[key] = len(captured)
    return counts


def stored_rows() -> dict[str, int]:
    """What Rhythm's subjects have written, by table."""
    from django.db import connection

    from bench.db import BARE_TABLE
    from rhythm.cases.models import Case
    from rhythm.ctas.models import Cta
    from rhythm.timeline.models import TimelineEntry
    from rhythm.timeline.services import NOTE

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {BARE_TABLE}")
        bare = cursor.fetchone()[0]
    return {
        "bare": bare,
        "note": TimelineEntry.objects.filter(kind=NOTE).count(),
        "intake": Case.objects.count(),
        "ctas": Cta.objects.filter(case__isnull=False).count(),
    }


# --- The client -------------------------------------------------------------------


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        sys.exit("bench: the intake benchmark's client is wrk: `apt-get install wrk`.")
    return found


def drive(subject: Subject, clients: int, seconds: float, workdir: Path) -> Phase:
    """`clients` wrk threads, one keep-alive connection each, POST for `seconds`."""
    bodies = workdir / f"{subject.key}.requests"
    if not bodies.exists():
        bodies.write_text("".join(f"{path}\t{body.decode()}\n" for path, body in subject.requests))
    out = Path(tempfile.mkdtemp(dir=workdir, prefix=f"{subject.key}-"))
    limit = int(seconds) + 60  # wrk is stopped once every thread has reported
    command = [wrk_path(), "-t", str(clients), "-c", str(clients), "-d", f"{limit}s"]
    command += ["--timeout", "30s", "-s", str(CLIENT_SCRIPT)]
    for name, value in {"Content-Type": "application/json", **subject.headers}.items():
        command += ["-H", f"{name}: {value}"]
    command += [f"http://127.0.0.1:{subject.port}", "--", str(bodies), str(seconds), str(out)]
    command.append(subject.idle_path)
    with (out / "wrk.out").open("w+") as stdout:
        client = subprocess.Popen(command, stdout=stdout, stderr=subprocess.STDOUT)
        # Reaped here rather than by Popen, for the CPU time wrk used (its rusage).
        while True:
            pid, status, usage = os.wait4(client.pid, os.WNOHANG)
            if pid:  # wrk ended by itself: a failed script, or its limit
                break
            if len(list(out.glob("thread-*.txt"))) == clients:
                client.send_signal(signal.SIGINT)  # wrk then joins its threads and ends
                _pid, status, usage = os.wait4(client.pid, 0)
                break
            time.sleep(0.05)
        client.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        report = stdout.read()
    phase = read_phase(out, clients, report)
    if client.returncode != 0:
        phase.errors.append(f"wrk exited with {client.returncode}: {report[-300:]!r}")
    phase.client_cpu = usage.ru_utime + usage.ru_stime
    shutil.rmtree(out)
    return phase


def read_phase(out: Path, clients: int, report: str) -> Phase:
    """The threads' reports (bench/intake_client.lua) and wrk's own socket errors."""
    phase = Phase()
    starts, ends = [], []
    for n in range(clients):
        path = out / f"thread-{n}.txt"
        if not path.exists():
            phase.errors.append(f"client thread {n}: no answer after the deadline")
            continue
        for line in path.read_text().splitlines():
            word, _, rest = line.partition(" ")
            if word == "ok":
                ok, _, start, _, end = rest.split()
                phase.ok += int(ok)
                starts.append(int(start))
                ends.append(int(end))
            elif word == "status":
                code, count = rest.split()
                phase.errors += [f"HTTP {code}"] * int(count)
            elif word == "sample":
                phase.samples.append(rest)
            elif word == "latencies":
                phase.latencies_ms += [int(us) / 1000 for us in rest.split()]
    if starts:
        phase.seconds = (max(ends) - min(starts)) / 1_000_000
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report
    )
    if sockets:
        names = ("connect", "read", "write", "timeout")
        for name, count in zip(names, map(int, sockets.groups()), strict=True):
            phase.errors += [f"socket {name} error"] * count
    return phase


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))]


def wrk_version() -> str:
    done = subprocess.run([wrk_path(), "-v"], capture_output=True, text=True)
    match = re.search(r"wrk (?:\w+/)?(\d[\w.]*)", done.stdout + done.stderr)
    return f"wrk {match.group(1)}" if match else "wrk"


# --- The run ----------------------------------------------------------------------


def run(*, clients: int, seconds: float, rounds: int, log) -> dict:
    from django.db import connections

    wrk_path()
    token, bodies = make_fixture()
    notes = note_requests()
    queries = queries_per_request(
        token,
        {"bare": (BARE_PATH, bodies[0]), "note": notes[0], "intake": (INTAKE_PATH, bodies[0])},
    )
    before = stored_rows()
    connections.close_all()
    peer = peers.prepare(log)
    tickets = ticket_requests(peer.queue)
    sync_tickets = ticket_requests(peer.queue, domain="sync.customer.example")
    queries["helpdesk"] = queries["helpdesk_sync"] = peer.queries(tickets[0][1])
    peer_before = peer.count()

    rhythm_port, peer_port, peer_sync_port = free_port(), free_port(), free_port()
    auth = {"Authorization": f"Bearer {token}"}
    subjects = [
        Subject(
            "bare",
            "bare Django view, one INSERT, no auth",
            rhythm_port,
            {},
            [(BARE_PATH, body) for body in bodies],
        ),
        Subject("note", "Rhythm one-row write (POST …/notes, token)", rhythm_port, auth, notes),
        Subject(
            "helpdesk",
            f"django-helpdesk {peers.HELPDESK_VERSION} ticket create (DRF, token)",
            peer_port,
            {"Authorization": f"Token {peer.token}"},
            tickets,
            idle_path=PEER_IDLE_PATH,
        ),
        Subject(
            "helpdesk_sync",
            f"django-helpdesk {peers.HELPDESK_VERSION} ticket create,"
            f" {PEER_SYNC_WORKERS} sync workers",
            peer_sync_port,
            {"Authorization": f"Token {peer.token}"},
            sync_tickets,
            idle_path=PEER_IDLE_PATH,
        ),
        Subject(
            "intake",
            "Rhythm intake (POST /api/v1/cases, token)",
            rhythm_port,
            auth,
            [(INTAKE_PATH, body) for body in bodies],
        ),
    ]
    servers = []
    try:
        servers.append(start_server(rhythm_port))
        servers.append(
            start(
                peer.server_command(gunicorn_options(peer_port)),
                port=peer_port,
                probe="/login/",  # helpdesk's login page: nothing logged
                cwd=peer.project,
                env=peer.env,
            )
        )
        servers.append(
            start(
                peer.server_command(sync_worker_options(peer_sync_port)),
                port=peer_sync_port,
                probe="/login/",
                cwd=peer.project,
                env=peer.env,
            )
        )
        totals = measure(subjects, clients=clients, seconds=seconds, rounds=rounds, log=log)
    finally:
        for server in servers:
            stop_server(server)

    stored, problems = check_stored(totals, before, stored_rows(), peer_before, peer.count())
    return summarize(
        subjects=subjects,
        totals=totals,
        stored=stored,
        problems=problems,
        queries=queries,
        scale=(
            f"{clients} clients ({wrk_version()}), gunicorn"
            f" {serve_defaults()[0]}w x {serve_defaults()[1]}t,"
            f" {rounds} round{'s' if rounds != 1 else ''} x {seconds:g} s alternated"
        ),
    )


def measure(
    subjects: list[Subject], *, clients: int, seconds: float, rounds: int, log, label="intake"
) -> dict[str, Totals]:
    """A warm-up phase per subject, then the rounds, alternating the order."""
    totals = {subject.key: Totals() for subject in subjects}
    workdir = Path(tempfile.mkdtemp(prefix="intake-", dir=peers.PEER_DIR.parent))
    try:
        # Imports, connections, the first compiled queries; their 201s are counted
        # against the rows too.
        for subject in subjects:
            phase = drive(subject, clients, WARM_UP_SECONDS, workdir)
            totals[subject.key].add(phase, measured=False)
        for n in range(rounds):
            for subject in subjects if n % 2 == 0 else subjects[::-1]:
                phase = drive(subject, clients, seconds, workdir)
                totals[subject.key].add(phase, measured=True)
                log(
                    f"  {label} round {n + 1}/{rounds} {subject.key}: {phase.rate:,.0f} req/s,"
                    f" p99 {percentile(phase.latencies_ms, 0.99):.0f} ms"
                    + (f", {len(phase.errors)} errors" if phase.errors else "")
                )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return totals


def check_stored(
    totals: dict[str, Totals], before: dict, after: dict, peer_before: dict, peer_after: dict
) -> tuple[dict[str, int], list[str]]:
    """Rows written per subject, and what does not match its 201s: each acknowledged
    write stored once (each case with its CTA, each ticket with its follow-up), and
    nothing that was not acknowledged."""
    stored = {key: after[key] - before[key] for key in ("bare", "note", "intake")}
    stored["helpdesk_sync"] = peer_after["sync"] - peer_before["sync"]
    stored["helpdesk"] = peer_after["tickets"] - peer_before["tickets"] - stored["helpdesk_sync"]
    problems = [
        f"{key}: {stored[key]:,} rows stored for {total.acknowledged:,} 201s"
        for key, total in totals.items()
        if stored[key] != total.acknowledged
    ]
    ctas = after["ctas"] - before["ctas"]
    if ctas != stored["intake"]:
        problems.append(f"intake: {ctas:,} CTAs for {stored['intake']:,} cases")
    if peer_after["without_followup"]:
        problems.append(f"helpdesk: {peer_after['without_followup']} tickets without follow-up")
    return stored, problems


def summarize(*, subjects, totals, stored, problems, queries, scale) -> dict:
    """The benchmark's row (for the table of targets) with its subjects' table."""
    bare = statistics.median(totals["bare"].rates) if totals["bare"].rates else 0.0
    rows = []
    for subject in subjects:
        total = totals[subject.key]
        median = statistics.median(total.rates) if total.rates else 0.0
        rows.append(
            {
                "key": subject.key,
                "subject": subject.label,
                "median": median,
                "min": min(total.rates, default=0.0),
                "max": max(total.rates, default=0.0),
                "of_bare": median / bare if bare else 0.0,
                "p50": percentile(total.latencies_ms, 0.50),
                "p99": percentile(total.latencies_ms, 0.99),
                "errors": len(total.errors),
                "acknowledged": total.acknowledged,
                "stored": stored[subject.key],
                "client_cpu": total.client_cpu / total.seconds if total.seconds else 0.0,
                "queries": queries.get(subject.key),
            }
        )
    # Each round against the peer's better server of that round.
    rhythm = totals["intake"].rates
    helpdesk = [
        max(pair)
        for pair in zip(totals["helpdesk"].rates, totals["helpdesk_sync"].rates, strict=True)
    ]
    ratios = [a / b for a, b in zip(rhythm, helpdesk, strict=True) if b]
    ratio = statistics.median(ratios) if ratios else 0.0
    errors = [e for total in totals.values() for e in total.errors]
    notes = [
        "intake / the peer's better setting per round: " + ", ".join(f"{r:.2f}" for r in ratios)
    ]
    cpu = ", ".join(f"{row['key']} {row['client_cpu']:.0%}" for row in rows)
    notes.append(f"the client's CPU, of one core: {cpu}")
    notes += problems
    for key, total in totals.items():
        if total.errors:
            first = total.samples[0] if total.samples else total.errors[0]
            notes.append(f"{key}: {len(total.errors):,} errors, the first: {first}")
    by_key = {row["key"]: row for row in rows}
    return {
        "benchmark": "case intake vs django-helpdesk",
        "subject": f"Rhythm intake {by_key['intake']['median']:,.0f} req/s",
        "baseline": "helpdesk ticket create"
        f" {max(by_key['helpdesk']['median'], by_key['helpdesk_sync']['median']):,.0f} req/s",
        "ratio": ratio,
        "target": f">= {TARGET:g}",
        "passed": ratio >= TARGET and not errors and not problems,
        "scale": scale,
        "notes": notes,
        "subjects": rows,
    }
