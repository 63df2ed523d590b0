"""Health metrics' use cases: import a CSV file (streamed, in batches: bounded memory
for a million rows) or a batch from the API; idempotent on (account, metric, date).

A file is read twice. The first pass checks every row (the columns, the account
named by its CRM id) and counts the bad ones; unless "skip bad rows" was chosen, one
bad row refuses the file and nothing is written. The second pass writes, in one
transaction: a crash half-way writes nothing either. Two passes cost a second read
of the file, which is cheap beside the writes, and tell the write pass its total.

Progress: the check pass commits the job's progress as it goes. The write pass
cannot (its transaction's rows are invisible to the page that polls, and on SQLite
a second connection could not write beside it), so it reports the rows written to a
small file beside the upload, which the page reads while the job is writing."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from rhythm.customers.models import Account
from rhythm.health import rules
from rhythm.health.choices import ImportStatus
from rhythm.health.models import MetricImport, MetricValue

BATCH = 5000
PROBLEMS_SHOWN = 100  # the first hundred bad rows are listed; all are counted
API_BATCH_LIMIT = 1000

Progress = Callable[[int, int], None]  # checking: (bytes read, rows read)
WriteProgress = Callable[[int, int], None]  # writing: (rows written, rows to write)


@dataclass
class ImportResult:
    rows_read: int = 0
    rows_written: int = 0
    bad_rows: int = 0
    problems: list[rules.RowProblem] = field(default_factory=list)
    refused: bool = False  # bad rows and no "skip bad rows": nothing written

    def note(self, problems: list[rules.RowProblem]) -> None:
        self.bad_rows += len(problems)
        room = PROBLEMS_SHOWN - len(self.problems)
        if room > 0:
            self.problems.extend(problems[:room])


class FileProblem(Exception):
    """A file that cannot be read as a metrics CSV at all (its header, its encoding)."""


def _read_batches(
    path: Path, progress: Progress | None
) -> Iterator[list[tuple[int, dict[str, str]]]]:
    """The file's rows as (line, {column: value}), BATCH at a time."""
    with open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        reader = csv.reader(text)
        try:
            header = next(reader)
        except StopIteration:
            raise FileProblem("The file is empty: it needs a header line.") from None
        except UnicodeDecodeError:
            raise FileProblem("line 1: the file is not UTF-8 text.") from None
        problem = rules.header_problem(header)
        if problem:
            raise FileProblem(f"line 1: {problem}")
        positions = rules.column_positions(header)
        batch: list[tuple[int, dict[str, str]]] = []
        rows = 0
        try:
            for values in reader:
                if not any(v.strip() for v in values):
                    continue  # a blank line is no row
                rows += 1
                line = reader.line_num
                batch.append(
                    (
                        line,
                        {c: values[i] if i < len(values) else "" for c, i in positions.items()},
                    )
                )
                if len(batch) == BATCH:
                    yield batch
                    batch = []
                    if progress:
                        progress(raw.tell(), rows)
        except UnicodeDecodeError:
            raise FileProblem(f"line {reader.line_num + 1}: the file is not UTF-8 text.") from None
        except csv.Error as exc:
            raise FileProblem(f"line {reader.line_num}: {exc}.") from None
        if batch:
            yield batch
        if progress:
            progress(raw.tell(), rows)


Row = tuple[int, str, date, Decimal]  # account id, metric, date, value


class AccountIds:
    """CRM id → account id (None: no active account) for one pass over a file: the
    accounts a batch names are asked once per pass, not once per batch. Bounded (a
    file naming millions of distinct CRM ids empties it now and then)."""

    LIMIT = 200_000

    def __init__(self) -> None:
        self.known: dict[str, int | None] = {}

    def resolve(self, crm_ids: set[str]) -> dict[str, int | None]:
        unknown = crm_ids - self.known.keys()
        if unknown:
            if len(self.known) + len(unknown) > self.LIMIT:
                self.known.clear()
            found = dict(
                Account.objects.active().filter(crm_id__in=unknown).values_list("crm_id", "pk")
            )
            for crm_id in unknown:
                self.known[crm_id] = found.get(crm_id)
        return self.known


def _check(
    batch: Iterable[tuple[int, dict[str, str]]], today: date, accounts: AccountIds | None = None
) -> tuple[list[Row], list[rules.RowProblem]]:
    """A batch's good rows and its problems: at most one query, for the accounts it
    names that this pass has not met yet."""
    parsed: list[tuple[int, rules.MetricRow]] = []
    problems: list[rules.RowProblem] = []
    for line, values in batch:
        row, problem = rules.parse_row(values, line, today)
        if problem:
            problems.append(problem)
        else:
            assert row is not None
            parsed.append((line, row))
    account_ids = (accounts or AccountIds()).resolve({row.crm_id for _, row in parsed})
    # One value per (account, metric, date) in a batch, the file's last: PostgreSQL's
    # upsert refuses to touch one row twice in a statement.
    found: dict[tuple[int, str, date], Row] = {}
    for line, row in parsed:
        account_id = account_ids.get(row.crm_id)
        if account_id is None:
            problems.append(
                rules.RowProblem(line, "account", f"no account has the CRM id {row.crm_id!r}.")
            )
            continue
        found[(account_id, row.metric, row.date)] = (account_id, row.metric, row.date, row.value)
    problems.sort(key=lambda p: p.line)
    return list(found.values()), problems


