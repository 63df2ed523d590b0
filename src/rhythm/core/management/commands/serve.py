"""`rhythm serve`: gunicorn in front of Rhythm, optionally with a queue worker beside it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Rhythm with gunicorn (and, with --with-worker, a task-queue worker)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("RHYTHM_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
        )
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="Also start `rhythm worker`, stopped together with the server.",
        )
        parser.add_argument(
            "--no-control-socket",
            action="store_true",
            default=True,
            help="Do not open gunicorn's control socket (the default here).",
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
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
        ]
        if options["no_control_socket"]:
            gunicorn.append("--no-control-socket")
        worker = None
        if options["with_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "rhythm.cli", "worker"])
        self.stdout.write(self.style.SUCCESS(f"Rhythm is serving on http://{options['bind']}/"))
        if settings.DEBUG:
            self.stdout.write(self.style.WARNING("RHYTHM_DEBUG is on."))
        server = subprocess.Popen(gunicorn)
        try:
            return_code = server.wait()
        except KeyboardInterrupt:
            server.send_signal(signal.SIGTERM)
            return_code = server.wait()
        finally:
            if worker is not None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    worker.kill()
        if return_code:
            sys.exit(return_code)
