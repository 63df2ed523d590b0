"""A campaign's world: EMEA Mid-Market accounts with 90 days of low utilisation, a
CSE who covers them (with a booking link), and the handbook's draft."""

import importlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from rhythm.campaigns.models import Campaign
from rhythm.health.models import MetricValue
from rhythm.people.choices import Role
from tests.factories import AccountFactory, ContactFactory, SegmentFactory, UserFactory

LOW_90 = "90-day low license utilisation"
SEED = importlib.import_module("rhythm.campaigns.migrations.0002_seed_drafts")


def seeded(name: str) -> Campaign:
    """A handbook draft as the data migration made it (a transactional test's flush
    empties the tables, the migration's rows with them)."""
    draft = next(d for d in SEED.DRAFTS if d["name"] == name)
    return Campaign.objects.get_or_create(name=name, defaults={**draft, "state": "draft"})[0]


def utilisation(account, value, days=100):
    today = timezone.localdate()
    MetricValue.objects.bulk_create(
        MetricValue(
            account=account,
            metric="license_utilisation",
            date=today - timedelta(days=d),
            value=value,
        )
        for d in range(0, days, 7)
    )


@pytest.fixture
def world(cast):
    mid = SegmentFactory(name="Mid-Market")
    cse = UserFactory(
        username="emea-cse",
        first_name="Amira",
        last_name="Haddad",
        roles=[Role.CSE],
        covered_regions=["EMEA"],
        booking_url="https://calendly.example/amira",
    )
    cse.covered_segments.set([mid])
    low = AccountFactory(name="Alpha GmbH", segment=mid, region="EMEA")
    ContactFactory(
        account=low,
        name="Greta Admin",
        title="GitLab Admin",
        role="admin",
        email="greta@alpha.example",
    )
    utilisation(low, Decimal("30"))
    fine = AccountFactory(name="Beta BV", segment=mid, region="EMEA")
    ContactFactory(account=fine, title="GitLab Admin", role="admin")
    utilisation(fine, Decimal("80"))
    uncovered = AccountFactory(name="Gamma Inc", segment=mid, region="AMER")
    ContactFactory(account=uncovered, title="GitLab Admin", role="admin")
    utilisation(uncovered, Decimal("20"))
    nobody = AccountFactory(name="Delta SA", segment=mid, region="EMEA")
    utilisation(nobody, Decimal("10"))
    for draft in SEED.DRAFTS:
        seeded(draft["name"])
    campaign = Campaign.objects.get(name=LOW_90)
    campaign.author = cast.cs_ops
    campaign.save()
    campaign.segments.set([mid])
    return {
        "cse": cse,
        "segment": mid,
        "low": low,
        "fine": fine,
        "uncovered": uncovered,
        "nobody": nobody,
        "campaign": campaign,
    }
