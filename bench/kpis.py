"""The manager's KPI dashboard over N engagement requests, against hand-written SQL.

The fixture is written with set-based SQL: N requests over N/100 accounts (three
segments, every region), filed across one fiscal year, in every state (a fifth each:
review, started, complete, rejected, closed), each with its transitions (2.4 per
request on average), a deliverable's outcome per completed one, and a doc linked by
three in four of them.

The subject is what the dashboard computes for the engagements' KPIs
(kpis.definitions.compute: volume by month, offering, segment and region; deliverables
on time; docs updated; time in each review state; rejection reasons; capacity), as a
CSE manager who sees every account; the baseline is one hand-written aggregate SQL
statement per KPI for the same figures, on the same database. Both are run in turn,
each round, and their figures compared. BENCH_KPIS_REQUESTS (default 1,000,000; the
lead's run) shrinks it to try it out.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, date

from bench.reconcile import _series

KEYS = (
    "volume_by_month",
    "volume_by_offering",
    "volume_by_segment",
    "volume_by_region",
    "deliverables",
    "docs_updated",
    "time_in_state",
    "rejection_reasons",
    "capacity",
)
START = date(2026, 2, 1)  # FY2027 with the default February start
PERIOD = "FY2027"
CSES = 40


def make_fixture(n: int, log) -> None:
    from django.conf import settings
    from django.db import connection, transaction

    from rhythm.catalog.models import Offering
    from rhythm.customers.models import Account, Objective, Segment, SuccessPlan
    from rhythm.people.choices import Role
    from rhythm.people.services import create_member

    started = time.monotonic()
    csm = create_member(
        {"username": "bench-kpi-csm", "email": "kc@bench.example"}, roles=[Role.CSM]
    )
    cses = [
        create_member(
            {"username": f"bench-kpi-cse{i}", "email": f"k{i}@bench.example"}, roles=[Role.CSE]
        )
        for i in range(CSES)
    ]
    segments = [
        Segment.objects.create(
            name=f"KPI band {i}", arr_floor=i * 100_000, arr_ceiling=(i + 1) * 100_000
        )
        for i in range(3)
    ]
    regions = list(settings.RHYTHM_REGIONS)
    accounts = max(1, n // 100)
    with transaction.atomic():
        made = Account.objects.bulk_create(
            (
                Account(
                    name=f"KPI customer {i:07d}",
                    crm_id=f"BENCH-KPI-{i}",
                    segment=segments[i % 3],
                    region=regions[i % len(regions)],
                    arr=120000,
                    lam=400000,
                )
                for i in range(accounts)
            ),
            batch_size=2000,
        )
        plan = SuccessPlan.objects.create(account=made[0], name="Bench plan")
        objective = Objective.objects.create(success_plan=plan, title="Bench objective")
    first_account = min(a.pk for a in made)
    offerings = list(Offering.objects.active().order_by("pk").values_list("pk", flat=True))
    vendor = connection.vendor
    with_clause, series = _series(vendor, n)
    # No parameters: every value is ours, and % stays the modulo operator on both.
    start = START.isoformat()
    if vendor == "postgresql":
        filed = f"('{start} 00:00:00+00'::timestamptz + (x % 360) * interval '1 day')"
        filed_on = f"({filed})::date"

        def plus(base: str, days: str) -> str:
            return f"({base} + ({days}) * interval '1 day')"

        false, true = "false", "true"
    else:
        filed = f"datetime('{start}', '+' || (x % 360) || ' days')"
        filed_on = f"date('{start}', '+' || (x % 360) || ' days')"

        def plus(base: str, days: str) -> str:
            return f"datetime({base}, '+' || ({days}) || ' days')"

        false, true = "0", "1"
    state = (
        "CASE x % 5 WHEN 0 THEN 'review' WHEN 1 THEN 'started' WHEN 2 THEN 'complete' "
        "WHEN 3 THEN 'rejected' ELSE 'closed' END"
    )
    offering = f"CASE WHEN x % 8 = 7 THEN NULL ELSE {offerings[0]} + x % {len(offerings)} END"
    cse_ids = [c.pk for c in cses]
    ours = "title LIKE 'Bench request %'"
    columns = (
        "at, reason, request_id, from_state, to_state, actor_id, reason_code, "
        "assigned_cse_id, over_capacity, override_reason"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO engagements_engagementrequest (created_at, updated_at, archived_at,
                    title, account_id, objective_id, offering_id, effort_kind, duration_weeks,
                    hours_per_week, target_start_date, outcome, metrics, deliverables, state,
                    duplicate_reason, state_changed_at, doc_url, doc_none_reason,
                    requested_by_id, assigned_cse_id)
                {with_clause}
                SELECT {filed}, {filed}, NULL, 'Bench request ' || x,
                    {first_account} + x % {accounts}, {objective.pk}, {offering}, 'duration', 4,
                    4 + x % 3, {filed_on}, 'Faster pipelines.', '[]', '["Reference pipeline"]',
                    {state}, '', {filed},
                    CASE WHEN x % 5 IN (2, 4) AND x % 4 <> 0
                        THEN 'https://docs.example/' || x ELSE '' END,
                    CASE WHEN x % 5 IN (2, 4) AND x % 4 = 0 THEN 'Covered.' ELSE '' END,
                    {csm.pk},
                    CASE WHEN x % 5 IN (1, 2, 4) THEN {cse_ids[0]} + x % {CSES} ELSE NULL END
                FROM {series} ORDER BY x"""
        )
        log(f"  kpis: {n:,} requests in {time.monotonic() - started:.0f} s")
        # Filed (review), the next move a few days later, completion weeks on, closing.
        cursor.execute(
            f"""INSERT INTO engagements_transition ({columns})
                SELECT created_at, '', id, '', 'review', {csm.pk}, '', NULL, {false}, ''
                FROM engagements_engagementrequest WHERE {ours}"""
        )
        cursor.execute(
            f"""INSERT INTO engagements_transition ({columns})
                SELECT {plus("created_at", "1 + id % 7")}, '', id, 'review',
                    CASE WHEN state = 'rejected' THEN 'rejected' ELSE 'started' END, {csm.pk},
                    CASE WHEN state = 'rejected' THEN
                        CASE id % 3 WHEN 0 THEN 'out_of_scope' WHEN 1 THEN 'no_capacity'
                        ELSE 'not_eligible' END
                    ELSE '' END,
                    assigned_cse_id, {false}, ''
                FROM engagements_engagementrequest WHERE {ours} AND state <> 'review'"""
        )
        cursor.execute(
            f"""INSERT INTO engagements_transition ({columns})
                SELECT {plus("created_at", "8 + 7 * (id % 5)")}, '', id, 'started',
                    'complete', assigned_cse_id, '', NULL, {false}, ''
                FROM engagements_engagementrequest
                WHERE {ours} AND state IN ('complete', 'closed')"""
        )
        cursor.execute(
            f"""INSERT INTO engagements_deliverableoutcome (request_id, transition_id, position,
                    text, achieved, on_time)
                SELECT t.request_id, t.id, 0, 'Reference pipeline', {true},
                    CASE WHEN t.request_id % 3 = 0 THEN {false} ELSE {true} END
                FROM engagements_transition t WHERE t.to_state = 'complete'"""
        )
        cursor.execute(
            f"""INSERT INTO engagements_transition ({columns})
                SELECT {plus("created_at", "9 + 7 * (id % 5)")}, '', id, 'complete',
                    'closed', {csm.pk}, '', NULL, {false}, ''
                FROM engagements_engagementrequest WHERE {ours} AND state = 'closed'"""
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"  kpis: fixture of {n:,} requests in {time.monotonic() - started:.0f} s")


