"""`rhythm reconcile-ctas [--dry-run]`: raise the CTA of any CSE-help case that lacks one."""

from django.core.management.base import BaseCommand

from rhythm.ctas import services


class Command(BaseCommand):
    help = "Raise missing CTAs for CSE-help cases (the four-hourly reconciliation, now)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report, change nothing.")

    def handle(self, *args, **options):
        report = services.reconcile(dry_run=options["dry_run"])
        self.stdout.write(report.summary())
        if report.sample:
            more = " …" if report.missing > len(report.sample) else ""
            self.stdout.write("Case ids: " + ", ".join(map(str, report.sample)) + more)
        if report.raised:
            more = " …" if len(report.raised) > 50 else ""
            self.stdout.write("Raised CTA ids: " + ", ".join(map(str, report.raised[:50])) + more)
