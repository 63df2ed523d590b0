"""`rhythm demo`: load the demo team and customers (once; running it again is harmless)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from rhythm.demo import data


class Command(BaseCommand):
    help = "Load the demo team, 300 demo accounts and their engagements; idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print logins.")

    def handle(self, *args, **options):
        created = data.load()
        summary = ", ".join(f"{count} {what}" for what, count in created.items())
        self.stdout.write(
            f"Demo data: {summary} created"
            if any(created.values())
            else "Demo data already loaded."
        )
        if options["quiet_logins"]:
            return
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"Demo logins (password: {settings.RHYTHM_DEMO_PASSWORD})")
        )
        for member in data.TEAM:
            self.stdout.write(f"  {member.username:<16} {member.role.label}")
