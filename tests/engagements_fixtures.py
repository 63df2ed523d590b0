"""Fixtures shared by the engagement-area tests (cases, CTAs, requests, office hours)."""

from __future__ import annotations

from datetime import date, timedelta
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


def _monday_in_two_weeks() -> date:
    today = date.today()
    return today + timedelta(days=14 - today.weekday())


# Engagements start ahead of the day they are filed: a fixed date would become a
# past one, which filing refuses, on the day it passes.
TARGET_START = _monday_in_two_weeks()


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