# --- The baseline: one hand-written statement per KPI ----------------------------------


def _baseline_sql(vendor: str, since: str, until: str, cta_hours: int) -> dict[str, str]:
    if vendor == "postgresql":
        month = "to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM')"
        month_t = "to_char(t.at AT TIME ZONE 'UTC', 'YYYY-MM')"
        seconds = "EXTRACT(EPOCH FROM (nxt - at))"
        truth = "true"
    else:
        month = "strftime('%Y-%m', r.created_at)"
        month_t = "strftime('%Y-%m', t.at)"
        seconds = "(julianday(nxt) - julianday(at)) * 86400"
        truth = "1"
    period = f"r.created_at >= '{since}' AND r.created_at < '{until}'"
    at = f"t.at >= '{since}' AND t.at < '{until}'"
    live = "r.archived_at IS NULL"
    return {
        "volume_by_month": f"SELECT {month}, COUNT(*) FROM engagements_engagementrequest r "
        f"WHERE {live} AND {period} GROUP BY 1",
        "volume_by_offering": "SELECT r.offering_id, COUNT(*) FROM engagements_engagementrequest r "
        f"WHERE {live} AND {period} GROUP BY 1",
        "volume_by_segment": "SELECT a.segment_id, COUNT(*) FROM engagements_engagementrequest r "
        f"JOIN customers_account a ON a.id = r.account_id WHERE {live} AND {period} GROUP BY 1",
        "volume_by_region": "SELECT a.region, COUNT(*) FROM engagements_engagementrequest r "
        f"JOIN customers_account a ON a.id = r.account_id WHERE {live} AND {period} GROUP BY 1",
        "deliverables": f"SELECT {month_t}, COUNT(*), SUM(CASE WHEN d.on_time = {truth} THEN 1 "
        "ELSE 0 END) FROM engagements_deliverableoutcome d JOIN engagements_transition t "
        f"ON t.id = d.transition_id WHERE {at} GROUP BY 1",
        "docs_updated": "SELECT COUNT(DISTINCT CASE WHEN r.doc_url <> '' THEN r.id END), "
        "COUNT(DISTINCT CASE WHEN r.doc_url = '' AND r.doc_none_reason <> '' THEN r.id END), "
        "COUNT(DISTINCT CASE WHEN r.doc_url = '' AND r.doc_none_reason = '' THEN r.id END) "
        "FROM engagements_transition t JOIN engagements_engagementrequest r "
        f"ON r.id = t.request_id WHERE t.to_state = 'complete' AND {at}",
        # Each move's stay, until the request's next move (LEAD over its moves in order).
        "time_in_state": f"SELECT to_state, COUNT(*), AVG({seconds}) FROM (SELECT t.to_state, "
        "t.at, LEAD(t.at) OVER (PARTITION BY t.request_id ORDER BY t.at, t.id) AS nxt "
        "FROM engagements_transition t) s WHERE nxt IS NOT NULL AND to_state NOT IN "
        f"('rejected', 'closed') AND at >= '{since}' AND at < '{until}' GROUP BY 1",
        "rejection_reasons": "SELECT t.reason_code, COUNT(*) FROM engagements_transition t "
        f"WHERE t.to_state = 'rejected' AND {at} GROUP BY 1",
        "capacity": f"SELECT u.id, u.weekly_capacity_hours, COALESCE((SELECT SUM(r.hours_per_week) "
        "FROM engagements_engagementrequest r WHERE r.assigned_cse_id = u.id AND "
        "r.state = 'started' AND r.archived_at IS NULL), 0) + "
        f"{cta_hours} * (SELECT COUNT(*) FROM ctas_cta c WHERE c.owner_id = u.id AND "
        "c.source IN ('realtime', 'reconciliation') AND c.status <> 'closed') "
        "FROM people_user u JOIN people_user_groups ug ON ug.user_id = u.id "
        "JOIN auth_group g ON g.id = ug.group_id WHERE g.name = 'CSE' AND u.is_active = "
        f"{truth} AND u.archived_at IS NULL",
    }


