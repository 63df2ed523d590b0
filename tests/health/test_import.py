"""Metrics import: a file (CLI and the queue's job), a batch over the API; idempotent,
all or nothing unless bad rows are skipped, a bad row named by line and column."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from rhythm.health import services
from rhythm.health.models import MetricImport, MetricValue
from tests.factories import AccountFactory

TODAY = timezone.localdate()


def write_csv(tmp_path, lines, name="metrics.csv"):
    path = tmp_path / name
    path.write_text("\n".join(["account,metric,date,value", *lines]) + "\n")
    return path


@pytest.fixture
def accounts(db):
    return [AccountFactory(crm_id="CRM-A"), AccountFactory(crm_id="CRM-B")]


def test_a_file_imports_and_again_changes_nothing_but_values(tmp_path, accounts):
    day = (TODAY - timedelta(days=1)).isoformat()
    path = write_csv(
        tmp_path, [f"CRM-A,license_utilisation,{day},41.5", f"CRM-B,active_users,{day},12"]
    )
    first = services.import_file(path)
    assert (first.rows_read, first.rows_written, first.bad_rows) == (2, 2, 0)
    path = write_csv(tmp_path, [f"CRM-A,license_utilisation,{day},44"])
    services.import_file(path)
    assert MetricValue.objects.count() == 2
    assert MetricValue.objects.get(account=accounts[0]).value == Decimal("44")


def test_a_bad_row_writes_nothing_and_is_named_by_line_and_column(tmp_path, accounts):
    day = TODAY.isoformat()
    path = write_csv(
        tmp_path,
        [f"CRM-A,active_users,{day},3", f"CRM-A,active_users,{day},lots", f"CRM-Z,x,{day},1"],
    )
    result = services.import_file(path)
    assert result.refused and result.bad_rows == 2
    assert [str(p) for p in result.problems] == [
        "line 3, column value: 'lots' is not a number.",
        "line 4, column account: no account has the CRM id 'CRM-Z'.",
    ]
    assert MetricValue.objects.count() == 0
    skipped = services.import_file(path, skip_bad_rows=True)
    assert not skipped.refused and skipped.rows_written == 1 and MetricValue.objects.count() == 1


def test_a_file_without_the_columns_is_refused(tmp_path, accounts):
    path = tmp_path / "bad.csv"
    path.write_text("account,value\nCRM-A,1\n")
    with pytest.raises(services.FileProblem, match="line 1: .*missing: metric, date"):
        services.import_file(path)


def test_the_cli_imports_with_a_progress_bar_and_names_bad_rows(tmp_path, accounts, capsys):
    day = TODAY.isoformat()
    good = write_csv(tmp_path, [f"CRM-A,ci_pipelines_30d,{day},0"])
    call_command("metrics", "import", str(good))
    assert "1 metric values written from 1 rows." in capsys.readouterr().out
    bad = write_csv(
        tmp_path,
        [f"CRM-A,ci_pipelines_30d,{day},0", "CRM-A,ci_pipelines_30d,yesterday,0"],
        "bad.csv",
    )
    with pytest.raises(CommandError, match="1 bad row\\(s\\) of 2: nothing written"):
        call_command("metrics", "import", str(bad))
    assert "line 3, column date" in capsys.readouterr().err


def test_the_upload_runs_on_the_queue_and_reports_progress(
    cast, accounts, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(cast.cs_ops)
    day = TODAY.isoformat()
    body = f"account,metric,date,value\nCRM-A,active_users,{day},5\nCRM-B,active_users,{day},x\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/metrics/",
            {"file": SimpleUploadedFile("m.csv", body.encode()), "skip_bad_rows": "on"},
        )
    job = MetricImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/metrics/imports/{job.pk}/"
    assert (job.status, job.rows_written, job.bad_rows) == ("done", 1, 1)
    page = client.get(f"/metrics/imports/{job.pk}/", headers={"HX-Request": "true"})
    assert (
        b'aria-valuenow="100"' in page.content and b"&#x27;x&#x27; is not a number" in page.content
    )
    assert job.problems == [{"line": 3, "column": "value", "message": "'x' is not a number."}]


def test_the_api_takes_batches_all_or_nothing(api, cast, accounts):
    day = TODAY.isoformat()
    rows = [
        {"account": "CRM-A", "metric": "active_users", "date": day, "value": "7"},
        {"account": "CRM-B", "metric": "active_users", "date": "2999-01-01", "value": "7"},
    ]
    refused = api(cast.cs_ops).post("/metrics", {"rows": rows})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "rows[1].date"
    assert MetricValue.objects.count() == 0
    kept = api(cast.cs_ops).post("/metrics", {"rows": rows, "skip_bad_rows": True}).json()
    assert (kept["rows_written"], kept["bad_rows"]) == (1, 1)
    assert api(cast.cse).post("/metrics", {"rows": rows}).status_code == 403
    listed = api(cast.manager).get("/metrics", metric="active_users").json()
    assert listed["count"] == 1 and listed["items"][0]["value"] == "7.0000"


def test_a_million_rows_stream_in_batches(tmp_path, accounts, monkeypatch):
    """Bounded memory: the file is read BATCH rows at a time, never whole."""
    monkeypatch.setattr(services, "BATCH", 10)
    start = date(2024, 1, 1)
    lines = [f"CRM-A,active_users,{(start + timedelta(days=i)).isoformat()},{i}" for i in range(95)]
    path = write_csv(tmp_path, lines)
    seen = []
    services.import_file(path, on_check=lambda b, r: seen.append(r))
    assert seen[:3] == [10, 20, 30] and seen[-1] == 95
    assert MetricValue.objects.count() == 95


def test_the_write_pass_reports_rows_written_of_the_total(tmp_path, accounts, monkeypatch):
    """The write pass reports by rows to write (the good ones), from 0 to the total,
    once per batch, so the bar ends full."""
    monkeypatch.setattr(services, "BATCH", 10)
    start = date(2024, 1, 1)
    lines = [f"CRM-A,active_users,{(start + timedelta(days=i)).isoformat()},{i}" for i in range(25)]
    path = write_csv(tmp_path, [*lines, "CRM-A,active_users,someday,1"])
    seen = []
    result = services.import_file(
        path, skip_bad_rows=True, on_write=lambda done, total: seen.append((done, total))
    )
    assert seen == [(0, 25), (10, 25), (20, 25), (25, 25)]
    assert (result.rows_written, result.bad_rows) == (25, 1)


def test_the_upload_page_follows_the_write_pass_and_finishes_full(
    tmp_path, cast, accounts, monkeypatch, settings
):
    """While the job writes (in a transaction the page cannot see into), the page
    reads the rows written from the job's progress file: 50% + half the rows' share;
    once done the file is gone and the bar is full."""
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(services, "BATCH", 10)
    day = TODAY.isoformat()
    body = "account,metric,date,value\n" + "".join(
        f"CRM-{'AB'[i % 2]},m{i},{day},{i}\n" for i in range(40)
    )
    client = Client()
    client.force_login(cast.cs_ops)
    with open(tmp_path / "upload.csv", "w") as upload:
        upload.write(body)
    job = MetricImport.objects.create(
        file=str(tmp_path / "upload.csv"), original_name="m.csv", size=len(body),
        created_by=cast.cs_ops, status="checking",
    )  # fmt: skip
    pages = []

    def look(done: int, total: int) -> None:
        # What a poller sees between the batches of the real write pass.
        report(done, total)
        page = client.get(f"/metrics/imports/{job.pk}/", headers={"HX-Request": "true"})
        pages.append(page.content.decode())

    report = services._write_progress(job)
    services.import_file(job.file, on_write=look)
    assert [p.split('aria-valuenow="')[1].split('"')[0] for p in pages] == [
        "50", "62", "75", "87", "100",
    ]  # fmt: skip
    assert "20 of 40 rows written" in pages[2] and 'data-status="writing"' in pages[2]
    job.status = "queued"
    job.save()
    finished = services.run_import(job.pk)
    assert (finished.status, finished.rows_written) == ("done", 40)
    assert not (tmp_path / "upload.csv.progress").exists()
    page = client.get(f"/metrics/imports/{job.pk}/", headers={"HX-Request": "true"})
    assert b'aria-valuenow="100"' in page.content and b"hx-trigger" not in page.content


def test_the_upload_takes_a_file_past_the_one_megabyte_body_limit(
    cast, accounts, django_capture_on_commit_callbacks
):
    """Other bodies stop at 1 MB (413); the metrics upload may be a million rows."""
    body = "account,metric,date,value\n" + "CRM-A,active_users,2024-01-01,1\n" * 40_000
    assert len(body) > 1024 * 1024
    client = Client()
    client.force_login(cast.cs_ops)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/metrics/", {"file": SimpleUploadedFile("m.csv", body.encode())})
    assert response.status_code == 302
    assert MetricImport.objects.get().size == len(body)
    refused = client.post("/campaigns/new/", {"name": "x" * (1024 * 1024 + 1)})
    assert refused.status_code == 413


def test_an_account_archived_between_the_passes_writes_nothing(tmp_path, accounts):
    day = TODAY.isoformat()
    path = write_csv(tmp_path, [f"CRM-A,active_users,{day},1", f"CRM-B,active_users,{day},2"])

    def archive_b(done: int, total: int) -> None:
        if done == 0:  # after the check, before the write
            accounts[1].archived_at = timezone.now()
            accounts[1].save()

    with pytest.raises(services.FileProblem, match="CRM-B was archived .* nothing was written"):
        services.import_file(path, on_write=archive_b)
    assert MetricValue.objects.count() == 0


def test_a_future_day_is_one_not_yet_begun_anywhere():
    """Not the uploader's today: near midnight UTC a New York upload of the day's UTC
    readings was refused as "in the future" (the browser test found it at 00:17 UTC)."""
    from datetime import UTC, datetime

    from rhythm.health import rules

    assert rules.latest_day(datetime(2026, 12, 2, 0, 10, tzinfo=UTC)) == date(2026, 12, 2)
    assert rules.latest_day(datetime(2026, 12, 2, 10, 0, tzinfo=UTC)) == date(2026, 12, 3)
    today = rules.latest_day(datetime(2026, 12, 2, 0, 10, tzinfo=UTC))
    values = {"account": "CRM-A", "metric": "active_users", "value": "1"}
    assert rules.parse_row({**values, "date": "2026-12-02"}, 2, today)[1] is None
    problem = rules.parse_row({**values, "date": "2026-12-03"}, 2, today)[1]
    assert problem is not None and (problem.column, problem.message) == (
        "date", "2026-12-03 is in the future.",
    )  # fmt: skip
