"""`rhythm escalations qualify ACCOUNT_ID [--today DATE]` prints the verdict an
escalation of that account would get, each reason with its figures;
`rhythm escalations open-accounts` lists the accounts in an open escalation."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from rhythm.customers.models import Account
from rhythm.escalations import rules, services


class Command(BaseCommand):
    help = "Escalations: a verdict with its reasons, or the accounts in an open escalation."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        qualify = actions.add_parser("qualify", help="The verdict an account would get.")
        qualify.add_argument("account", help="The account's id or CRM id.")
        qualify.add_argument("--today", help="The day to judge on (YYYY-MM-DD); today by default.")
        actions.add_parser("open-accounts", help="Ids of the accounts in an open escalation.")

    def handle(self, *args, **options):
        if options["action"] == "open-accounts":
            ids = sorted(
                set(services.open_escalation_account_ids().values_list("account_id", flat=True))
            )
            self.stdout.write(
                "\n".join(map(str, ids)) if ids else "No account is in an open escalation."
            )
            return
        given = options["account"]
        account = (
            Account.objects.select_related("segment")
            .filter(**({"pk": int(given)} if given.isdigit() else {"crm_id": given}))
            .first()
        )
        if account is None:
            raise CommandError(f"account: no account with the id or CRM id {given!r}.")
        today = None
        if options.get("today"):
            try:
                today = date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(
                    f"--today: {options['today']!r} is not a date; write it as YYYY-MM-DD."
                ) from None
        verdict = services.assess(account, today)
        self.stdout.write(f"{account.name}: {verdict.summary}")
        for reason in verdict.reasons:
            self.stdout.write(f"  [{'met' if reason.met else 'not met'}] {reason.text}")
        self.stdout.write(rules.weighting_text(services.thresholds()))
