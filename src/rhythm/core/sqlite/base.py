"""SQLite as Django ships it, with the write lock taken in turn by every writer.

Rhythm's SQLite transactions are IMMEDIATE: each takes the database's write lock
at BEGIN. When the lock is held, SQLite's busy handler makes the others sleep and
retry, with sleeps of 1, 2, 5, 10 … growing to 100 ms; a writer that finds the lock
taken for the 2 ms an intake holds it sleeps longer than the whole transaction, and
at 16 clients a request could wait seconds behind requests that came after it
(`make bench`, "rhythm serve defaults": a p99 eight times the p50). So writers
queue before SQLite sees them, in two steps:

- the threads of one process on a Python lock, which wakes the next one the moment
  the lock is released;
- the processes (the server's workers, the queue worker, a command) on an advisory
  lock on a file beside the database, `<name>.writer`, tried every 50 µs to 0.5 ms
  until the busy timeout: a waiting process starts within half a millisecond of the
  last commit instead of SQLite's next sleep.

SQLite's own lock and busy timeout still order any writer that does not take part
(the sqlite3 shell, a platform without fcntl).
"""

from __future__ import annotations

import os
import threading
import time

from django.db.backends.sqlite3 import base
from django.db.utils import OperationalError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: SQLite's busy handler alone
    fcntl = None  # type: ignore[assignment]

_turns: dict[str, threading.Lock] = {}
_files: dict[str, _ProcessTurn] = {}
_turns_guard = threading.Lock()

# A waiting process's first and longest pause between tries for the file lock.
FIRST_PAUSE_SECONDS = 0.00005
LONGEST_PAUSE_SECONDS = 0.0005


class _ProcessTurn:
    """The writer's turn among processes: an exclusive flock on `path`. Held by at
    most one thread of this process at a time (the thread lock comes first), so one
    descriptor per process serves them all; it is reopened after a fork, since a
    forked child shares its parent's open file and so its lock."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.pid: int | None = None
        self.descriptor = -1

    def _open(self) -> int:
        if self.pid != os.getpid():
            self.descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self.pid = os.getpid()
        return self.descriptor

    def acquire(self, deadline: float) -> bool:
        descriptor = self._open()
        pause = FIRST_PAUSE_SECONDS
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE_SECONDS)

    def release(self) -> None:
        fcntl.flock(self.descriptor, fcntl.LOCK_UN)


def _turn_for(name: str) -> threading.Lock:
    with _turns_guard:
        return _turns.setdefault(name, threading.Lock())


def _file_turn_for(name: str) -> _ProcessTurn:
    with _turns_guard:
        return _files.setdefault(name, _ProcessTurn(f"{name}.writer"))


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_turn = False
    _holds_file_turn = False

    def _start_transaction_under_autocommit(self):
        if self.transaction_mode in ("IMMEDIATE", "EXCLUSIVE") and not self.is_in_memory_db():
            self._take_turn()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._end_turn()
            raise

    def _take_turn(self) -> None:
        name = self.settings_dict["NAME"]
        timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5))
        deadline = time.monotonic() + timeout
        if not _turn_for(name).acquire(timeout=timeout):
            raise OperationalError("database is locked")
        self._holds_turn = True
        if fcntl is None:
            return
        if not _file_turn_for(name).acquire(deadline):
            self._end_turn()
            raise OperationalError("database is locked")
        self._holds_file_turn = True

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._end_turn()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._end_turn()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._end_turn()

    def _end_turn(self) -> None:
        name = self.settings_dict["NAME"]
        if self._holds_file_turn:
            self._holds_file_turn = False
            _file_turn_for(name).release()
        if self._holds_turn:
            self._holds_turn = False
            _turn_for(name).release()
