"""Campaigns' two benchmarks (issue 13):

- the audience of "90-day low license utilisation" over BENCH_CAMPAIGN_ACCOUNTS
  accounts (100,000) with 10 metrics of 3 readings each (3,000,000 metric rows):
  `Evaluated.counts()` (the preview's one query) against the same counts in
  hand-written SQL; target ≤ 2;
- the import of BENCH_IMPORT_ROWS metric rows (1,000,000) from a CSV file with
  `health.services.import_file` (checked, the good rows kept parsed in a temporary
  file, then written from it in one transaction), in a
  process of its own so that its peak memory is its own, against a hand-written
  batched INSERT … ON CONFLICT of the same rows; throughput and peak RSS.

Shrink both to try them (BENCH_CAMPAIGN_ACCOUNTS=2000 BENCH_IMPORT_ROWS=20000); the
lead runs them full size on a quiet machine.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from bench.db import ROOT, vacuum

METRICS = (
    "license_utilisation", "licenses_used", "licenses_purchased", "days_since_start",
    "ci_pipelines_30d", "active_users", "merge_requests_30d", "issues_30d",
    "security_scans_30d", "deployments_30d",
)  # fmt: skip
READINGS = (0, 45, 90)  # days ago: three readings per metric over the window
LOW = "90-day low license utilisation"


def _low(pk: int, days_ago: int) -> bool:
    """A third of the accounts low all along, a third low only lately (by pk // 3, so
    that it does not follow the region, which goes by thirds too)."""
    band = (pk // 3) % 3
    return band == 0 or (band == 1 and days_ago == 0)


def _fixture(accounts: int, log) -> tuple:
    from django.db import transaction
    from django.utils import timezone

    from rhythm.campaigns.models import Campaign
    from rhythm.customers.models import Account, Contact, Segment
    from rhythm.health.models import MetricValue
    from rhythm.people.choices import Role
    from rhythm.people.services import create_member

    started = time.monotonic()
    mid = Segment.objects.create(name="Bench Mid-Market", arr_floor=0, arr_ceiling=1_000_000)
    cse = create_member(
        {"username": "bench-campaign-cse", "email": "cse@bench.example"}, roles=[Role.CSE]
    )
    cse.covered_regions = ["EMEA"]
    cse.save()
    cse.covered_segments.set([mid])
    today = timezone.localdate()
    regions = ("EMEA", "AMER", "APAC")
    with transaction.atomic():
        made = Account.objects.bulk_create(
            (
                Account(
                    name=f"Bench {i:07d}",
                    crm_id=f"BENCH-CAMP-{i}",
                    segment=mid,
                    region=regions[i % 3],
                    arr=120000,
                    lam=400000,
                )  # fmt: skip
                for i in range(accounts)
            ),
            batch_size=2000,
        )
        Contact.objects.bulk_create(
            (
                Contact(account=a, name="Pat", email=f"p{a.pk}@customer.example")
                for a in made
                if a.pk % 5
            ),  # fmt: skip
            batch_size=2000,
        )
        for start in range(0, len(made), 2000):
            MetricValue.objects.bulk_create(
                MetricValue(
                    account=a,
                    metric=metric,
                    date=today - timedelta(days=days),
                    value=Decimal(30 if _low(a.pk, days) else 70),
                )
                for a in made[start : start + 2000]
                for metric in METRICS
                for days in READINGS
            )
    campaign = Campaign.objects.get(name=LOW)
    campaign.regions = ["EMEA"]
    campaign.save()
    campaign.segments.set([mid])
    _exclusions(campaign, cse)
    log(
        f"  campaigns fixture: {accounts:,} accounts, {MetricValue.objects.count():,} metric rows"
        f" in {time.monotonic() - started:.0f} s"
    )
    return campaign, mid, cse


def _exclusions(campaign, cse) -> None:
    """Some of each exclusion, so that the counts the two sides agree on are not zeros:
    an account in 50 opted out, one in 40 already sent this campaign, the contacts of
    one in 30 unsubscribed (the accounts with no contact are one in 5)."""
    from rhythm.campaigns.models import AccountOptOut, CampaignRun, CampaignSend, Unsubscribe
    from rhythm.customers.models import Account, Contact

    benched = Account.objects.filter(crm_id__startswith="BENCH-CAMP-")
    ids = list(benched.values_list("pk", flat=True))
    AccountOptOut.objects.bulk_create(
        (AccountOptOut(account_id=pk, reason="bench") for pk in ids if pk % 50 == 0),
        batch_size=2000,
    )
    run = CampaignRun.objects.create(campaign=campaign)
    CampaignSend.objects.bulk_create(
        (CampaignSend(campaign=campaign, account_id=pk, run=run, cse=cse)
         for pk in ids if pk % 40 == 1),
        batch_size=2000,
    )  # fmt: skip
    unsubscribing = Contact.objects.filter(account_id__in=[pk for pk in ids if pk % 30 == 2])
    Unsubscribe.objects.bulk_create(
        (Unsubscribe(contact_id=pk) for pk in unsubscribing.values_list("pk", flat=True)),
        batch_size=2000,
    )


def _baseline_sql(campaign, mid, cse, today, now) -> tuple[str, list]:
    """The preview's counts, by hand: the same target group, condition and flags
    (suppressed: opted out or in an open escalation; already received; covered; the
    eligible contacts), each flag computed once per matched account."""
    from rhythm.escalations import rules as escalation_rules

    start = today - timedelta(days=90)
    since = now - timedelta(days=campaign.frequency_cap_days)
    sql = """
