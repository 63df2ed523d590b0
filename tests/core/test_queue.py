"""The task queue with a real worker: on huey's SQLite storage, and on Redis when REDIS_URL is set.

CI runs this module a second time with REDIS_URL (and DATABASE_URL) set, so the same
tests prove both storages. Each test gets its own queue (a temporary file, or a
unique Redis queue name), so runs never see each other's tasks.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from huey import RedisHuey, SqliteHuey
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage, SqliteStorage

from rhythm.core import services, tasks
from rhythm.core.choices import MessageStatus
from rhythm.core.models import OutboundMessage

# All of it: CI's Redis leg runs `-m queue` only.
pytestmark = pytest.mark.queue
WAIT_SECONDS = 30
# Real commits, seen by other threads and processes. (Afterwards the tables are
# flushed and post_migrate fills in the role groups and catalog again.)
committed = pytest.mark.django_db(transaction=True)


def wait_for(condition: Callable[[], bool], what: str, seconds: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"gave up after {seconds}s waiting for {what}")


@pytest.fixture
def queue_name() -> str:
    return f"rhythm-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def real_queue(immediate_queue, tmp_path, queue_name) -> Iterator:
    """HUEY out of immediate mode, on a queue of this test's own."""
    HUEY.immediate = False
    configured = HUEY.storage
    if settings.REDIS_URL:
        storage = RedisStorage(name=queue_name, url=settings.REDIS_URL, read_timeout=0.2)
    else:
        storage = SqliteStorage(name=queue_name, filename=str(tmp_path / "queue.sqlite3"))
    HUEY.storage = storage
    try:
        yield HUEY
    finally:
        storage.flush_all()
        storage.close()
        HUEY.storage = configured
        HUEY.immediate = True


@contextmanager
def consumer(huey, *, periodic: bool = False):
    """A real huey consumer (its scheduler and a worker thread) inside this process."""
    worker = huey.create_consumer(
        workers=1,
        worker_type="thread",
        periodic=periodic,
        initial_delay=0.05,
        max_delay=0.2,
        check_worker_health=False,
    )
    # start() takes over SIGINT/SIGTERM/SIGHUP for a consumer process; pytest
    # keeps its own.
    handlers = {
        sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    }
    worker.start()
    for sig, handler in handlers.items():
        signal.signal(sig, handler)
    try:
        yield worker
    finally:
        worker.stop(graceful=True)


def enqueue_committed(key: str = "queue:1") -> OutboundMessage:
    with transaction.atomic():
        return services.enqueue_email(
            key=key,
            to=["ana@customer.example"],
            subject="Through the queue",
            body_text="Plain.",
            body_html="<p>Rich.</p>",
        )


def status(message: OutboundMessage) -> str:
    return OutboundMessage.objects.values_list("status", flat=True).get(pk=message.pk)


# --- configuration ------------------------------------------------------------


def test_the_configured_storage_follows_redis_url():
    # The storage the settings chose, before any test swapped in its own queue.
    if settings.REDIS_URL:
        assert isinstance(HUEY, RedisHuey)
        assert settings.HUEY["url"] == settings.REDIS_URL
    else:
        assert isinstance(HUEY, SqliteHuey)
        assert Path(settings.HUEY["filename"]).parent == settings.VAR_DIR


def test_the_outbox_sweeper_is_scheduled_every_minute():
    periodic = {type(task): task for task in HUEY._registry.periodic_tasks}
    sweeper = periodic[tasks.deliver_due_messages.task_class]
    minutes = [datetime(2026, 7, 6, hour, minute) for hour in (0, 13) for minute in range(60)]
    assert all(sweeper.validate_datetime(moment) for moment in minutes)


def test_delivery_is_a_registered_task_not_a_periodic_one():
    registry = HUEY._registry
    task_class = tasks.deliver_message.task_class
    assert registry.string_to_task(registry.task_to_string(task_class)) is task_class
    assert task_class not in {type(task) for task in registry.periodic_tasks}