def _baseline(cursor, statements: dict[str, str]) -> dict[str, list]:
    out = {}
    for key, sql in statements.items():
        cursor.execute(sql)
        out[key] = cursor.fetchall()
    return out


def _totals_from_baseline(rows: dict[str, list]) -> dict[str, float]:
    """The headline figures the baseline's rows give, to compare with the subject's."""

    def pct(part, whole):
        return round(100 * part / whole, 1) if whole else None

    deliverables = [
        sum(r[1] for r in rows["deliverables"]),
        sum(r[2] for r in rows["deliverables"]),
    ]
    docs = rows["docs_updated"][0]
    review = [r for r in rows["time_in_state"] if r[0] == "review"]
    load = sum(float(r[2]) for r in rows["capacity"])
    capacity = sum(float(r[1]) for r in rows["capacity"])
    return {
        "volume_by_month": sum(r[1] for r in rows["volume_by_month"]),
        "volume_by_offering": sum(r[1] for r in rows["volume_by_offering"]),
        "volume_by_segment": sum(r[1] for r in rows["volume_by_segment"]),
        "volume_by_region": sum(r[1] for r in rows["volume_by_region"]),
        "deliverables": pct(deliverables[1], deliverables[0]),
        "docs_updated": pct(docs[0], sum(docs)),
        "time_in_state": round(float(review[0][2]) / 86400, 1) if review else None,
        "rejection_reasons": sum(r[1] for r in rows["rejection_reasons"]),
        "capacity": pct(load, capacity),
    }


