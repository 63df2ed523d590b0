"""`make faults`: kill workers with SIGKILL mid-work and check that nothing is lost,
doubled or stuck. Loopback only, bounded in time, non-zero exit on any failure.

    python -m bench.faults [email] [reconcile] [intake]

Each stack runs in a process of its own whose settings name it: SQLite with huey's
SQLite storage (under var/faults/, recreated), and PostgreSQL with Redis when
FAULTS_DATABASE_URL and FAULTS_REDIS_URL are set (the database is dropped and
recreated, so its name must say "faults"; the queue gets a name of its own).

- email: FAULTS_EMAILS messages (300) through `rhythm worker` into an SMTP sink on
  loopback (aiosmtpd), which SIGKILLs the worker while it holds a message's DATA,
  FAULTS_EMAIL_KILLS times (1), restarting it each time. Every message must arrive,
  any second copy with the same Message-ID, and nothing be left `sending` a minute
  after the last restart.
- reconcile: FAULTS_CASES CSE-help cases without a CTA (20,000); the worker is
  SIGKILLed a third of the way through the reconciliation and restarted; the next
  run must complete: one CTA per case, none half-written, the lease released.
- intake: FAULTS_CLIENTS clients (8) POST /api/v1/cases with an Idempotency-Key for
  FAULTS_INTAKE_SECONDS (15), retrying a request whose connection broke, while a
  gunicorn worker is SIGKILLed every FAULTS_WEB_KILL_EVERY seconds (1.5). Every
  acknowledged case must be stored once, with its CTA, and no answer be a 5xx.

FAULTS_TIMEOUT (180) bounds each wait; passing it is a stall, and fails the run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from email import message_from_bytes
from pathlib import Path

from bench.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var" / "faults"
SCENARIOS = ("email", "reconcile", "intake")


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, "").replace("_", "") or default)


def env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, "") or default)


TIMEOUT = env_float("FAULTS_TIMEOUT", 180)


def log(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


# --- The driver: one child process per stack -----------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faults")
    parser.add_argument("scenarios", nargs="*", metavar="{email,reconcile,intake}")
    parser.add_argument("--stack", choices=["sqlite", "postgres"], action="append")
    args = parser.parse_args()
    which = args.scenarios or list(SCENARIOS)
    if set(which) - set(SCENARIOS):
        parser.error(f"choose among {', '.join(SCENARIOS)}")
    pg_url = os.environ.get("FAULTS_DATABASE_URL", "").strip()
    redis_url = os.environ.get("FAULTS_REDIS_URL", "").strip()
    stacks = args.stack or (["sqlite", "postgres"] if pg_url and redis_url else ["sqlite"])
    if "postgres" in stacks and not (pg_url and redis_url):
        parser.error("--stack postgres needs FAULTS_DATABASE_URL and FAULTS_REDIS_URL")
    if "postgres" not in stacks:
        print("faults: PostgreSQL + Redis skipped (set FAULTS_DATABASE_URL and FAULTS_REDIS_URL)")

    rows: list[dict] = []
    failed = False
    started = time.monotonic()
    for stack in stacks:
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            env = child_env(
                pg_url if stack == "postgres" else "", redis_url if stack == "postgres" else ""
            )
            print(f"faults on {stack}:", file=sys.stderr, flush=True)
            done = subprocess.run(
                [sys.executable, "-m", "bench.faults_stack", out.name, *which], cwd=ROOT, env=env
            )
            if done.returncode != 0:
                print(f"faults: the {stack} run failed ({done.returncode})", file=sys.stderr)
                failed = True
                continue
            with open(out.name) as results:
                rows += json.load(results)
    print()
    for row in rows:
        verdict = "pass" if row["passed"] else "FAIL"
        print(f"{verdict}  {row['scenario']:<10} {row['stack']:<22} {row['summary']}")
        for problem in row["problems"]:
            print(f"      problem: {problem}")
    print(f"\n{len(rows)} scenario run(s) in {time.monotonic() - started:.0f} s")
    return 1 if failed or not rows or not all(row["passed"] for row in rows) else 0


def child_env(database_url: str, redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL", "RHYTHM_DEBUG", "EMAIL_HOST", "EMAIL_BACKEND"):
        env.pop(name, None)
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    env["RHYTHM_VAR_DIR"] = str(VAR_DIR)
    env["RHYTHM_LOG_LEVEL"] = "WARNING"
    env["RHYTHM_QUEUE_NAME"] = f"rhythm-faults-{uuid.uuid4().hex[:8]}"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if database_url:
        env["DATABASE_URL"] = database_url
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


# --- Helpers the scenarios share ---------------------------------------------------------


def wait_for(condition: Callable[[], bool], what: str, seconds: float = TIMEOUT) -> float:
    """Poll until `condition()`; the seconds it took. A stall raises Stalled."""
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        if condition():
            return time.monotonic() - began
        time.sleep(0.05)
    raise Stalled(f"stalled: no {what} within {seconds:.0f} s")


class Stalled(Exception):
    pass


def start_worker(extra_env: dict[str, str] | None = None, workers: int = 2) -> subprocess.Popen:
    env = {**os.environ, **(extra_env or {})}
    return subprocess.Popen(
        [sys.executable, "-m", "rhythm.cli", "worker", "--workers", str(workers)],
        cwd=ROOT,
        env=env,
    )


def kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # huey's graceful stop
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill(process)


# --- email ---------------------------------------------------------------------------------


class Sink:
    """An SMTP server on loopback that keeps every copy it is handed, and SIGKILLs the
    worker sending it while it holds the DATA of the messages numbered in `kill_at`:
    the worst moment, when the server has the message and the worker never hears so."""

    def __init__(self, kill_at: set[int]):
        from aiosmtpd.controller import Controller

        self.copies: list[tuple[str, str]] = []  # (Message-ID, X-Rhythm-Message-Key)
        self.kill_at = set(kill_at)
        self.worker: subprocess.Popen | None = None
        self.kills = 0
        self._lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    def __enter__(self) -> Sink:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return self.controller.port

    async def handle_DATA(self, server, session, envelope) -> str:
        parsed = message_from_bytes(envelope.content)
        with self._lock:
            self.copies.append((parsed["Message-ID"] or "", parsed["X-Rhythm-Message-Key"] or ""))
            count = len(self.copies)
            victim = self.worker if count in self.kill_at else None
        if victim is not None and victim.poll() is None:
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            self.kills += 1
        return "250 OK"


def scenario_email() -> dict:
    from django.db import transaction

    from rhythm.core import services
    from rhythm.core.choices import MessageStatus
    from rhythm.core.models import OutboundMessage

    n = env_int("FAULTS_EMAILS", 300)
    kills = env_int("FAULTS_EMAIL_KILLS", 1)
    kill_at = {n * (k + 1) // (kills + 1) for k in range(kills)}
    keys = [f"faults:{i}" for i in range(n)]
    with transaction.atomic():  # the tasks are queued as it commits, with no worker yet
        for key in keys:
            services.enqueue_email(
                key=key, to=["ana@customer.example"], subject=key, body_text="Hello."
            )
    expected = {
        key: services.message_id_header(OutboundMessage.objects.get(idempotency_key=key))
        for key in keys
    }
    assert len(set(expected.values())) == n
    sending = OutboundMessage.objects.filter(status=MessageStatus.SENDING)
    problems: list[str] = []
    began = time.monotonic()
    with Sink(kill_at) as sink:
        smtp = {
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(sink.port),
            "EMAIL_USE_TLS": "0",
            "EMAIL_TIMEOUT": "10",
        }
        sink.worker = worker = start_worker(smtp)
        cleared: list[float] = []
        try:
            for k in range(kills):
                dead = worker
                wait_for(lambda dead=dead: dead.poll() is not None, f"kill {k + 1} of the worker")
                held = sending.filter(claimed_by__contains=f":{dead.pid}:")
                log(
                    f"email: worker SIGKILLed at copy {len(sink.copies)} holding"
                    f" {held.count()} claim(s); restarting it"
                )
                sink.worker = worker = start_worker(smtp)
                # Its claims must go back in line within a minute (here: as it starts).
                cleared.append(wait_for(lambda held=held: not held.exists(), "release", 60))
            sent = OutboundMessage.objects.filter(status=MessageStatus.SENT)
            took = wait_for(lambda: sent.count() == n, f"delivery of all {n} messages")
            if sending.exists():
                problems.append(f"{sending.count()} message(s) still `sending`")
        except Stalled as exc:
            problems.append(str(exc))
            took = time.monotonic() - began
        finally:
            stop(worker)
    copies = Counter(sink.copies)
    got = {key for _, key in copies}
    lost = set(keys) - got
    wrong = [(mid, key) for mid, key in copies if expected.get(key) != mid]
    duplicates = sum(c - 1 for c in copies.values())
    unknown = OutboundMessage.objects.filter(unknown_outcomes__gt=0).count()
    if sink.kills != kills:
        problems.append(f"the sink killed the worker {sink.kills} time(s), not {kills}")
    if lost:
        problems.append(f"{len(lost)} message(s) never arrived, e.g. {sorted(lost)[:3]}")
    if wrong:
        problems.append(f"{len(wrong)} copies with another Message-ID, e.g. {wrong[:2]}")
    if duplicates and not unknown:
        problems.append("a second copy was sent but no message is marked resent")
    if len(copies) != n:
        problems.append(f"{len(copies)} distinct (Message-ID, key) pairs for {n} messages")
    return {
        "scenario": "email",
        "passed": not problems,
        "problems": problems,
        "summary": (
            f"{n} messages, {sink.kills} SIGKILL(s) mid-DATA: {len(sink.copies)} copies received,"
            f" {len(got)} distinct, {duplicates} duplicate(s) (same Message-ID),"
            f" {unknown} marked resent; dead claims released in"
            f" {', '.join(f'{c:.1f}' for c in cleared) or '-'} s; all sent in {took:.1f} s"
        ),
    }


# --- reconcile ---------------------------------------------------------------------------


def make_cases(n: int) -> None:
    """n CSE-help cases without a CTA, a hundred to an account, written set-based."""
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.reconcile import LONG_NAME, _series
    from rhythm.catalog.models import Offering
    from rhythm.customers.models import Account, Contact, Opportunity, Segment
    from rhythm.people.choices import Role
    from rhythm.people.services import create_member

    owner = create_member(
        {"username": "faults-ae", "email": "ae@faults.example"}, roles=[Role.ACCOUNT_OWNER]
    )
    segment = Segment.objects.create(name="Faults", arr_floor=0, arr_ceiling=1_000_000)
    offering = Offering.objects.active().order_by("position").first()
    assert offering is not None
    accounts = max(1, n // 100)
    with transaction.atomic():
        made = Account.objects.bulk_create(
            Account(
                name=(LONG_NAME if i % 7 == 0 else "Customer") + f" {i:06d}",
                crm_id=f"FAULTS-{i}",
                segment=segment,
                region="AMER",
                arr=120000,
                lam=400000,
                account_owner=owner,
            )
            for i in range(accounts)
        )
        opportunities = Opportunity.objects.bulk_create(
            Opportunity(account=a, crm_id=f"FAULTS-OPP-{a.pk}", name="Renewal") for a in made
        )
        contacts = Contact.objects.bulk_create(
            Contact(account=a, name="Pat", email=f"p{a.pk}@customer.example") for a in made
        )
    with_clause, series = _series(connection.vendor, n)
    first = made[0].pk, opportunities[0].pk, contacts[0].pk
    assert [a.pk for a in made] == list(range(first[0], first[0] + accounts))
    created = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO cases_case (created_at, updated_at, archived_at, kind,
                    opportunity_id, account_id, offering_id, contact_id, challenges,
                    opt_out_outreach, priority, status, opened_by_id, idempotency_key,
                    duplicate_reason)
                {with_clause}
                SELECT %(t)s, %(t)s, NULL, 'cse_help', %(opp)s + x / 100, %(acc)s + x / 100,
                    %(offering)s, %(contact)s + x / 100, 'Pipelines are slow.', x %% 5 = 0,
                    'medium', 'open', %(owner)s, NULL, ''
                FROM {series} ORDER BY x""",
            {
                "t": created,
                "acc": first[0],
                "opp": first[1],
                "contact": first[2],
                "offering": offering.pk,
                "owner": owner.pk,
            },
        )


