"""Reconciliation over N cases of which 1% lack their CTA, against raw INSERT … SELECT.

The fixture is written with set-based SQL: N CSE-help cases spread over N/100
accounts (every seventh with a name long enough to be truncated, every fifth case
opted out of outreach), and a CTA for every case but each hundredth.

Each timed run is a fresh process (`python -m bench.reconcile_child`) so that its
peak resident memory is its own; between runs the rows a run added are deleted
again, and subject and baseline alternate. The baseline raises exactly the rows
`rhythm.ctas.raising._raise_many` raises — the CTAs, their playbook's tasks, the
django-simple-history rows of both and a timeline entry per CTA — with five
INSERT … SELECT statements in one transaction, and both runs' rows are compared.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta

from bench.db import ROOT, vacuum

MISSING_EVERY = 100  # 1% of the cases lack their CTA
LONG_NAME = "International Business Consolidated Manufacturing Holdings Group"
TABLES = [  # the rows a reconciliation adds, children first
    "ctas_historicalctatask",
    "ctas_ctatask",
    "ctas_historicalcta",
    "timeline_timelineentry",
    "ctas_cta",
]
ID_COLUMN = {"ctas_historicalctatask": "history_id", "ctas_historicalcta": "history_id"}


# --- The fixture ----------------------------------------------------------------


def _series(vendor: str, n: int) -> tuple[str, str]:
    """A WITH clause and a FROM item yielding x = 0 … n-1."""
    if vendor == "postgresql":
        return "", f"generate_series(0, {n - 1}) AS s(x)"
    return (
        f"WITH RECURSIVE s(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM s WHERE x < {n - 1}) ",
        "s",
    )


def make_fixture(cases: int, log) -> None:
    from django.conf import settings
    from django.db import connection, transaction

    from rhythm.catalog.models import Offering
    from rhythm.ctas import rules
    from rhythm.customers.models import Account, Contact, Opportunity, Segment
    from rhythm.people.choices import Role
    from rhythm.people.services import create_member

    started = time.monotonic()
    accounts = max(1, cases // 100)
    owner = create_member(
        {"username": "bench-recon-ae", "email": "recon@bench.example"},
        roles=[Role.ACCOUNT_OWNER],
    )
    segment = Segment.objects.create(name="Bench Scale", arr_floor=0, arr_ceiling=1_000_000)
    offering = Offering.objects.active().order_by("position").first()
    assert offering is not None
    with transaction.atomic():
        made = Account.objects.bulk_create(
            (
                Account(
                    name=(LONG_NAME if i % 7 == 0 else "Customer") + f" {i:07d}",
                    crm_id=f"BENCH-RECON-{i}",
                    segment=segment,
                    region="AMER",
                    arr=120000,
                    lam=400000,
                    account_owner=owner,
                )
                for i in range(accounts)
            ),
            batch_size=2000,
        )
        Opportunity.objects.bulk_create(
            (
                Opportunity(account=a, crm_id=f"BENCH-RECON-OPP-{a.pk}", name="Renewal")
                for a in made
            ),
            batch_size=2000,
        )
        Contact.objects.bulk_create(
            (Contact(account=a, name="Pat", email=f"p{a.pk}@customer.example") for a in made),
            batch_size=2000,
        )
    first = {}
    for model in (Account, Opportunity, Contact):
        ids = (
            model.objects.filter(crm_id__startswith="BENCH-RECON")
            if model is not Contact
            else (model.objects.filter(account__crm_id__startswith="BENCH-RECON"))
        )
        low, high, count = (
            ids.order_by("pk").first().pk,
            ids.order_by("-pk").first().pk,
            ids.count(),
        )
        assert high - low + 1 == count, f"{model.__name__} ids are not contiguous"
        first[model.__name__] = low

    vendor = connection.vendor
    created = connection.ops.adapt_datetimefield_value(
        datetime.now().astimezone() - timedelta(days=1)
    )
    with_clause, series = _series(vendor, cases)
    # A hundred consecutive cases share an account, and every fifth hundred opted out
    # of outreach: the cases without a CTA (one per hundred) cover both kinds and
    # every account, long names included.
    account = f"(x / {MISSING_EVERY}) %% %(n)s"
    opted_out = f"((x / {MISSING_EVERY}) %% 5 = 0)"
    room = settings.RHYTHM_CTA_NAME_LIMIT - len(rules.CTA_NAME_SUFFIX)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM cases_case")
        (earlier,) = cursor.fetchone()  # the intake benchmark's cases have their CTAs
        cursor.execute(
            f"""INSERT INTO cases_case (created_at, updated_at, archived_at, kind,
                    opportunity_id, account_id, offering_id, contact_id, challenges,
                    opt_out_outreach, priority, status, opened_by_id, idempotency_key,
                    duplicate_reason)
                {with_clause}
                SELECT %(t)s, %(t)s, NULL, 'cse_help', %(opp)s + {account}, %(acc)s + {account},
                    %(offering)s, %(contact)s + {account}, 'Pipelines are slow.', {opted_out},
                    CASE x %% 3 WHEN 0 THEN 'low' WHEN 1 THEN 'medium' ELSE 'high' END,
                    'open', %(owner)s, NULL, ''
                FROM {series} ORDER BY x""",
            {
                "t": created,
                "n": accounts,
                "opp": first["Opportunity"],
                "acc": first["Account"],
                "contact": first["Contact"],
                "offering": offering.pk,
                "owner": owner.pk,
            },
        )
        cursor.execute(
            f"""INSERT INTO ctas_cta (name, account_id, case_id, type, reason, priority,
                    playbook_id, status, due_date, source, raised_at, latency, created_at,
                    updated_at)
                SELECT rtrim(substr(a.name, 1, %(room)s)) || %(suffix)s, c.account_id, c.id,
                    %(type)s, %(reason)s, c.priority, NULL, 'open', NULL, 'realtime', %(t)s,
                    NULL, %(t)s, %(t)s
                FROM cases_case c JOIN customers_account a ON a.id = c.account_id
                WHERE c.id > %(earlier)s AND c.id %% {MISSING_EVERY} <> 0 ORDER BY c.id""",
            {
                "earlier": earlier,
                "room": room,
                "suffix": rules.CTA_NAME_SUFFIX,
                "type": rules.CTA_TYPE,
                "reason": rules.CTA_REASON,
                "t": created,
            },
        )
    vacuum(["cases_case", "ctas_cta", "customers_account"])
    log(f"  reconciliation fixture: {cases:,} cases in {time.monotonic() - started:.1f} s")


def watermarks() -> dict[str, int]:
    from django.db import connection

    marks = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT COALESCE(MAX({ID_COLUMN.get(table, 'id')}), 0) FROM {table}")
            marks[table] = cursor.fetchone()[0]
    return marks


def digest(marks: dict[str, int]) -> dict[str, object]:
    """What a run added, in numbers both runs must agree on."""
    from django.db import connection

    with connection.cursor() as cursor:
        added = {}
        for table in TABLES:
            cursor.execute(
                f"SELECT COUNT(*) FROM {table} WHERE {ID_COLUMN.get(table, 'id')} > %s",
                [marks[table]],
            )
            added[table] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT COUNT(DISTINCT case_id), SUM(LENGTH(name)), MAX(LENGTH(name)),"
            " COUNT(DISTINCT due_date), COUNT(DISTINCT priority) FROM ctas_cta WHERE id > %s",
            [marks["ctas_cta"]],
        )
        added["ctas"] = [int(x or 0) for x in cursor.fetchone()]
        cursor.execute(
            "SELECT status, COUNT(*), COUNT(DISTINCT due_date), COUNT(DISTINCT step_id)"
            " FROM ctas_ctatask WHERE id > %s GROUP BY status ORDER BY status",
            [marks["ctas_ctatask"]],
        )
        added["tasks"] = [list(row) for row in cursor.fetchall()]
        cursor.execute(
            "SELECT COUNT(*), SUM(LENGTH(title)), SUM(LENGTH(link)), SUM(LENGTH(body))"
            " FROM timeline_timelineentry WHERE id > %s",
            [marks["timeline_timelineentry"]],
        )
        added["timeline"] = [int(x or 0) for x in cursor.fetchone()]
        # Each link names its CTA: compare with the lengths of the new CTAs' links.
        cursor.execute(
            "SELECT SUM(LENGTH('/ctas/' || id || '/')) FROM ctas_cta WHERE id > %s",
            [marks["ctas_cta"]],
        )
        added["timeline"][2] -= int(cursor.fetchone()[0] or 0)
        cursor.execute(
            "SELECT COUNT(*) FROM cases_case c WHERE NOT EXISTS"
            " (SELECT 1 FROM ctas_cta t WHERE t.case_id = c.id)"
        )
        added["still missing"] = cursor.fetchone()[0]
    return added


def reset(marks: dict[str, int]) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(
                f"DELETE FROM {table} WHERE {ID_COLUMN.get(table, 'id')} > %s", [marks[table]]
            )
    vacuum(TABLES)


# --- The baseline ---------------------------------------------------------------


def baseline_sql() -> int:
    """The reconciliation's rows with five INSERT … SELECT statements in one transaction."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from rhythm.ctas import rules
    from rhythm.ctas.models import Cta, CtaTask, PlaybookStep

    now = timezone.now()
    today = timezone.localdate(now)
    pg = connection.vendor == "postgresql"
    ops = connection.ops
    as_date = "CAST(%({})s AS date)" if pg else "%({})s"
    latency = (
        "%(now)s::timestamptz - c.created_at"
        if pg
        else "CAST(ROUND((julianday(%(now)s) - julianday(c.created_at)) * 86400000000.0)"
        " AS INTEGER)"
    )
    params: dict[str, object] = {
        "now": ops.adapt_datetimefield_value(now),
        "room": settings.RHYTHM_CTA_NAME_LIMIT - len(rules.CTA_NAME_SUFFIX),
        "suffix": rules.CTA_NAME_SUFFIX,
        "type": rules.CTA_TYPE,
        "reason": rules.CTA_REASON,
        "due": ops.adapt_datefield_value(rules.task_due_date(today, settings.RHYTHM_CTA_DUE_DAYS)),
        "skipped_note": "The account owner opted out of automatic outreach.",
    }
    with transaction.atomic(), connection.cursor() as cursor:
        steps = list(
            PlaybookStep.objects.active()
            .filter(playbook__name=rules.ONE_OFF_PLAYBOOK, playbook__archived_at__isnull=True)
            .select_related("playbook")
            .order_by("position")
        )
        playbook = steps[0].playbook
        params["playbook"] = playbook.pk
        params["body"] = f"Playbook {playbook.name}."
        values = []
        for position, step in enumerate(steps, start=1):
            values.append(
                f"(%(s{position})s, {position}, %(t{position})s, {as_date.format(f'd{position}')},"
                f" %(c{position})s)"
            )
            params[f"s{position}"] = step.pk
            params[f"t{position}"] = step.title
            params[f"d{position}"] = ops.adapt_datefield_value(
                rules.task_due_date(today, step.due_offset_days)
            )
            params[f"c{position}"] = step.condition
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM ctas_cta")
        params["cta_mark"] = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM ctas_ctatask")
        params["task_mark"] = cursor.fetchone()[0]

        cursor.execute(
            f"""INSERT INTO ctas_cta (name, account_id, case_id, request_id, type, reason,
                    priority, playbook_id, owner_id, status, due_date, source, raised_at,
                    latency, accepted_at, closed_at, outreach_message_id, created_at, updated_at)
                SELECT rtrim(substr(a.name, 1, %(room)s)) || %(suffix)s, c.account_id, c.id,
                    NULL, %(type)s, %(reason)s, c.priority, %(playbook)s, NULL, 'open',
                    {as_date.format("due")}, 'reconciliation', %(now)s, {latency}, NULL, NULL,
                    NULL, %(now)s, %(now)s
                FROM cases_case c JOIN customers_account a ON a.id = c.account_id
                WHERE c.kind = 'cse_help' AND c.archived_at IS NULL
                    AND NOT EXISTS (SELECT 1 FROM ctas_cta t WHERE t.case_id = c.id)
                ORDER BY c.id""",
            params,
        )
        raised = cursor.rowcount
        cursor.execute(_copy_history(Cta, "cta_mark"), params)
        cursor.execute(
            f"""INSERT INTO ctas_ctatask (cta_id, step_id, position, title, due_date, status,
                    note, completed_by_id, completed_at, created_at, updated_at)
                WITH steps (step_id, position, title, due_date, cond) AS
                    (VALUES {", ".join(values)})
                SELECT t.id, s.step_id, s.position, s.title, s.due_date,
                    CASE WHEN c.opt_out_outreach AND s.cond = 'unless_opted_out'
                        THEN 'skipped' ELSE 'open' END,
                    CASE WHEN c.opt_out_outreach AND s.cond = 'unless_opted_out'
                        THEN %(skipped_note)s ELSE '' END,
                    NULL, NULL, %(now)s, %(now)s
                FROM ctas_cta t JOIN cases_case c ON c.id = t.case_id CROSS JOIN steps s
                WHERE t.id > %(cta_mark)s ORDER BY t.id, s.position""",
            params,
        )
        cursor.execute(_copy_history(CtaTask, "task_mark"), params)
        cursor.execute(
            """INSERT INTO timeline_timelineentry (account_id, kind, occurred_at, title, body,
                    actor_id, link, archived_at)
                SELECT account_id, 'cta', %(now)s, 'CTA raised: ' || name, %(body)s, NULL,
                    '/ctas/' || id || '/', NULL
                FROM ctas_cta WHERE id > %(cta_mark)s ORDER BY id""",
            params,
        )
    return raised


