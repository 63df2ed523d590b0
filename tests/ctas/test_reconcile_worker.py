"""A worker killed mid-reconciliation: its lease does not outlive it, and the next run
completes with one CTA per case and nothing half-written.

Runs `rhythm worker` processes against this test's database and a queue of its own
(huey's SQLite storage, or Redis when REDIS_URL is set: CI's `-m queue` legs).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage, SqliteStorage

from rhythm.cases.choices import CaseKind
from rhythm.cases.models import Case
from rhythm.catalog.models import Offering
from rhythm.core.models import Lease
from rhythm.ctas import services as ctas
from rhythm.ctas.models import Cta, CtaTask
from rhythm.ctas.tasks import reconcile_ctas
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory, UserFactory

pytestmark = [pytest.mark.queue, pytest.mark.django_db(transaction=True)]
CASES = 4000  # a run of several batches: seconds, where the kill takes milliseconds
WAIT_SECONDS = 90


def wait_for(condition: Callable[[], bool], what: str, seconds: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"gave up after {seconds}s waiting for {what}")


@pytest.fixture
def queue(immediate_queue, tmp_path):
    """The project's HUEY on a queue of this test's own, shared with the workers."""
    name = f"rhythm-test-{uuid.uuid4().hex[:12]}"
    configured = HUEY.storage
    if settings.REDIS_URL:
        storage = RedisStorage(name=name, url=settings.REDIS_URL, read_timeout=0.2)
    else:
        storage = SqliteStorage(name=name, filename=str(tmp_path / "queue.sqlite3"))
    HUEY.immediate = False
    HUEY.storage = storage
    try:
        yield name
    finally:
        storage.flush_all()
        storage.close()
        HUEY.storage = configured
        HUEY.immediate = True


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(tmp_path: Path, queue: str) -> subprocess.Popen:
    environ = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "RHYTHM_VAR_DIR": str(tmp_path),  # the queue file of `queue`, on SQLite
        "RHYTHM_QUEUE_NAME": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    rhythm = Path(sys.executable).with_name("rhythm")
    return subprocess.Popen([str(rhythm), "worker", "--workers", "1"], env=environ)


def cases_without_a_cta(n: int) -> None:
    owner = UserFactory()
    opportunity = OpportunityFactory(account=AccountFactory(account_owner=owner))
    contact = ContactFactory(account=opportunity.account)
    offering = Offering.objects.active().first()
    Case.objects.bulk_create(
        (
            Case(
                kind=CaseKind.CSE_HELP,
                opportunity=opportunity,
                account=opportunity.account,
                offering=offering,
                contact=contact,
                challenges="Pipelines are slow.",
                opened_by=owner,
            )
            for _ in range(n)
        ),
        batch_size=1000,
    )


def lease() -> Lease | None:
    return Lease.objects.filter(name="reconcile-ctas").first()


def held_by(worker: subprocess.Popen) -> bool:
    held = lease()
    return bool(held and held.holder and held.holder.split(":")[1] == str(worker.pid))


def assert_nothing_half_written() -> None:
    steps = ctas.one_off_playbook().steps.active().count()
    tasks_per_cta = set(
        Cta.objects.annotate(n=Count("tasks")).values_list("n", flat=True).distinct()
    )
    assert tasks_per_cta <= {steps}, tasks_per_cta
    assert CtaTask.objects.filter(cta__isnull=True).count() == 0


def test_a_killed_workers_lease_is_freed_and_the_next_run_completes(queue, tmp_path):
    cases_without_a_cta(CASES)
    first = start_worker(tmp_path, queue)
    second = None
    try:
        reconcile_ctas()  # what the scheduler enqueues at 00:30, 04:30 … Pacific
        wait_for(lambda: held_by(first) or first.poll() is not None, "the worker to take the lease")
        assert first.poll() is None, "`rhythm worker` stopped on its own"

        # Killed the moment it is seen holding the lease: the run has only begun.
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=WAIT_SECONDS)
        raised_before_the_kill = Cta.objects.count()
        assert raised_before_the_kill < CASES, "the run ended before the kill"

        # What huey's lock_task left behind: a lock nobody would ever release.
        dead = lease()
        assert dead is not None and dead.holder and dead.expires_at > timezone.now()
        assert_nothing_half_written()
        assert Cta.objects.count() == raised_before_the_kill

        second = start_worker(tmp_path, queue)
        # A worker starting on this machine frees what its dead predecessor held …
        wait_for(lambda: not lease().holder, "the restarted worker to free the lease")
        # … so the next run goes ahead at once instead of being skipped.
        reconcile_ctas()
        wait_for(lambda: Cta.objects.count() == CASES, "the next run to raise every CTA")
        wait_for(lambda: not lease().holder, "the next run to release its lease")
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.send_signal(signal.SIGINT)  # huey's graceful stop
                worker.wait(timeout=WAIT_SECONDS)

    assert second.returncode == 0
    assert not ctas.cases_missing_cta().exists()
    assert Cta.objects.values("case_id").distinct().count() == CASES  # one per case
    assert_nothing_half_written()
