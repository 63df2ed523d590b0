"""The customer records the API tests work on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from rhythm.customers.models import Account, Contact, Objective, Opportunity, Segment, SuccessPlan
from tests.factories import (
    ContactFactory,
    ObjectiveFactory,
    OpportunityFactory,
    SegmentFactory,
    SuccessPlanFactory,
)


@dataclass
class World:
    segment: Segment  # holds the account, so it cannot be archived
    spare_segment: Segment  # holds nothing
    account: Account  # owned by the cast's AE, managed by the cast's CSM
    contact: Contact
    opportunity: Opportunity
    plan: SuccessPlan
    objective: Objective


@pytest.fixture
def world(account) -> World:
    plan = SuccessPlanFactory(account=account)
    return World(
        segment=account.segment,
        spare_segment=SegmentFactory(name="Spare", arr_floor=0, arr_ceiling=10),
        account=account,
        contact=ContactFactory(account=account),
        opportunity=OpportunityFactory(account=account),
        plan=plan,
        objective=ObjectiveFactory(success_plan=plan),
    )


def account_body(world: World, **changes: Any) -> dict[str, Any]:
    return {
        "name": "Acme Corp",
        "crm_id": "CRM-ACME",
        "segment": world.segment.pk,
        "region": "EMEA",
        "arr": "150000.00",
        "lam": "500000.00",
        "renewal_date": "2031-03-31",
        **changes,
    }
