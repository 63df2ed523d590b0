"""The world at scale, in bulk: the demo grown to 20,000 accounts, 100,000 CS Help
cases with their CTAs, 700,000 tasks and their history, timeline entries, and
20,000 engagement requests, on SQLite or PostgreSQL (whichever Django is set up on).

    from bench import world
    world.build(log=print)      # on a database the demo was loaded into

Rows are written as the services leave them, set-based: the requests board's
helper (bench.board.fill) files 20,000 requests over every column, each with its
stakeholder, transitions and (once started) CTA, and opens as many CS Help cases
whose CTAs the real reconciliation raises; the other 80,000 cases are one
INSERT … SELECT, and their CTAs, tasks, history rows and timeline entries the
reconciliation benchmark's raw baseline (bench.reconcile.baseline_sql), which
writes exactly the rows the reconciliation writes. Their statuses, owners and
ages are then spread by a few UPDATEs, as a year of work would leave them.

The demo's first account owner (adam.ae) owns one account in a hundred; the
others belong to the demo's other account owners.

The world's shape is a company's of that size, not the demo's team buried in work:
a team of TEAM CSEs (the demo's four and more alike: 40 hours a week, every
region and segment in turn), and most work done. A CSE's capacity counts
RHYTHM_CTA_HOURS_PER_WEEK (2) per open CTA and each running engagement's hours:
at 40 hours that is a dozen CTAs and a few engagements at once. So of the CTAs 98%
are closed, 1% in progress (some sixteen per CSE) and 1% open (waiting for a CSE);
of the requests most are closed or rejected, a few hundred running (REQUEST_MIX).
The demo's four CSEs holding 20,000 CTAs in progress (the first measurement) made
the home and capacity pages count work no team could hold.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from decimal import Decimal

ACCOUNTS = 20_000
CASES = 100_000
REQUESTS = 20_000
OWNER = "adam.ae"  # the account owner who sees 1% of the accounts
OWNED_EVERY = 100
SPREAD = 100  # CTAs fall into this many groups of status, owner and age
TEAM = 50  # CSEs: the demo's and more, for 20,000 accounts
# The requests' columns, in hundredths: a year of requests, most of them done.
REQUEST_MIX = [
    ("review", 2),
    ("clarification", 1),
    ("started", 2),
    ("complete", 1),
    ("rejected", 6),
    ("closed", 88),
]
# The requests' own CTAs follow them; the CS Help cases' CTAs (the board's other
# half), in hundredths too.
CTA_MIX = [("open", 1), ("in_progress", 1), ("closed", 98)]


def build(*, accounts: int = ACCOUNTS, cases: int = CASES, requests: int = REQUESTS, log) -> dict:
    """Grow the demo to the sizes given; returns what the database then holds."""
    from django.db import transaction

    from bench import board
    from bench.db import vacuum
    from rhythm.customers.models import Account

    started = time.monotonic()
    with transaction.atomic():
        _accounts(accounts - Account.objects.count())
    log(f"  world: {Account.objects.count():,} accounts in {time.monotonic() - started:.1f} s")
    grow_team(TEAM)
    every = list(Account.objects.order_by("pk"))
    board.fill(requests, accounts=every, request_mix=REQUEST_MIX, cta_mix=CTA_MIX)
    log(f"  world: {requests:,} requests and CTAs in {time.monotonic() - started:.1f} s")
    marks = _marks()
    _cases(cases - _count("cases_case"))
    log(f"  world: cases, CTAs and tasks in {time.monotonic() - started:.1f} s")
    _spread_ctas(*marks)
    vacuum(TABLES)
    held = {table: _count(table) for table in TABLES}
    log(
        f"  world built in {time.monotonic() - started:.0f} s: "
        + ", ".join(f"{table} {n:,}" for table, n in held.items())
    )
    return held


TABLES = [
    "customers_account",
    "cases_case",
    "ctas_cta",
    "ctas_ctatask",
    "ctas_historicalctatask",
    "engagements_engagementrequest",
    "timeline_timelineentry",
]


def _count(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        return cursor.fetchone()[0]


def _marks() -> tuple[int, int]:
    """The last CTA and timeline entry before the baseline raises its rows."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM ctas_cta")
        (cta,) = cursor.fetchone()
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM timeline_timelineentry")
        (entry,) = cursor.fetchone()
    return cta, entry


