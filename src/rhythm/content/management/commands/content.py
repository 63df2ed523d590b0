"""`rhythm content bugs [--owner USERNAME]` lists a content owner's open bugs, the
worst first; `rhythm content report ITEM_ID --as USERNAME …` reports one with the bug
template's fields. A refusal names each field and its rule, as the API does."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from rhythm.content import services
from rhythm.content.choices import BugPlace, Severity
from rhythm.content.models import ContentItem


class Command(BaseCommand):
    help = "Content bugs: list an owner's queue, or report a bug."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        bugs = sub.add_parser("bugs", help="a content owner's open bugs, the worst first")
        bugs.add_argument("--owner", help="their username; every owner's by default")
        report = sub.add_parser("report", help="report a bug in a content item")
        report.add_argument("item_id", type=int)
        report.add_argument("--as", dest="username", required=True, help="who reports it")
        report.add_argument("--title", default="", help="what is wrong")
        report.add_argument("--place", default="", help=" | ".join(BugPlace.values))
        report.add_argument("--location", default="", help="which slide or exercise step")
        report.add_argument("--expected", default="")
        report.add_argument("--actual", default="")
        report.add_argument("--severity", default="", help=" | ".join(Severity.values))
        report.add_argument("--screenshot", dest="screenshot_url", default="")

    def _user(self, username: str):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"username: no active member is called {username!r}.")
        return user

    def handle(self, *args, **options):
        if options["action"] == "bugs":
            bugs = (
                services.owner_queue(self._user(options["owner"]))
                if options["owner"]
                else services.open_bugs()
                .select_related("item", "owner")
                .order_by(services.severity_order(), "created_at", "pk")
            )
            for bug in bugs:
                self.stdout.write(
                    f"#{bug.pk}\t{bug.severity}\t{bug.status}\t{bug.owner.username}\t"
                    f"{bug.item.title} — {bug.location}: {bug.title}"
                )
            return
        item = ContentItem.objects.filter(pk=options["item_id"]).first()
        if item is None:
            raise CommandError(f"item_id: no content item has id {options['item_id']}.")
        fields = {name: options[name] for name in services.BUG_FIELDS}
        try:
            bug = services.report_bug(self._user(options["username"]), item, fields).bug
        except ValidationError as exc:
            lines = [
                f"{name}: {error.message % (error.params or {})} ({error.code})"
                for name, errors in exc.error_dict.items()
                for error in errors
            ]
            raise CommandError("The bug is not reported:\n  " + "\n  ".join(lines)) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Bug #{bug.pk} reported; it is in {bug.owner.username}'s queue.")