WITH matched AS (
  SELECT a.id, a.segment_id, a.region FROM customers_account a
  WHERE a.archived_at IS NULL AND a.segment_id = %s AND a.region = %s
    AND EXISTS (SELECT 1 FROM health_metricvalue m WHERE m.account_id = a.id
                AND m.metric = 'license_utilisation' AND m.date >= %s AND m.date <= %s
                AND m.date <= %s)
    AND NOT EXISTS (SELECT 1 FROM health_metricvalue m WHERE m.account_id = a.id
                AND m.metric = 'license_utilisation' AND m.date >= %s AND m.date <= %s
                AND NOT (m.value < 50))
), flags AS (
  SELECT x.id,
    (EXISTS (SELECT 1 FROM campaigns_accountoptout o WHERE o.account_id = x.id)
     OR EXISTS (SELECT 1 FROM escalations_escalation z WHERE z.account_id = x.id
                AND z.state IN (%s, %s, %s))) AS sup,
    EXISTS (SELECT 1 FROM campaigns_campaignsend s WHERE s.account_id = x.id
            AND s.campaign_id = %s) AS rec,
    (x.segment_id = %s AND x.region = 'EMEA') AS cov,
    (SELECT COUNT(*) FROM customers_contact c WHERE c.account_id = x.id
       AND c.archived_at IS NULL AND c.email <> ''
       AND NOT EXISTS (SELECT 1 FROM campaigns_unsubscribe u WHERE u.contact_id = c.id)
       AND NOT EXISTS (SELECT 1 FROM campaigns_campaignemail e WHERE e.contact_id = c.id
                       AND e.sent_at >= %s)) AS n
  FROM matched x
)
SELECT COUNT(*),
  SUM(CASE WHEN NOT sup AND NOT rec AND cov AND n > 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN NOT sup AND NOT rec AND cov AND n > 0 THEN n ELSE 0 END),
  SUM(CASE WHEN sup THEN 1 ELSE 0 END),
  SUM(CASE WHEN NOT sup AND rec THEN 1 ELSE 0 END),
  SUM(CASE WHEN NOT sup AND NOT rec AND NOT cov THEN 1 ELSE 0 END),
  SUM(CASE WHEN NOT sup AND NOT rec AND cov AND n = 0 THEN 1 ELSE 0 END)