@committed
def test_tasks_are_enqueued_on_commit_with_ids_only(real_queue):
    with transaction.atomic():
        message = services.enqueue_email(
            key="ids-only", to=["a@customer.example"], subject="s", body_text="b"
        )
        assert real_queue.pending_count() == 0  # not before the commit

    (task,) = real_queue.pending()
    assert isinstance(task, tasks.deliver_message.task_class)
    assert task.args == (message.pk,)
    assert task.kwargs == {}
    assert json.loads(json.dumps([task.args, task.kwargs])) == [[message.pk], {}]


@committed
def test_a_rolled_back_change_enqueues_nothing(real_queue):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.enqueue_email(key="never", to=["a@customer.example"], subject="s", body_text="b")
        raise RuntimeError
    assert real_queue.pending_count() == 0
    assert not OutboundMessage.objects.exists()


# --- a real worker --------------------------------------------------------------


@committed
def test_a_worker_delivers_an_outbox_message(real_queue, mailoutbox):
    message = enqueue_committed()
    assert real_queue.pending_count() == 1
    assert mailoutbox == []

    with consumer(real_queue):
        wait_for(lambda: status(message) == MessageStatus.SENT, "the worker to send it")
        wait_for(lambda: real_queue.pending_count() == 0, "the queue to drain")

    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "Through the queue"
    assert mailoutbox[0].alternatives[0].mimetype == "text/html"
    message.refresh_from_db()
    assert message.attempts == 1
    # Nobody reads task results, so none are kept to pile up in the queue's storage.
    assert real_queue.result_count() == 0


@committed
def test_a_task_enqueued_twice_still_sends_once(real_queue, mailoutbox):
    message = enqueue_committed()
    tasks.deliver_message(message.pk)  # a duplicate, as a lost acknowledgement would make
    assert real_queue.pending_count() == 2

    with consumer(real_queue):
        wait_for(lambda: real_queue.pending_count() == 0, "both tasks to run")
        wait_for(lambda: status(message) == MessageStatus.SENT, "the send")

    assert len(mail.outbox) == 1


@committed
def test_the_periodic_sweeper_runs_on_a_worker(real_queue, mailoutbox):
    # A message whose task was lost (the web process died between commit and enqueue).
    lost = OutboundMessage.objects.create(
        idempotency_key="lost", to=["a@customer.example"], subject="Found again", body_text="b"
    )
    assert real_queue.pending_count() == 0

    with consumer(real_queue, periodic=True):
        wait_for(lambda: status(lost) == MessageStatus.SENT, "the sweeper to send it")

    assert [m.subject for m in mailoutbox] == ["Found again"]


def _database_url_for_this_test_database() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@committed
def test_rhythm_worker_delivers_through_the_configured_queue(real_queue, tmp_path, queue_name):
    """`rhythm worker` as its own process: the same settings a deployment uses."""
    message = enqueue_committed("worker-process")
    assert real_queue.pending_count() == 1

    environ = {
        **os.environ,
        "DATABASE_URL": _database_url_for_this_test_database(),
        "RHYTHM_VAR_DIR": str(tmp_path),  # the queue file real_queue uses, on SQLite
        "RHYTHM_QUEUE_NAME": queue_name,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "RHYTHM_TASK_LOG_LEVEL": "INFO",  # a line per task run, quiet by default
    }
    environ.pop("EMAIL_HOST", None)
    rhythm = Path(sys.executable).with_name("rhythm")
    worker = subprocess.Popen(
        [str(rhythm), "worker", "--workers", "1"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    def sent() -> bool:
        assert worker.poll() is None, "`rhythm worker` stopped on its own"
        return status(message) == MessageStatus.SENT

    try:
        wait_for(sent, "`rhythm worker` to send it")
    finally:
        worker.send_signal(signal.SIGINT)  # huey's graceful stop
        output, _ = worker.communicate(timeout=WAIT_SECONDS)
        print(output)  # shown when the test fails

    assert worker.returncode == 0
    assert "Executing rhythm.core.tasks.deliver_message" in output
    assert "deliver_due_messages" in output  # and its periodic schedule
    sent = list((tmp_path / "sent-mail").iterdir())
    assert len(sent) == 1
    assert "Through the queue" in sent[0].read_text()
