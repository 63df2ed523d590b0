"""`rhythm metrics import FILE [--skip-bad-rows]`: a metrics CSV, with a progress bar."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

from rhythm.health import services


class Command(BaseCommand):
    help = "Import health metrics from a CSV file (columns account, metric, date, value)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="Import a CSV file of metric values.")
        load.add_argument("file", type=Path)
        load.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help="Write the good rows and report the bad ones (default: a bad row writes nothing).",
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"file: {path} is not a file.")
        size = path.stat().st_size
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeRemainingColumn(),
        )
        # Progress to stderr: stdout carries the verdict alone, for a script to read.
        with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
            checking = bar.add_task("Checking", total=size, detail="0 rows")
            writing = bar.add_task("Writing", total=None, detail="", start=False)

            def on_check(done: int, rows: int) -> None:
                bar.update(checking, completed=done, detail=f"{rows:,} rows read")

            def on_write(done: int, total: int) -> None:
                if done == 0:
                    bar.start_task(writing)
                bar.update(
                    writing, total=total, completed=done, detail=f"{done:,} of {total:,} rows"
                )

            try:
                result = services.import_file(
                    path,
                    skip_bad_rows=options["skip_bad_rows"],
                    on_check=on_check,
                    on_write=on_write,
                )
            except services.FileProblem as exc:
                raise CommandError(f"{path}: {exc}") from None
        for problem in result.problems:
            self.stderr.write(f"{path}: {problem}")
        if result.bad_rows > len(result.problems):
            self.stderr.write(f"… and {result.bad_rows - len(result.problems):,} more bad rows.")
        if result.refused:
            raise CommandError(
                f"{result.bad_rows:,} bad row(s) of {result.rows_read:,}: nothing written. "
                "Fix them, or pass --skip-bad-rows to write the good ones."
            )
        self.stdout.write(
            f"{result.rows_written:,} metric values written from {result.rows_read:,} rows"
            + (f"; {result.bad_rows:,} bad rows skipped." if result.bad_rows else ".")
        )