def grow_team(size: int) -> None:
    """The team grown to `size` CSEs through the people service, each like the demo's
    first CSE (40 hours a week) and covering a region and every segment."""
    from django.conf import settings

    from rhythm.customers.models import Segment
    from rhythm.people import services as people
    from rhythm.people.choices import Role
    from rhythm.people.models import User

    cses = User.objects.active().with_role(Role.CSE).order_by("pk")
    model = cses.first()
    segments = list(Segment.objects.active().values_list("pk", flat=True))
    regions = settings.RHYTHM_REGIONS
    for i in range(cses.count(), size):
        region = regions[i % len(regions)]
        people.create_member(
            {
                "username": f"world.cse{i:02d}",
                "first_name": "World",
                "last_name": f"CSE {i:02d}",
                "email": f"world.cse{i:02d}@rhythm.example",
                "title": "Customer Success Engineer",
                "region": region,
                "time_zone": model.time_zone,
                "holiday_country": model.holiday_country,
                "holiday_subdivision": model.holiday_subdivision,
                "weekly_capacity_hours": Decimal(40),
                "covered_regions": [region],
            },
            roles=[Role.CSE],
            segment_ids=segments,
        )


def _accounts(n: int) -> None:
    """n more accounts over the demo's segments and regions, one in a hundred the
    measured account owner's, each with a contact and an open opportunity."""
    from django.conf import settings
    from django.utils import timezone

    from rhythm.customers.models import Account, Contact, Opportunity, Segment
    from rhythm.people.choices import Role
    from rhythm.people.models import User

    owner = User.objects.get(username=OWNER)
    others = list(
        User.objects.active().with_role(Role.ACCOUNT_OWNER).exclude(pk=owner.pk).order_by("pk")
    )
    csms = list(User.objects.active().with_role(Role.CSM).order_by("pk"))
    segments = list(Segment.objects.active().order_by("pk"))
    regions = settings.RHYTHM_REGIONS
    today = timezone.localdate()
    made = Account.objects.bulk_create(
        (
            Account(
                name=f"World Customer {i:05d}",
                crm_id=f"WORLD-{i:05d}",
                segment=segments[i % len(segments)],
                region=regions[i % len(regions)],
                arr=Decimal(20_000 + (i * 7919) % 900_000),
                lam=Decimal(200_000 + (i * 104_729) % 4_000_000),
                renewal_date=today + timedelta(days=5 + i % 540),
                licenses_purchased=100 + i % 900,
                licenses_used=50 + i % 400,
                account_owner=owner if i % OWNED_EVERY == 0 else others[i % len(others)],
                # The measured owner's accounts have no CSM of the team: only they see them.
                csm=None if i % OWNED_EVERY == 0 else csms[i % len(csms)],
            )
            for i in range(n)
        ),
        batch_size=2000,
    )
    Contact.objects.bulk_create(
        (Contact(account=a, name="Pat Lee", email=f"pat.{a.pk}@customer.example") for a in made),
        batch_size=2000,
    )
    Opportunity.objects.bulk_create(
        (
            Opportunity(
                account=a, crm_id=f"WORLD-OPP-{a.pk}", name="Renewal", owner=a.account_owner
            )
            for a in made
        ),
        batch_size=2000,
    )


