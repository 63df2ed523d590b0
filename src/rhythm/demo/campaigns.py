"""The demo's health metrics and campaigns: weekly utilisation readings over the last
100 days for every demo account (a few low all along), days since the subscription
started, CI pipelines in the last 30 days; the handbook's three drafts given a target
group, and "90-day low license utilisation" approved, active and run once, so its
page shows an audience, sends and a funnel."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from rhythm.campaigns import sending
from rhythm.campaigns import services as campaigns
from rhythm.campaigns.models import Campaign
from rhythm.customers.models import Account, Segment
from rhythm.health.models import MetricValue
from rhythm.people.choices import Role
from rhythm.people.models import User

WEEKS = 15  # readings reach back past the 90 days a campaign looks at


def load(today: date, seed: int) -> dict[str, int]:
    created = {"metric values": 0, "campaign sends": 0}
    if MetricValue.objects.filter(account__crm_id__startswith="DEMO-").exists():
        return created
    rng = random.Random(f"{seed}:campaigns")
    values = []
    for account in Account.objects.filter(crm_id__startswith="DEMO-").order_by("pk"):
        purchased = account.licenses_purchased or 100
        low = rng.random() < 0.25
        base = rng.uniform(20, 45) if low else rng.uniform(55, 95)
        for week in range(WEEKS):
            day = today - timedelta(days=7 * week)
            share = max(1.0, min(100.0, base + rng.uniform(-4, 4)))
            values += [
                MetricValue(account=account, metric="license_utilisation", date=day,
                            value=Decimal(f"{share:.1f}")),
                MetricValue(account=account, metric="licenses_purchased", date=day,
                            value=purchased),
                MetricValue(account=account, metric="licenses_used", date=day,
                            value=int(purchased * share / 100)),
            ]  # fmt: skip
        started = rng.choice([21, 21, 45, 120, 400, 800])
        pipelines = 0 if rng.random() < 0.2 else rng.randint(5, 900)
        values += [
            MetricValue(account=account, metric="days_since_start", date=today, value=started),
            MetricValue(account=account, metric="ci_pipelines_30d", date=today, value=pipelines),
            MetricValue(account=account, metric="active_users", date=today,
                        value=int(purchased * base / 100)),
        ]  # fmt: skip
    MetricValue.objects.bulk_create(values, batch_size=2000)
    created["metric values"] = len(values)
    created["campaign sends"] = _campaigns()
    return created


def _campaigns() -> int:
    ops = User.objects.with_role(Role.CS_OPERATIONS).order_by("pk").first()
    manager = User.objects.with_role(Role.CSE_MANAGER).order_by("pk").first()
    segments = {s.name: s.pk for s in Segment.objects.all()}
    if ops is None or manager is None:
        return 0
    targets: dict[str, dict[str, Any]] = {
        "90-day low license utilisation": {"segments": [segments["Mid-Touch"]],
                                           "regions": ["EMEA", "AMER"]},
        "21-day check-in": {"segments": [segments["Scale"], segments["Mid-Touch"]]},
        "CI product coach": {"segments": [segments["Scale"]], "regions": ["AMER"]},
    }  # fmt: skip
    sent = 0
    for name, target in targets.items():
        campaign = Campaign.objects.filter(name=name, state="draft").first()
        if campaign is None:
            continue  # renamed or moved on by the deployment: left alone
        campaign = campaigns.update(campaign, target, actor=ops)
        if name == "90-day low license utilisation":
            campaigns.approve(campaign, manager, reason="Reviewed the audience and the words.")
            campaigns.activate(campaign, ops)
            sent = len(sending.run(campaign, actor=ops).sent)
    return sent
