"""An account that qualifies, its escalation case, and the bodies the tests send."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from rhythm.cases import services as cases
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory, SegmentFactory

ACCOUNT_ESCALATION = {
    "kind": "account",
    "risk": "evaluating_vendors",
    "impact": "Merge trains stall every release; the platform team is trialling another vendor.",
    "bug_url": "https://gitlab.com/gitlab-org/gitlab/-/issues/412233",
}
SUPPORT_ESCALATION = {
    "kind": "support",
    "ticket_reference": "#482913",
    "ticket_url": "https://support.gitlab.com/hc/requests/482913",
    "impact": "Production runners are down for 400 developers.",
}


def mid_market():
    return SegmentFactory(
        name="Mid-Market", arr_floor=Decimal("100000"), arr_ceiling=Decimal("500000")
    )


def qualifying_account(cast, **fields):
    """$412,000 ARR of a $500,000 ceiling (82.4%), LAM $250,000, renewal far off."""
    values = {
        "segment": mid_market(),
        "arr": Decimal("412000"),
        "lam": Decimal("250000"),
        "renewal_date": timezone.localdate() + timedelta(days=300),
        "account_owner": cast.account_owner,
        "csm": cast.csm,
        **fields,
    }
    return AccountFactory(**values)


def escalation_case(cast, account):
    opportunity = OpportunityFactory(account=account, owner=cast.account_owner)
    contact = ContactFactory(account=account)
    return cases.open_case(
        cast.account_owner,
        {
            "opportunity": opportunity.pk,
            "kind": "escalation",
            "contact": contact.pk,
            "challenges": "Merge trains stall; they are looking at other vendors.",
        },
    ).case