def _upsert_sql() -> str:
    """INSERT … ON CONFLICT DO UPDATE, as SQLite (3.24+) and PostgreSQL both say it.

    Written by hand rather than by bulk_create(update_conflicts=True): the ORM
    spends ten times the database's time composing a batch's statement and building
    a model per row, and a million rows is where that shows (make bench)."""
    table = connection.ops.quote_name(MetricValue._meta.db_table)
    return (
        f"INSERT INTO {table} (account_id, metric, date, value, imported_at)"
        " VALUES (%s, %s, %s, %s, %s)"
        " ON CONFLICT (account_id, metric, date)"
        " DO UPDATE SET value = excluded.value, imported_at = excluded.imported_at"
    )


def _write(values: list[Row]) -> int:
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    params = [
        (
            account_id,
            metric,
            ops.adapt_datefield_value(day),
            ops.adapt_decimalfield_value(value, 18, 4),
            now,
        )
        for account_id, metric, day, value in values
    ]
    with connection.cursor() as cursor:
        cursor.executemany(_upsert_sql(), params)
    return len(values)


def import_file(
    path: Path | str,
    *,
    skip_bad_rows: bool = False,
    today: date | None = None,
    on_check: Progress | None = None,
    on_write: WriteProgress | None = None,
) -> ImportResult:
    """Import a metrics CSV (columns account, metric, date, value): check every row,
    then write them all, or the good ones when `skip_bad_rows`; nothing at all when a
    row is bad and bad rows are not skipped (result.refused). FileProblem for a file
    that is no metrics CSV.

    The check pass keeps the good rows, parsed, in a temporary file (account id,
    metric, date, value): the write pass reads that, not the file again, so it
    parses and checks nothing twice. `on_write(done, total)` follows it by those
    rows: called once before the first batch (0, total) and after each, ending at
    (total, total)."""
    path = Path(path)
    today = today or rules.latest_day(timezone.now())
    result = ImportResult()
    accounts = AccountIds()
    with tempfile.TemporaryFile("w+", newline="", encoding="utf-8") as staged:
        keep = csv.writer(staged)
        total = 0
        for batch in _read_batches(path, on_check):
            result.rows_read += len(batch)
            values, problems = _check(batch, today, accounts)
            result.note(problems)
            if not result.bad_rows or skip_bad_rows:
                keep.writerows(values)
                total += len(values)
        if result.bad_rows and not skip_bad_rows:
            result.refused = True
            return result
        staged.seek(0)
        if on_write:
            on_write(0, total)  # announced before the transaction, so a poller sees "writing"
        done = 0
        active = _ActiveAccounts()
        with transaction.atomic():
            for rows in _staged_batches(staged):
                # An account archived since the check: still all or nothing.
                active.require({row[0] for row in rows})
                result.rows_written += _write(rows)
                done += len(rows)
                if on_write:
                    on_write(done, total)
    return result


def _staged_batches(staged: Any) -> Iterator[list[Row]]:
    batch: dict[tuple[int, str, date], Row] = {}
    for account_id, metric, day, value in csv.reader(staged):
        row = (int(account_id), metric, date.fromisoformat(day), Decimal(value))
        # Batches are cut afresh here: one (account, metric, date) once per statement.
        batch[(row[0], row[1], row[2])] = row
        if len(batch) == BATCH:
            yield list(batch.values())
            batch = {}
    if batch:
        yield list(batch.values())


class _ActiveAccounts:
    """The write pass's check that the accounts the rows name are still active,
    each asked once."""

    def __init__(self) -> None:
        self.seen: set[int] = set()

    def require(self, account_ids: set[int]) -> None:
        unknown = account_ids - self.seen
        if not unknown:
            return
        active = set(Account.objects.active().filter(pk__in=unknown).values_list("pk", flat=True))
        if unknown - active:
            gone = Account.objects.filter(pk__in=unknown - active).first()
            raise FileProblem(
                f"the account {gone.crm_id if gone else '?'} was archived or removed during "
                "the import; nothing was written."
            )
        self.seen |= active


