"""`rhythm kpis --as USERNAME [--period P] [--region R] [--segment ID] [--cse ID]
[--offering ID] [--json]`: the dashboard's figures, as that person sees them.
`rhythm kpis --webinars --as USERNAME [--period P] [--region R] [--kind webinar|lab]
[--json]`: the webinars dashboard's, as GET /api/v1/kpis/webinars answers.
`rhythm kpis --write-docs docs/kpis.md` writes the definitions' page."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rhythm.kpis import api, definitions, docs
from rhythm.kpis.figures import Scope
from rhythm.kpis.forms import FilterForm, WebinarFilterForm
from rhythm.kpis.views import may_see_webinars
from rhythm.people.models import User


class Command(BaseCommand):
    help = "Print the KPIs for a period and filters, as a team member sees them."

    def add_arguments(self, parser):
        parser.add_argument("--as", dest="username", help="Whose view (their access rule).")
        for name in ("period", "region", "segment", "cse", "offering", "kind"):
            parser.add_argument(f"--{name}", default="")
        parser.add_argument(
            "--webinars", action="store_true", help="The webinars dashboard (--kind applies)."
        )
        parser.add_argument("--json", action="store_true", help="As GET /api/v1/kpis answers.")
        parser.add_argument("--write-docs", metavar="PATH", help="Write docs/kpis.md and stop.")

    def handle(self, *args, **options):
        if options["write_docs"]:
            Path(options["write_docs"]).write_text(docs.markdown())
            self.stdout.write(f"Wrote {options['write_docs']}.")
            return
        if not options["username"]:
            raise CommandError("--as: name the team member whose view to count (required).")
        user = User.objects.active().filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"--as: no active team member {options['username']!r}.")
        form: FilterForm | WebinarFilterForm
        if options["webinars"]:
            if not may_see_webinars(user):
                raise CommandError(
                    f"--as: {user.username} may not see the webinars dashboard (program "
                    "managers and CSE managers)."
                )
            data = {k: options[k] for k in ("period", "region", "kind")}
            form = WebinarFilterForm({k: v for k, v in data.items() if v})
        else:
            data = {k: options[k] for k in ("period", "region", "segment", "cse", "offering")}
            form = FilterForm({k: v for k, v in data.items() if v})
        if not form.is_valid():
            raise CommandError(
                "; ".join(
                    f"--{name}: {' '.join(map(str, errors))} ({error.code})"
                    for name, errors in form.errors.items()
                    for error in form.errors.as_data()[name][:1]
                )
            )
        scope = Scope(user, form.filters(), timezone.now())
        if options["webinars"]:
            figures = definitions.compute_webinars(scope)
        else:
            figures = definitions.compute(scope)
        if options["json"]:
            out = api.kpis_out(scope, figures)
            kept = api.WebinarKpisOut if options["webinars"] else api.KpisOut
            out = {k: v for k, v in out.items() if k in kept.model_fields}
            self.stdout.write(json.dumps(out, default=str, indent=2))
            return
        self.stdout.write(scope.filters.period.label)
        for kpi, figure in figures:
            self.stdout.write(f"{kpi.name}: {figure.display} — {figure.note}")