FROM flags"""
    open_states = sorted(escalation_rules.OPEN_STATES)
    assert len(open_states) == 3
    params = [mid.pk, "EMEA", start, start + timedelta(days=7), today, start, today,
              *open_states, campaign.pk, mid.pk, since]  # fmt: skip
    return sql, params


def audience(accounts: int, rounds: int, log) -> dict:
    from django.db import connection
    from django.utils import timezone

    from rhythm.campaigns import audience as campaign_audience

    campaign, mid, cse = _fixture(accounts, log)
    vacuum(["customers_account", "health_metricvalue", "customers_contact"])
    now = timezone.now()
    today = timezone.localdate(now)
    sql, params = _baseline_sql(campaign, mid, cse, today, now)
    subject_times, baseline_times = [], []
    found = expected = None
    for n in range(rounds):
        started = time.perf_counter()
        evaluated = campaign_audience.evaluate(campaign, today, now, campaign_audience.coverage())
        found = evaluated.counts()
        subject_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            expected = cursor.fetchone()
        baseline_times.append(time.perf_counter() - started)
        log(
            f"  audience round {n + 1}/{rounds}: {subject_times[-1]:.3f} s"
            f" vs {baseline_times[-1]:.3f} s"
        )
    assert found is not None and expected is not None
    names = ("matched", "eligible", "contacts", "suppressed", "already_received",
             "no_covering_cse", "no_eligible_contact")  # fmt: skip
    ours = tuple(found[name] for name in names)
    same = ours == tuple(int(v or 0) for v in expected)
    subject, baseline = statistics.median(subject_times), statistics.median(baseline_times)
    ratio = subject / baseline if baseline else float("inf")
    notes = [f"counts {dict(zip(('matched', 'eligible', 'contacts'), ours[:3], strict=True))}"]
    if not same:
        notes.append(f"COUNTS DIFFER: ours {ours}, hand-written {tuple(expected)}")
    return {
        "benchmark": "campaign audience (campaigns.audience counts)",
        "subject": f"{subject:.3f} s",
        "baseline": f"hand-written SQL {baseline:.3f} s",
        "ratio": ratio,
        "target": "<= 2, < 1 s",
        "passed": ratio <= 2 and subject < 1 and same,
        "scale": f"{accounts:,} accounts x {len(METRICS)} metrics x {len(READINGS)} readings;"
        f" median of {rounds}",
        "notes": notes,
    }


def _write_csv(path: Path, rows: int) -> None:
    from django.utils import timezone

    from rhythm.customers.models import Account

    crm_ids = list(
        Account.objects.filter(crm_id__startswith="BENCH-CAMP-").values_list("crm_id", flat=True)
    )
    today = timezone.localdate()
    with open(path, "w") as out:
        out.write("account,metric,date,value\n")
        for i in range(rows):
            day = today - timedelta(days=100 + i // (len(crm_ids) * len(METRICS)) % 600)
            metric = METRICS[(i // len(crm_ids)) % len(METRICS)]
            out.write(f"{crm_ids[i % len(crm_ids)]},{metric},{day},{i % 97}\n")


def _child(mode: str, path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.campaigns", mode, str(path)],
        cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def metric_import(rows: int, log) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "metrics.csv"
        _write_csv(path, rows)
        log(f"  import file: {rows:,} rows, {path.stat().st_size / 1e6:.0f} MB")
        ours = _child("import", path)
        log(f"  import: {ours['seconds']:.1f} s, peak {ours['peak_mb']:.0f} MB")
        theirs = _child("baseline", path)
        log(f"  hand-written upsert: {theirs['seconds']:.1f} s, peak {theirs['peak_mb']:.0f} MB")
    ratio = ours["seconds"] / theirs["seconds"] if theirs["seconds"] else float("inf")
    return {
        "benchmark": "metrics import (health.services.import_file)",
        "subject": f"{rows / ours['seconds']:,.0f} rows/s, peak {ours['peak_mb']:.0f} MB",
        "baseline": f"hand-written upsert {rows / theirs['seconds']:,.0f} rows/s",
        "ratio": ratio,
        "target": "<= 3, < 300 MB",
        "passed": ratio <= 3 and ours["peak_mb"] < 300 and ours["written"] == rows,
        "scale": f"{rows:,} rows from CSV; checked (good rows kept in a temporary file),"
        " then written in one transaction",
        "notes": [f"written {ours['written']:,}"],
    }


def run(log) -> list[dict]:
    accounts = int(os.environ.get("BENCH_CAMPAIGN_ACCOUNTS", "100000"))
    rows = int(os.environ.get("BENCH_IMPORT_ROWS", "1000000"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    return [audience(accounts, rounds, log), metric_import(rows, log)]


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM). Not getrusage's ru_maxrss: Linux
    keeps that across fork and exec, so a child reported the parent's peak (the
    fixture's, 268 MB for the import and the baseline alike)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, path: str) -> None:
    import csv

    import django

    django.setup()
    from django.db import connection, transaction

    from rhythm.customers.models import Account
    from rhythm.health import services

    started = time.perf_counter()
    if mode == "import":
        written = services.import_file(path).rows_written
    else:
        ids = dict(Account.objects.values_list("crm_id", "pk"))
        sql = (
            "INSERT INTO health_metricvalue (account_id, metric, date, value, imported_at)"
            " VALUES (%s, %s, %s, %s, CURRENT_TIMESTAMP) ON CONFLICT (account_id, metric, date)"
            " DO UPDATE SET value = excluded.value, imported_at = excluded.imported_at"
        )
        written = 0
        with open(path, newline="") as handle, transaction.atomic(), connection.cursor() as cur:
            reader = csv.reader(handle)
            next(reader)
            batch = []
            for crm_id, metric, day, value in reader:
                batch.append((ids[crm_id], metric, day, value))
                if len(batch) == 5000:
                    cur.executemany(sql, batch)
                    written += len(batch)
                    batch = []
            if batch:
                cur.executemany(sql, batch)
                written += len(batch)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_mb": _peak_mb(), "written": written}))


if __name__ == "__main__":
    child(sys.argv[1], sys.argv[2])
