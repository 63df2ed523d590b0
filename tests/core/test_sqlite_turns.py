"""SQLite's writers in one process take turns on a lock that wakes the next at once
(core/sqlite/base.py), and every way out of a transaction gives the turn back."""

import threading

import pytest
from django.db import connection, connections, transaction

from rhythm.core.sqlite.base import _turn_for
from rhythm.timeline.models import TimelineEntry
from tests.factories import AccountFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's write lock; PostgreSQL locks rows"
)


def _turn():
    return _turn_for(connection.settings_dict["NAME"])


def test_a_transaction_holds_the_turn_and_commit_or_rollback_gives_it_back(transactional_db):
    account = AccountFactory()
    with transaction.atomic():
        TimelineEntry.objects.create(account=account, kind="note", title="held")
        assert _turn().locked()
    assert not _turn().locked()
    with pytest.raises(RuntimeError), transaction.atomic():
        TimelineEntry.objects.create(account=account, kind="note", title="rolled back")
        raise RuntimeError("undo")
    assert not _turn().locked()
    assert list(TimelineEntry.objects.values_list("title", flat=True)) == ["held"]


def test_concurrent_writers_all_commit_in_turn(transactional_db):
    account = AccountFactory()
    started = threading.Barrier(8)
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            started.wait()
            for m in range(10):
                with transaction.atomic():
                    TimelineEntry.objects.create(account=account, kind="note", title=f"{n}-{m}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert TimelineEntry.objects.filter(account=account).count() == 80
    assert not _turn().locked()


def test_checkpoints_deferred_restores_sqlites_own_and_writes_the_log_back(transactional_db):
    from rhythm.core import bulk

    def autocheckpoint() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            return cursor.fetchone()[0]

    before = autocheckpoint()
    account = AccountFactory()
    with bulk.checkpoints_deferred():
        assert autocheckpoint() == 0
        for n in range(3):
            with transaction.atomic():
                TimelineEntry.objects.create(account=account, kind="note", title=f"batch {n}")
    assert autocheckpoint() == before
    with connection.cursor() as cursor:  # nothing left in the log to copy back
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        busy, log_pages, copied = cursor.fetchone()
    assert busy == 0 and log_pages == copied


def test_a_second_process_waits_for_the_file_turn_and_takes_it_once_released(tmp_path):
    """Processes take turns on the file lock: refused while another holds it, taken
    as soon as it is let go."""
    import subprocess
    import sys
    import time

    from rhythm.core.sqlite.base import _ProcessTurn

    path = str(tmp_path / "rhythm.sqlite3.writer")
    mine = _ProcessTurn(path)
    assert mine.acquire(time.monotonic() + 1)
    other = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from rhythm.core.sqlite.base import _ProcessTurn\n"
            f"turn = _ProcessTurn({path!r})\n"
            "print('taken' if turn.acquire(time.monotonic() + 0.2) else 'refused', flush=True)\n"
            "print('taken' if turn.acquire(time.monotonic() + 30) else 'refused', flush=True)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout.readline().strip() == "refused"
        mine.release()
        assert other.stdout.readline().strip() == "taken"
    finally:
        other.wait(timeout=30)
    assert other.returncode == 0