def run(*, requests: int, rounds: int, log) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from rhythm.core.dates import day_start
    from rhythm.core.rules import zone_named
    from rhythm.kpis import definitions, rules
    from rhythm.kpis.figures import Filters, Scope
    from rhythm.people.choices import Role
    from rhythm.people.services import create_member

    make_fixture(requests, log)
    manager = create_member(
        {"username": "bench-kpi-manager", "email": "km@bench.example"}, roles=[Role.CSE_MANAGER]
    )
    period = rules.parse_period(
        PERIOD, today=START, start_month=settings.RHYTHM_FISCAL_YEAR_START_MONTH
    )
    # In the manager's zone, as their page runs: the lists bench's in-process requests
    # leave the last viewer's zone active in this thread (New York's midnight then cut
    # the fixture's first day, filed at UTC midnight, from the subject's figures).
    timezone.activate(zone_named(manager.time_zone) or UTC)
    scope = Scope(manager, Filters(period), timezone.now())
    since, until = (
        day_start(d).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        for d in (period.start, period.end)
    )
    statements = _baseline_sql(connection.vendor, since, until, settings.RHYTHM_CTA_HOURS_PER_WEEK)
    manager.has_perm("people.manage_cses")  # its permissions cached, as a page's are
    timings: dict[str, list[float]] = {"subject": [], "baseline": []}
    subject_values: dict[str, float] = {}
    baseline_values: dict[str, float] = {}
    for n in range(rounds):
        for which in ("baseline", "subject") if n % 2 == 0 else ("subject", "baseline"):
            began = time.perf_counter()
            if which == "subject":
                figures = definitions.compute(scope, KEYS)
                subject_values = {kpi.key: figure.value for kpi, figure in figures}
            else:
                with connection.cursor() as cursor:
                    baseline_values = _totals_from_baseline(_baseline(cursor, statements))
            timings[which].append(time.perf_counter() - began)
            log(f"  kpis round {n + 1}/{rounds} {which}: {timings[which][-1]:.2f} s")
    subject = statistics.median(timings["subject"])
    baseline = statistics.median(timings["baseline"])
    ratio = subject / baseline if baseline else 0.0
    same = subject_values == baseline_values
    notes = [f"figures: {subject_values}"]
    if not same:
        notes.append(f"FIGURES DIFFER: subject {subject_values} baseline {baseline_values}")
    return {
        "benchmark": "manager KPI dashboard (kpis.definitions.compute)",
        "subject": f"{subject:.2f} s",
        "baseline": f"hand-written SQL aggregates {baseline:.2f} s",
        "ratio": ratio,
        "target": "<= 2",
        "passed": ratio <= 2 and same,
        "scale": f"{requests:,} engagement requests, {len(KEYS)} KPIs; median of {rounds}",
        "notes": notes,
    }
