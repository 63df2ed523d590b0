"""The CTA page as the CSE's workspace: what they prepare from, on one page."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from rhythm.cases import services as cases
from rhythm.ctas import services
from rhythm.engagements import services as engagements
from rhythm.engagements.services import TransitionInput
from tests.engagements.helpers import STAKEHOLDER, service_data
from tests.factories import ContactFactory, UserFactory


@pytest.fixture
def cta(cast, case_data):
    return cases.open_case(cast.account_owner, case_data).case.cta


def _page(client, user, cta) -> str:
    client.force_login(user)
    response = client.get(reverse("ctas:detail", args=[cta.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_cse_prepares_from_the_case_the_offering_the_people_and_the_account(
    client, cast, cta, account, opportunity, offering, covering_cse
):
    account.arr, account.lam = Decimal("412000"), Decimal("950000")
    account.licenses_purchased, account.licenses_used = 500, 430
    account.renewal_date = timezone.localdate() + timedelta(days=45)
    account.save()
    html = _page(client, covering_cse, cta)
    assert "Pipelines take 40 minutes; they want them under 10." in html  # the challenges
    assert offering.name in html and offering.description in html
    assert "Ana Costa" in html and "ana@customer.example" in html  # the contact
    assert str(cast.account_owner) in html
    assert opportunity.name in html and opportunity.get_stage_display() in html
    assert f"{account.segment} · {account.region}" in html
    assert "$412,000" in html and "$950,000" in html  # ARR, LAM
    assert "(in 45 days)" in html
    assert "430 of 500 used" in html
    assert "None: this is the account's first engagement" in html


def test_earlier_engagements_on_the_account_say_how_they_went(
    client, cast, cta, case_data, account, objective, covering_cse
):
    other_contact = ContactFactory(account=account)
    again = {**case_data, "contact": other_contact.pk, "duplicate_reason": "Another team."}
    earlier = cases.open_case(cast.account_owner, again).case.cta
    services.accept(earlier, cse=covering_cse, actor=covering_cse)
    services.close(
        earlier,
        actor=covering_cse,
        reason="Answered by email: they had a caching question.",
        skip_reason="Answered by email.",
    )
    request = engagements.file_request(cast.csm, service_data(account, objective), [STAKEHOLDER])
    engagements.transition(
        request,
        cast.manager,
        TransitionInput(
            to="rejected", reason="A partner runs this migration.", reason_code="out_of_scope"
        ),
    )
    html = _page(client, covering_cse, cta)
    assert html.count('data-testid="earlier-engagement"') == 2
    assert "Answered by email: they had a caching question." in html  # the CTA's outcome
    assert request.title in html and "A partner runs this migration." in html
    assert reverse("ctas:detail", args=[cta.pk]) not in html.split('data-testid="earlier"')[1]


def test_a_stranger_to_the_account_sees_no_earlier_engagement_of_it(client, cast, cta):
    """The list comes through visible_to: the page itself is a 404 to them."""
    stranger = UserFactory(roles=["account_owner"])
    client.force_login(stranger)
    assert client.get(reverse("ctas:detail", args=[cta.pk])).status_code == 404
