"""`rhythm serve`: gunicorn in front of Rhythm, optionally with a queue worker beside it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

# How long each child may take to finish what it is doing once asked to stop.
STOP_TIMEOUT_SECONDS = 15


def defaults() -> tuple[int, int]:
    """Gunicorn's workers and threads for this database, as measured by `make bench`
    ("rhythm serve defaults"): see the reasons beside each."""
    if connection.vendor == "sqlite":
        return SQLITE_DEFAULTS
    return POSTGRESQL_DEFAULTS


# SQLite has one writer at a time. Two processes of one thread (one request each
# at a time) measured best on a quiet 2-core machine: 260 req/s for intake at 16
# clients with a p99 of 2.3x the p50, against 188 req/s for one process of eight
# threads (the GIL holds a process to one core) and 264 req/s but a p99 of 3.8x
# the p50 for four processes. Threads inside several processes are the worst of
# both: a writer then waits on SQLite's busy handler, which sleeps up to 100 ms a
# try, behind writers that came later (2x2: p99 10x the p50).
SQLITE_DEFAULTS = (2, 1)
# PostgreSQL takes writers at once, so threads do not queue on a lock there; still two
# processes of one thread measured best on the same machine: 186 req/s for intake
# (p99 2.1x the p50), against 156 for two of four threads, 142 for one of eight and
# 178-184 for three or four processes (the GIL and 2 cores again).
POSTGRESQL_DEFAULTS = (2, 1)


class Command(BaseCommand):
    help = "Serve Rhythm with gunicorn (and, with --with-worker, a task-queue worker)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("RHYTHM_BIND", "127.0.0.1:8000"))
        workers, threads = defaults()
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY") or workers)
        )
        parser.add_argument("--threads", type=int, default=threads)
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="Also start `rhythm worker`, stopped together with the server.",
        )
        parser.add_argument(
            "--no-control-socket",
            action="store_true",
            default=True,
            help="Do not open gunicorn's control socket (always the case here).",
        )

    def handle(self, *args, **options):
        gunicorn = [
            sys.executable,
            "-m",
            "gunicorn",
            "rhythm.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            # Threaded workers even with one thread: their main loop waits for a
            # connection's request before a thread takes it, where a sync worker
            # blocks on the first idle connection (a browser's preconnect) until
            # its timeout. They keep connections alive too.
            "--worker-class",
            "gthread",
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
            "--no-control-socket",
        ]
        # Stop both children on SIGTERM as well as Ctrl-C: Python's default for
        # SIGTERM ends this process on the spot and would leave them orphaned.
        received: list[int] = []

        def _stop(signum, frame):
            received.append(signum)

        previous = {sig: signal.signal(sig, _stop) for sig in _STOP_SIGNALS}
        children: list[tuple[str, subprocess.Popen]] = []
        try:
            # Each child in its own process group: Ctrl-C reaches this process
            # alone, which then asks each child once, in the way it understands.
            if options["with_worker"]:
                worker_cmd = [sys.executable, "-m", "rhythm.cli", "worker"]
                children.append(("worker", subprocess.Popen(worker_cmd, process_group=0)))
            children.append(("server", subprocess.Popen(gunicorn, process_group=0)))
            self.stdout.write(self.style.SUCCESS(f"Rhythm is serving on http://{options['bind']}/"))
            if settings.DEBUG:
                self.stdout.write(self.style.WARNING("RHYTHM_DEBUG is on."))
            ended = _wait_for_first_exit(children, received)
        finally:
            _stop_children(children)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if ended is None:
            return  # asked to stop
        name, code = ended
        # One child stopping on its own takes the other down with it, loudly, so
        # a supervisor (or the person at the terminal) sees it and restarts both.
        raise CommandError(f"The {name} stopped unexpectedly (exit code {code}).", returncode=1)


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _wait_for_first_exit(
    children: list[tuple[str, subprocess.Popen]], received: list[int]
) -> tuple[str, int] | None:
    """Block until a stop signal (None) or until a child exits (its name and code)."""
    while not received:
        for name, process in children:
            code = process.poll()
            if code is not None:
                return name, code
        time.sleep(0.2)
    return None


def _stop_children(children: list[tuple[str, subprocess.Popen]]) -> None:
    # gunicorn stops gracefully on SIGTERM; huey's consumer on SIGINT (it treats
    # SIGTERM as "stop now", which could cut a send in half).
    for name, process in children:
        if process.poll() is None:
            process.send_signal(signal.SIGINT if name == "worker" else signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    for _, process in children:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
