"""`rhythm outbox list [--status S]` and `rhythm outbox retry ID… | --failed`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from rhythm.core import services
from rhythm.core.choices import MessageStatus
from rhythm.core.models import OutboundMessage


class Command(BaseCommand):
    help = "Inspect the outbox and retry failed messages."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="List messages, newest first.")
        listing.add_argument("--status", choices=MessageStatus.values)
        listing.add_argument("--limit", type=int, default=50)
        retry = sub.add_parser("retry", help="Put failed messages back in line.")
        retry.add_argument("ids", nargs="*", type=int)
        retry.add_argument("--failed", action="store_true", help="Retry every failed message.")

    def handle(self, *args, **options):
        if options["action"] == "list":
            self._list(options)
        else:
            self._retry(options)

    def _list(self, options):
        messages = OutboundMessage.objects.all()
        if options["status"]:
            messages = messages.filter(status=options["status"])
        for m in messages[: options["limit"]]:
            error = f"\t{m.last_error[:60]}" if m.last_error else ""
            cc = f" (cc {', '.join(m.cc)})" if m.cc else ""
            # A worker died mid-send: this message went (or goes) again, with the
            # same Message-ID, and the recipient may hold two copies of it.
            resend = (
                f"\tresend after {m.unknown_outcomes} unknown outcome(s),"
                f" Message-ID {services.message_id_header(m)}"
                if m.unknown_outcomes
                else ""
            )
            self.stdout.write(
                f"{m.pk}\t{m.status}\t{m.attempts}\t{m.created_at:%Y-%m-%d %H:%M}\t"
                f"{', '.join(m.to)}{cc}\t{m.subject}{resend}{error}"
            )

    def _retry(self, options):
        ids = list(options["ids"])
        if options["failed"]:
            ids += list(
                OutboundMessage.objects.filter(status=MessageStatus.FAILED).values_list(
                    "pk", flat=True
                )
            )
        if not ids:
            raise CommandError("ids: give message ids, or --failed for every failed message.")
        for message_id in ids:
            message = OutboundMessage.objects.filter(pk=message_id).first()
            if message is None:
                raise CommandError(f"ids: no message has id {message_id}.")
            if services.retry_message(message_id):
                self.stdout.write(f"{message_id}: queued again.")
            else:
                self.stdout.write(
                    f"{message_id}: not retried — it is {message.status}; only failed ones are."
                )
