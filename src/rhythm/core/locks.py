"""Locks that die with their holder, and the heartbeat that shows a worker is alive.

huey's `lock_task` stores a bare flag in the queue's storage: it never expires,
names no holder, and a worker killed while holding it (SIGKILL, the OOM killer,
a lost machine) leaves the job locked for good. A `Lease` row instead names the
process that holds it and expires; while the job runs, the holder's heartbeat
thread keeps pushing the expiry on. So a lease is free again when

- its holder releases it (the job ended, however it ended), or
- its holder was a process on this machine that no longer exists (a worker
  clears those as it starts, so a restarted worker runs at once), or
- nobody renewed it for `LEASE_TTL` (its holder died on another machine).

The lease lives in the database, not the queue, so it works alike on huey's
SQLite and Redis storages and on both databases. It only saves work: every job
that takes one must stay correct when two run at once (the reconciliation is,
by its one-CTA-per-case constraint), because an expired lease of a live but
stalled holder can be taken over.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from rhythm.core import rules
from rhythm.core.models import Lease

log = logging.getLogger(__name__)

# Far longer than a heartbeat, so a live holder never loses its lease to a few
# missed beats; short enough that a holder lost with its machine blocks no
# four-hourly run.
LEASE_TTL = timedelta(minutes=5)

_identity: tuple[int, str] | None = None


def worker_id() -> str:
    """This process, as `host:pid:nonce`. The nonce tells a restarted process
    that reuses a dead one's pid from the dead one."""
    global _identity
    pid = os.getpid()
    if _identity is None or _identity[0] != pid:  # a forked child is someone else
        _identity = (pid, f"{socket.gethostname()}:{pid}:{secrets.token_hex(4)}")
    return _identity[1]


def is_dead(holder: str) -> bool:
    """Whether `holder` (a `worker_id`) is a process of this machine that is gone.

    Only this machine's processes can be asked; another machine's holder counts
    as alive until its lease expires or its heartbeat goes quiet."""
    parsed = rules.parse_worker_id(holder)
    if parsed is None:
        return False
    host, pid = parsed
    if host != socket.gethostname():
        return False
    if pid == os.getpid():
        return holder != worker_id()  # our pid, an earlier process's nonce
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, under another user
    return False


def dead_among(holders: Iterable[str]) -> list[str]:
    return [holder for holder in set(holders) if holder and is_dead(holder)]


# --- Leases -------------------------------------------------------------------


def acquire(name: str, *, ttl: timedelta = LEASE_TTL) -> bool:
    """Take the lease `name` if it is free; True when this process now holds it."""
    me, now = worker_id(), timezone.now()
    taken = {"holder": me, "acquired_at": now, "expires_at": now + ttl}
    with transaction.atomic():
        # One conditional UPDATE decides between racing takers, as the outbox claim does.
        if Lease.objects.filter(name=name, expires_at__lte=now).update(**taken):
            return True
        try:
            with transaction.atomic():
                Lease.objects.create(name=name, **taken)
        except IntegrityError:
            return False  # held, or taken by a racing worker just now
    return True


def release(name: str) -> None:
    """Give the lease up, if this process still holds it."""
    Lease.objects.filter(name=name, holder=worker_id()).update(holder="", expires_at=timezone.now())


def renew_mine(*, ttl: timedelta = LEASE_TTL) -> int:
    """Push on the expiry of every lease this process holds (the heartbeat's job)."""
    return Lease.objects.filter(holder=worker_id()).update(expires_at=timezone.now() + ttl)


def clear_dead_holders() -> list[str]:
    """Free the leases of this machine's processes that no longer exist."""
    now = timezone.now()
    held = Lease.objects.filter(expires_at__gt=now).exclude(holder="")
    freed = []
    for name, holder in held.values_list("name", "holder"):
        # Conditional on the same holder: a lease taken over meanwhile is left alone.
        if is_dead(holder) and Lease.objects.filter(name=name, holder=holder).update(
            holder="", expires_at=now
        ):
            freed.append(name)
    if freed:
        log.warning("freed lease(s) %s held by worker(s) that died", ", ".join(freed))
    return freed


@contextmanager
def lease(name: str, *, ttl: timedelta = LEASE_TTL) -> Iterator[bool]:
    """`with lease("job") as held:` — `held` says whether this process got it."""
    held = acquire(name, ttl=ttl)
    try:
        yield held
    finally:
        if held:
            release(name)


Result = TypeVar("Result")


def exclusive(name: str) -> Callable[[Callable[..., Result]], Callable[..., Result | None]]:
    """Run the decorated job only where the lease `name` is got; elsewhere it does
    nothing and returns None, since a live holder is doing the same work."""

    def decorator(job: Callable[..., Result]) -> Callable[..., Result | None]:
        @wraps(job)
        def wrapper(*args: Any, **kwargs: Any) -> Result | None:
            with lease(name) as held:
                if not held:
                    log.info("%s is running elsewhere; this run is skipped", name)
                    return None
                return job(*args, **kwargs)

        return wrapper

    return decorator


# --- The heartbeat --------------------------------------------------------------

HEARTBEAT_SECONDS = 10
_beats: list[Callable[[], object]] = []
_heart: tuple[int, threading.Thread, threading.Event] | None = None
_start_lock = threading.Lock()


def on_heartbeat(beat: Callable[[], object]) -> Callable[[], object]:
    """Register something to do on every heartbeat (renew a claim, release dead ones)."""
    if beat not in _beats:
        _beats.append(beat)
    return beat


on_heartbeat(renew_mine)


def start_heartbeat(interval: float = HEARTBEAT_SECONDS) -> bool:
    """Start this process's heartbeat thread, once; False if it already runs.

    A daemon thread: it dies with the process, which is the point — a killed
    worker stops renewing at once."""
    global _heart
    with _start_lock:
        if _heart is not None and _heart[0] == os.getpid() and _heart[1].is_alive():
            return False
        stop = threading.Event()
        thread = threading.Thread(
            target=_beat_until, args=(stop, interval), name="heartbeat", daemon=True
        )
        _heart = (os.getpid(), thread, stop)
    thread.start()
    return True


def stop_heartbeat(timeout: float = 5) -> None:
    """Stop the heartbeat (a worker stopping gracefully); its leases were released."""
    global _heart
    with _start_lock:
        heart, _heart = _heart, None
    if heart is not None and heart[0] == os.getpid():
        heart[2].set()
        heart[1].join(timeout)


def beat() -> None:
    """One heartbeat: each registered beat, each failure logged and survived."""
    for each in list(_beats):
        try:
            each()
        except Exception:  # noqa: BLE001 - a busy database must not stop the heart
            log.exception("heartbeat: %s failed", getattr(each, "__name__", each))


def _beat_until(stop: threading.Event, interval: float) -> None:
    try:
        while not stop.wait(interval):
            beat()
            # A fresh connection per beat: nothing is held open (or locked) between beats.
            connection.close()
    finally:
        connection.close()
