"""Leases: locks that die with their holder (rhythm.core.locks)."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from rhythm.core import locks, rules
from rhythm.core.models import Lease

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def _gone_pid() -> int:
    """The pid of a process of this machine that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _held_by(holder: str, *, expires_at: datetime, name: str = "job") -> Lease:
    lease, _ = Lease.objects.update_or_create(
        name=name, defaults={"holder": holder, "acquired_at": T0, "expires_at": expires_at}
    )
    return lease


def holder_of(name: str = "job") -> str:
    return Lease.objects.values_list("holder", flat=True).get(name=name)


def test_a_free_lease_is_taken_once_and_released(db):
    assert locks.acquire("job") is True
    assert holder_of() == locks.worker_id()
    assert locks.acquire("job") is False  # held, even by this very process
    locks.release("job")
    assert holder_of() == ""
    assert locks.acquire("job") is True


def test_a_live_holders_lease_is_not_taken_until_it_expires(db):
    with time_machine.travel(T0, tick=False) as clock:
        _held_by("far-away:77:beef", expires_at=T0 + locks.LEASE_TTL)
        assert locks.acquire("job") is False
        assert locks.clear_dead_holders() == []  # another machine's process: not ours to judge
        clock.shift(locks.LEASE_TTL)
        assert locks.acquire("job") is True
    assert holder_of() == locks.worker_id()


def test_the_heartbeat_keeps_a_running_jobs_lease(db):
    with time_machine.travel(T0, tick=False) as clock:
        assert locks.acquire("job")
        clock.shift(locks.LEASE_TTL - timedelta(seconds=1))
        locks.beat()
        clock.shift(timedelta(seconds=2))  # past the first expiry
        assert Lease.objects.get(name="job").expires_at > datetime.now(UTC)
        assert locks.acquire("job") is False


def test_a_process_of_this_machine_that_is_gone_holds_nothing(db):
    gone = f"{socket.gethostname()}:{_gone_pid()}:cafe"
    _held_by(gone, expires_at=datetime.now(UTC) + locks.LEASE_TTL)
    assert locks.acquire("job") is False  # until a worker starting here clears it
    assert locks.clear_dead_holders() == ["job"]
    assert locks.acquire("job") is True


def test_this_process_under_an_earlier_nonce_is_a_dead_holder():
    # A restarted worker may get its predecessor's pid back: the nonce tells them apart.
    pid_reused = locks.worker_id().rsplit(":", 1)[0] + ":0ld"
    assert locks.is_dead(pid_reused) is True
    assert locks.is_dead(locks.worker_id()) is False


def test_an_exclusive_job_runs_where_the_lease_is_got_and_is_skipped_elsewhere(db):
    runs = []

    @locks.exclusive("job")
    def job() -> str:
        runs.append(holder_of())
        return "done"

    assert job() == "done"
    assert runs == [locks.worker_id()]
    assert holder_of() == ""  # released when the job ended
    _held_by("far-away:77:beef", expires_at=datetime.now(UTC) + locks.LEASE_TTL)
    assert job() is None
    assert len(runs) == 1


def test_a_failing_exclusive_job_releases_its_lease(db):
    @locks.exclusive("job")
    def job() -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        job()
    assert holder_of() == ""


@pytest.mark.parametrize(
    ("worker", "parsed"),
    [
        ("web-1:4242:ab12", ("web-1", 4242)),
        ("[::1]:4242:ab12", ("[::1]", 4242)),
        ("web-1:notapid:ab12", None),
        ("", None),
        ("4242:ab12", None),
    ],
)
def test_worker_ids_name_their_host_and_pid(worker, parsed):
    assert rules.parse_worker_id(worker) == parsed