def _copy_history(model, mark: str) -> str:
    """django-simple-history's "+" row for each new row: every tracked column copied."""
    columns = [f.column for f in model.history.model.tracked_fields]
    listed = ", ".join(columns)
    return (
        f"INSERT INTO {model.history.model._meta.db_table} ({listed}, history_date,"
        f" history_user_id, history_change_reason, history_type)"
        f" SELECT {listed}, %(now)s, NULL, NULL, '+' FROM {model._meta.db_table}"
        f" WHERE id > %({mark})s ORDER BY id"
    )


# --- The runs -------------------------------------------------------------------


def _timed_child(which: str) -> dict:
    output = subprocess.run(
        [sys.executable, "-m", "bench.reconcile_child", which],
        cwd=ROOT,
        env=os.environ.copy(),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def run(*, cases: int, rounds: int, scale_name: str, log) -> dict:
    from django.db import connections

    make_fixture(cases, log)
    marks = watermarks()
    connections.close_all()
    results: dict[str, list[dict]] = {"subject": [], "baseline": []}
    digests: dict[str, dict] = {}
    for n in range(rounds):
        order = ["baseline", "subject"] if n % 2 == 0 else ["subject", "baseline"]
        for which in order:
            outcome = _timed_child(which)
            digests.setdefault(which, digest(marks))
            reset(marks)
            connections.close_all()
            results[which].append(outcome)
            log(
                f"  reconcile round {n + 1}/{rounds} {which}: {outcome['seconds']:.2f} s,"
                f" {outcome['raised']:,} raised, peak {outcome['peak_mb']:.0f} MB"
            )
    subject = statistics.median(r["seconds"] for r in results["subject"])
    baseline = statistics.median(r["seconds"] for r in results["baseline"])
    peak = max(r["peak_mb"] for r in results["subject"])
    loaded = max(r["start_mb"] for r in results["subject"])
    same = digests["subject"] == digests["baseline"]
    ratio = subject / baseline if baseline else 0.0
    raised = results["subject"][0]["raised"]
    notes = [
        f"CTAs raised per run: {raised:,}; rows per run: "
        + ", ".join(f"{t} {digests['subject'][t]:,}" for t in TABLES),
        f"peak RSS {peak:.0f} MB (of which {loaded:.0f} MB before reconcile() started)",
    ]
    if not same:
        notes.append(f"ROWS DIFFER: subject {digests['subject']} baseline {digests['baseline']}")
    return {
        "benchmark": "reconciliation (ctas.services.reconcile)",
        "subject": f"{subject:.2f} s, peak {peak:.0f} MB",
        "baseline": f"raw INSERT ... SELECT {baseline:.2f} s",
        "ratio": ratio,
        "target": "<= 1.5, < 300 MB",
        "passed": ratio <= 1.5 and peak < 300 and same,
        "scale": f"{scale_name}: {cases:,} cases, 1% without CTA; median of {rounds}",
        "notes": notes,
    }
