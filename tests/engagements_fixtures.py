"""Fixtures shared by the engagement-area tests (cases, CTAs, requests, office hours)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rhythm.catalog.models import Offering
from tests.factories import (
    ContactFactory,
    ObjectiveFactory,
    OpportunityFactory,
    SegmentFactory,
    SuccessPlanFactory,
)


@pytest.fixture
def offering(db):
    return Offering.objects.get(name="Streamline Your CI Workflows")


@pytest.fixture
def opportunity(account):
    return OpportunityFactory(account=account, owner=account.account_owner)


@pytest.fixture
def contact(account):
    return ContactFactory(account=account, name="Ana Costa", email="ana@customer.example")


@pytest.fixture
def objective(account):
    return ObjectiveFactory(success_plan=SuccessPlanFactory(account=account), title="Adopt CI")


@pytest.fixture
def case_data(opportunity, contact, offering):
    return {
        "opportunity": opportunity.pk,
        "kind": "cse_help",
        "offering": offering.pk,
        "contact": contact.pk,
        "challenges": "Pipelines take 40 minutes; they want them under 10.",
        "priority": "high",
    }


@pytest.fixture
def covering_cse(cast, account):
    """The cast's CSE, set up to cover the account's region and segment."""
    cse = cast.cse
    cse.covered_regions = [account.region]
    cse.weekly_capacity_hours = Decimal("40")
    cse.save()
    cse.covered_segments.set([account.segment])
    return cse


@pytest.fixture
def ineligible_segment(db):
    return SegmentFactory(name="Self-serve", eligible_for_cse=False)