def half_written() -> list[str]:
    """CTAs missing any row a reconciliation batch writes with them."""
    from django.db.models import Count

    from rhythm.ctas import services as ctas
    from rhythm.ctas.models import Cta
    from rhythm.timeline.models import TimelineEntry

    playbook = ctas.one_off_playbook()
    steps = playbook.steps.active().count() if playbook else 0
    problems = []
    wrong_tasks = Cta.objects.annotate(n=Count("tasks")).exclude(n=steps).count()
    if wrong_tasks:
        problems.append(f"{wrong_tasks} CTA(s) without their {steps} tasks")
    ctas_count = Cta.objects.count()
    history = Cta.history.filter(history_type="+").count()
    timeline = TimelineEntry.objects.filter(kind="cta").count()
    if history != ctas_count:
        problems.append(f"{ctas_count} CTAs but {history} history rows")
    if timeline != ctas_count:
        problems.append(f"{ctas_count} CTAs but {timeline} timeline entries")
    return problems


def scenario_reconcile() -> dict:
    from rhythm.core.models import Lease
    from rhythm.ctas import services as ctas
    from rhythm.ctas.models import Cta
    from rhythm.ctas.tasks import reconcile_ctas

    n = env_int("FAULTS_CASES", 20_000)
    began = time.monotonic()
    make_cases(n)
    log(f"reconcile: {n:,} cases without a CTA in {time.monotonic() - began:.1f} s")

    def lease() -> Lease | None:
        return Lease.objects.filter(name="reconcile-ctas").first()

    problems: list[str] = []
    worker = start_worker()
    summary = ""
    try:
        reconcile_ctas()  # what the scheduler enqueues at its times
        wait_for(lambda: Cta.objects.count() >= n // 3, "progress of the first run")
        dead = lease()
        kill(worker)
        done_before = Cta.objects.count()
        log(f"reconcile: worker SIGKILLed with {done_before:,} of {n:,} CTAs raised")
        if done_before >= n:
            problems.append("the first run finished before the kill: nothing was proven")
        if not (dead and dead.holder and dead.holder.split(":")[1] == str(worker.pid)):
            problems.append(f"the running worker did not hold the lease ({dead})")
        problems += half_written()

        restarted = time.monotonic()
        worker = start_worker()
        wait_for(lambda: not lease().holder, "release of the dead worker's lease", 60)
        freed = time.monotonic() - restarted
        reconcile_ctas()  # the next scheduled run
        took = wait_for(lambda: Cta.objects.count() >= n, "completion of the next run")
        wait_for(lambda: not lease().holder, "release of the lease after the run", 60)
        summary = (
            f"{n:,} cases; SIGKILL at {done_before:,} CTAs; lease freed {freed:.1f} s after"
            f" restart; next run completed in {took:.1f} s"
        )
    except Stalled as exc:
        problems.append(str(exc))
    finally:
        stop(worker)
    total, per_case = Cta.objects.count(), Cta.objects.values("case_id").distinct().count()
    if total != n or per_case != n or ctas.cases_missing_cta().exists():
        problems.append(f"{total} CTAs for {per_case} of {n} cases")
    problems += half_written()
    return {
        "scenario": "reconcile",
        "passed": not problems,
        "problems": problems,
        "summary": summary + f"; {per_case:,} cases with one CTA each",
    }


# --- intake ------------------------------------------------------------------------------


def gunicorn_workers(master: int) -> list[int]:
    try:
        with open(f"/proc/{master}/task/{master}/children") as children:
            return [int(pid) for pid in children.read().split()]
    except OSError:
        return []


def scenario_intake() -> dict:
    from django.db import connections

    from bench.intake import make_fixture
    from bench.servers import start_server, stop_server
    from rhythm.cases.models import Case

    clients = env_int("FAULTS_CLIENTS", 8)
    seconds = env_float("FAULTS_INTAKE_SECONDS", 15)
    kill_every = env_float("FAULTS_WEB_KILL_EVERY", 1.5)
    token, bodies = make_fixture()
    connections.close_all()
    port = free_port()
    server = start_server(port)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    acked: dict[str, int] = {}
    server_errors: list[str] = []
    gave_up: list[str] = []
    retries = Counter[str]()
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = offset
        while time.monotonic() < stop_at:
            key, body = str(uuid.uuid4()), bodies[n % len(bodies)]
            n += 1
            deadline = time.monotonic() + TIMEOUT / 3
            while True:
                try:
                    conn.request("POST", "/api/v1/cases", body, {**headers, "Idempotency-Key": key})
                    response = conn.getresponse()
                    data = response.read()
                except (OSError, http.client.HTTPException):
                    # The worker died under the request: the same key again is safe.
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    with lock:
                        retries["connection"] += 1
                    if time.monotonic() > deadline:
                        with lock:
                            gave_up.append(key)
                        break
                    time.sleep(0.05)
                    continue
                with lock:
                    if response.status in (200, 201):
                        acked[key] = json.loads(data)["id"]
                        retries["replayed"] += response.status == 200
                    elif response.status >= 500:
                        server_errors.append(f"{response.status}: {data[:120]!r}")
                    else:
                        server_errors.append(f"unexpected {response.status}: {data[:120]!r}")
                break
        conn.close()

    killed = 0

    def killer() -> None:
        nonlocal killed
        while time.monotonic() < stop_at - kill_every / 2:
            time.sleep(kill_every)
            pids = gunicorn_workers(server.pid)
            if pids:
                try:
                    os.kill(random.choice(pids), signal.SIGKILL)
                    killed += 1
                except ProcessLookupError:
                    pass

    threads = [threading.Thread(target=client, args=(i * 5,)) for i in range(clients)]
    threads.append(threading.Thread(target=killer))
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=seconds + TIMEOUT)
    finally:
        stop_server(server)
    problems: list[str] = []
    if any(thread.is_alive() for thread in threads):
        problems.append("stalled: a client never finished")
    stored = [
        case
        for case in Case.objects.filter(idempotency_key__isnull=False).select_related("cta")
        if case.idempotency_key in acked
    ]
    by_key = {case.idempotency_key: case for case in stored}
    missing = [key for key in acked if key not in by_key]
    moved = [key for key, pk in acked.items() if key in by_key and by_key[key].pk != pk]
    no_cta = [case.pk for case in stored if getattr(case, "cta", None) is None]
    told = set(acked) | set(gave_up)
    keyed = Case.objects.filter(idempotency_key__isnull=False)
    extra = sum(key not in told for key in keyed.values_list("idempotency_key", flat=True))
    if server_errors:
        problems.append(f"{len(server_errors)} error answer(s), first: {server_errors[0]}")
    if gave_up:
        problems.append(f"{len(gave_up)} request(s) never acknowledged")
    if missing or moved:
        problems.append(
            f"acknowledged but not stored: {len(missing)}, stored twice/moved: {len(moved)}"
        )
    if no_cta:
        problems.append(f"{len(no_cta)} acknowledged case(s) without a CTA")
    if extra > 0:
        problems.append(f"{extra} case(s) stored that no client was told about")
    if killed == 0:
        problems.append("no web worker was killed: nothing was proven")
    return {
        "scenario": "intake",
        "passed": not problems,
        "problems": problems,
        "summary": (
            f"{clients} clients for {seconds:g} s, {killed} web worker SIGKILL(s):"
            f" {len(acked):,} cases acknowledged and stored once with a CTA,"
            f" {retries['connection']} retried after a broken connection"
            f" ({retries['replayed']} answered as replays), {len(server_errors)} 5xx"
        ),
    }


if __name__ == "__main__":
    sys.exit(main())
