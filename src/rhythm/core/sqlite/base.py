"""SQLite as Django ships it, with the write lock taken in turn by a process's threads.

Rhythm's SQLite transactions are IMMEDIATE: each takes the database's write lock
at BEGIN. When the lock is held, SQLite's busy handler makes the others sleep and
retry, with sleeps growing to 100 ms; at 16 clients on 8 threads a request could
wait seconds behind requests that came after it (`make bench`, "rhythm serve
defaults": a p99 eight times the p50). Here the threads of one process queue on
a Python lock first, which wakes the next one the moment the lock is released;
SQLite's own lock and busy timeout still order writers across processes (the
queue worker, a second server).
"""

from __future__ import annotations

import threading

from django.db.backends.sqlite3 import base
from django.db.utils import OperationalError

_turns: dict[str, threading.Lock] = {}
_turns_guard = threading.Lock()


def _turn_for(name: str) -> threading.Lock:
    with _turns_guard:
        return _turns.setdefault(name, threading.Lock())


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_turn = False

    def _start_transaction_under_autocommit(self):
        if self.transaction_mode in ("IMMEDIATE", "EXCLUSIVE") and not self.is_in_memory_db():
            turn = _turn_for(self.settings_dict["NAME"])
            timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5))
            if not turn.acquire(timeout=timeout):
                raise OperationalError("database is locked")
            self._holds_turn = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._end_turn()
            raise

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
        if self._holds_turn:
            self._holds_turn = False
            _turn_for(self.settings_dict["NAME"]).release()
