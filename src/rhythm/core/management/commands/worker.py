"""`rhythm worker`: the task-queue consumer (huey), periodic schedules included."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run a task-queue worker: delivers the outbox and runs the periodic schedules."

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, **options):
        # huey's own Django command does the work; this name is the one users learn.
        call_command("run_huey", workers=options["workers"], worker_type="thread")
