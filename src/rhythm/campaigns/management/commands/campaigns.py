"""`rhythm campaigns list | preview NAME | approve|activate|pause NAME --as USER |
run NAME [--dry-run] | results NAME`."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from rhythm.campaigns import sending, services
from rhythm.campaigns.choices import CampaignExclusion
from rhythm.campaigns.models import Campaign
from rhythm.core.workflow import TransitionConflict

MOVES = {"approve": services.approve, "activate": services.activate, "pause": services.pause}


class Command(BaseCommand):
    help = "List, preview and run health-driven campaigns."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="Every campaign and its state.")
        preview = sub.add_parser("preview", help="Who would receive it now, and who not, why.")
        preview.add_argument("name")
        run = sub.add_parser("run", help="Run it now (an active campaign), once per account.")
        run.add_argument("name")
        run.add_argument(
            "--dry-run", action="store_true", help="Say what would be sent; write nothing."
        )
        for verb, text in (
            ("approve", "Approve a draft (a CS operations lead or manager, not its author)."),
            ("activate", "Activate an approved campaign (CS operations)."),
            ("pause", "Pause an active campaign."),
        ):
            move = sub.add_parser(verb, help=text)
            move.add_argument("name")
            move.add_argument("--as", dest="username", required=True, help="who decides")
            move.add_argument("--reason", default="", help="why (kept in the history)")
        results = sub.add_parser("results", help="Sent, delivered, unsubscribed, bookings.")
        results.add_argument("name")

    def _user(self, username: str):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"as: no active member is called {username!r}.")
        return user

    def _campaign(self, name: str) -> Campaign:
        campaign = Campaign.objects.active().filter(name=name).first()
        if campaign is None:
            names = ", ".join(Campaign.objects.active().values_list("name", flat=True)) or "none"
            raise CommandError(f"name: no campaign is named {name!r} (there are: {names}).")
        return campaign

    def handle(self, *args, **options):
        action = options["action"]
        if action == "list":
            for c in Campaign.objects.active():
                self.stdout.write(f"{c.pk}\t{c.state}\t{c.name}")
            return
        campaign = self._campaign(options["name"])
        if action == "preview":
            found = services.preview(campaign)
            self.stdout.write(
                f"{found.counts['eligible']} accounts ({found.counts['contacts']} contacts) "
                f"would receive it of {found.counts['matched']} matching."
            )
            for reason in CampaignExclusion:
                self.stdout.write(
                    f"  excluded, {reason.label.lower()}: {found.counts[reason.value]}"
                )
            return
        if action in MOVES:
            actor = self._user(options["username"])
            try:
                moved = MOVES[action](campaign, actor, reason=options["reason"])
            except (PermissionDenied, ValidationError, TransitionConflict) as exc:
                message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
                # The page's own words for why this person may not approve, when it is that.
                why = services.approval_refusal(campaign, actor) if action == "approve" else ""
                raise CommandError(f"{action}: {message}" + (f" ({why})" if why else "")) from None
            self.stdout.write(f"{moved.name}: {moved.get_state_display().lower()}.")
            return
        if action == "results":
            for label, value in services.results(campaign).items():
                self.stdout.write(f"{label}\t{value}")
            return
        try:
            result = sending.run(campaign, dry_run=options["dry_run"])
        except sending.NotRunnable as exc:
            raise CommandError(str(exc)) from None
        for account, cse, emails in result.sent:
            for email in emails:
                self.stdout.write(f"{account.name}\t{cse.username}\t{email.to}\t{email.subject}")
        verb = "would send" if result.dry_run else "sent"
        self.stdout.write(
            f"{campaign.name}: {verb} {result.emails} emails to {len(result.sent)} accounts"
            + (f"; {result.skipped} sent meanwhile by another run." if result.skipped else ".")
        )