def import_rows(rows: list[dict[str, Any]], *, skip_bad_rows: bool = False) -> ImportResult:
    """A batch from the API (at most API_BATCH_LIMIT rows), all or nothing unless
    `skip_bad_rows`: a bad row is a ValidationError naming `rows[i].column`."""
    if len(rows) > API_BATCH_LIMIT:
        raise ValidationError(
            {
                "rows": ValidationError(
                    f"At most {API_BATCH_LIMIT} rows per request (this one has {len(rows)}); "
                    "send them in batches.",
                    code="max_length",
                )
            }
        )
    result = ImportResult(rows_read=len(rows))
    # Rows are numbered from 0 as the request's list is; "line" is that index here.
    values, problems = _check(
        [(i, {c: str(row.get(c, "")) for c in rules.COLUMNS}) for i, row in enumerate(rows)],
        rules.latest_day(timezone.now()),
    )
    result.note(problems)
    if problems and not skip_bad_rows:
        raise ValidationError(
            {
                f"rows[{p.line}].{p.column}": ValidationError(p.message, code="invalid")
                for p in problems[:PROBLEMS_SHOWN]
            }
        )
    with transaction.atomic():
        result.rows_written = _write(values)
    return result


# --- The UI's upload: a job on the queue ------------------------------------------


def uploads_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "metric-imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def start_import(upload: Any, *, skip_bad_rows: bool, actor: Any) -> MetricImport:
    """Keep the uploaded file under var/ and queue its import (once this commits)."""
    target = uploads_dir() / f"{uuid.uuid4().hex}.csv"
    with open(target, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    job = MetricImport.objects.create(
        file=str(target),
        original_name=upload.name[:255],
        size=target.stat().st_size,
        skip_bad_rows=skip_bad_rows,
        created_by=actor,
    )
    # A real cycle: the task runs this module's run_import.
    from rhythm.health.tasks import run_import

    transaction.on_commit(lambda: run_import(job.pk))
    return job


def _check_progress(job_id: int) -> Progress:
    def report(bytes_read: int, rows_read: int) -> None:
        # Outside any transaction: the page that polls sees it at once.
        MetricImport.objects.filter(pk=job_id).update(
            status=ImportStatus.CHECKING, bytes_read=bytes_read, rows_read=rows_read
        )

    return report


def _progress_file(job: MetricImport) -> Path:
    return Path(f"{job.file}.progress")


def _write_progress(job: MetricImport) -> WriteProgress:
    target = _progress_file(job)

    def report(done: int, total: int) -> None:
        if done == 0:
            # Before the transaction: the job's row says "writing" and the total.
            MetricImport.objects.filter(pk=job.pk).update(
                status=ImportStatus.WRITING, bytes_read=job.size, rows_read=total
            )
        # Written whole then renamed: a reader never sees half a file.
        scratch = target.with_name(target.name + ".tmp")
        scratch.write_text(json.dumps({"rows_written": done, "rows_total": total}))
        os.replace(scratch, target)

    return report


def live_progress(job: MetricImport) -> MetricImport:
    """The job as the page shows it: while it writes, the rows written so far (from
    the file beside the upload; the row itself says only that it is writing)."""
    if job.status == ImportStatus.WRITING:
        try:
            reported = json.loads(_progress_file(job).read_text())
        except (OSError, ValueError):
            reported = {}
        job.rows_written = min(int(reported.get("rows_written", 0)), job.rows_read)
    return job


def run_import(job_id: int) -> MetricImport:
    """The queue's half of an upload: import the file, recording progress and the
    verdict on the job; the file goes once imported."""
    claimed = MetricImport.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.CHECKING
    )
    job = MetricImport.objects.get(pk=job_id)
    if not claimed:
        return job  # a retry of a job another worker took
    path = Path(job.file)
    try:
        result = import_file(
            path,
            skip_bad_rows=job.skip_bad_rows,
            on_check=_check_progress(job_id),
            on_write=_write_progress(job),
        )
    except FileProblem as exc:
        job.status, job.error = ImportStatus.FAILED, str(exc)
    except Exception:
        # Nothing was written (one transaction); the page says so rather than
        # "writing" for ever, and the queue logs the error.
        MetricImport.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED,
            error="The import stopped on an internal error; nothing was written.",
            finished_at=timezone.now(),
        )
        _progress_file(job).unlink(missing_ok=True)
        raise
    else:
        job.status = ImportStatus.REFUSED if result.refused else ImportStatus.DONE
        job.rows_read, job.rows_written, job.bad_rows = (
            result.rows_read,
            result.rows_written,
            result.bad_rows,
        )
        job.problems = [
            {"line": p.line, "column": p.column, "message": p.message} for p in result.problems
        ]
    job.bytes_read = job.size
    job.finished_at = timezone.now()
    job.save()
    path.unlink(missing_ok=True)
    _progress_file(job).unlink(missing_ok=True)
    return job