def _cases(n: int) -> None:
    """n CS Help cases over every account, then their CTAs, tasks, history and
    timeline entries as the reconciliation writes them."""
    from django.db import connection, transaction

    from bench.reconcile import _series, baseline_sql
    from rhythm.catalog.models import Offering
    from rhythm.customers.models import Account

    if n <= 0:
        return
    ids = Account.objects.order_by("pk").values_list("pk", flat=True)
    low, high, count = ids.first(), ids.last(), ids.count()
    assert high - low + 1 == count, "account ids are not contiguous"
    offerings = list(Offering.objects.active().order_by("position").values_list("pk", flat=True))
    created = connection.ops.adapt_datetimefield_value(
        datetime.now().astimezone() - timedelta(days=2)
    )
    with_clause, series = _series(connection.vendor, n)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO cases_case (created_at, updated_at, archived_at, kind,
                    opportunity_id, account_id, offering_id, contact_id, challenges,
                    opt_out_outreach, priority, status, opened_by_id, idempotency_key,
                    duplicate_reason)
                {with_clause}
                SELECT %(t)s, %(t)s, NULL, 'cse_help',
                    (SELECT MIN(o.id) FROM customers_opportunity o WHERE o.account_id = a.id),
                    a.id, %(offering)s,
                    (SELECT MIN(p.id) FROM customers_contact p WHERE p.account_id = a.id),
                    'Pipelines are slow.', (x %% 5 = 0),
                    CASE x %% 3 WHEN 0 THEN 'low' WHEN 1 THEN 'medium' ELSE 'high' END,
                    'open', a.account_owner_id, NULL,
                    CASE WHEN x < %(n)s THEN '' ELSE 'Another team of the account.' END
                FROM {series} JOIN customers_account a ON a.id = %(low)s + x %% %(n)s
                ORDER BY x""",
            {"t": created, "n": count, "low": low, "offering": offerings[0]},
        )
    baseline_sql()


def _spread_ctas(cta_mark: int, entry_mark: int) -> None:
    """The CTAs the reconciliation raised today, spread over a year: most closed,
    some in progress with the team's CSEs, some open; raised at different times, due
    on different days, the cases and timeline following them."""
    from django.db import connection, transaction
    from django.utils import timezone

    from rhythm.people.choices import Role
    from rhythm.people.models import User

    cses = list(
        User.objects.active().with_role(Role.CSE).order_by("pk").values_list("pk", flat=True)
    )
    now = timezone.now()
    ops = connection.ops
    with transaction.atomic(), connection.cursor() as cursor:
        # The baseline wrote one timeline entry per CTA, in the CTAs' order.
        cursor.execute("SELECT COUNT(*), MIN(id), MAX(id) FROM ctas_cta WHERE id > %s", [cta_mark])
        ctas, first, last = cursor.fetchone()
        cursor.execute(
            "SELECT COUNT(*), MIN(id), MAX(id) FROM timeline_timelineentry WHERE id > %s",
            [entry_mark],
        )
        entries, first_entry, last_entry = cursor.fetchone()
        if not ctas:
            return
        assert ctas == entries == last - first + 1 == last_entry - first_entry + 1, (
            "the raised CTAs and their entries are not contiguous"
        )
        shift = first - first_entry  # an entry's CTA: its id plus the shift
        for group in range(SPREAD):
            # 98% closed, 1% in progress, 1% open; the open ones the newest.
            last = SPREAD - 1
            status = "closed" if group < last - 1 else "in_progress" if group < last else "open"
            raised = now - timedelta(days=(SPREAD - group) * 365 / SPREAD, hours=group)
            owner = None if status == "open" else cses[0]  # spread over the team below
            cursor.execute(
                """UPDATE ctas_cta SET status = %s, owner_id = %s, raised_at = %s,
                        updated_at = %s, accepted_at = %s, closed_at = %s, due_date = %s
                    WHERE id >= %s AND id %% %s = %s""",
                [
                    status,
                    owner,
                    ops.adapt_datetimefield_value(raised),
                    ops.adapt_datetimefield_value(raised + timedelta(days=1)),
                    None
                    if status == "open"
                    else ops.adapt_datetimefield_value(raised + timedelta(hours=2)),
                    ops.adapt_datetimefield_value(raised + timedelta(days=1))
                    if status == "closed"
                    else None,
                    ops.adapt_datefield_value((raised + timedelta(days=14)).date()),
                    first,
                    SPREAD,
                    group,
                ],
            )
            cursor.execute(
                """UPDATE timeline_timelineentry SET occurred_at = %s
                    WHERE id >= %s AND (id + %s) %% %s = %s""",
                [ops.adapt_datetimefield_value(raised), first_entry, shift, SPREAD, group],
            )
        for turn, cse in enumerate(cses):  # every CSE holds a share of each group
            cursor.execute(
                """UPDATE ctas_cta SET owner_id = %s
                    WHERE id >= %s AND owner_id IS NOT NULL AND (id / %s) %% %s = %s""",
                [cse, first, SPREAD, len(cses), turn],
            )
        cursor.execute(
            """UPDATE cases_case SET status = 'closed' WHERE id IN
                (SELECT case_id FROM ctas_cta WHERE id >= %s AND status = 'closed')""",
            [first],
        )
        cursor.execute(
            """UPDATE cases_case SET status = 'accepted' WHERE id IN
                (SELECT case_id FROM ctas_cta WHERE id >= %s AND status = 'in_progress')""",
            [first],
        )
