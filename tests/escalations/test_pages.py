"""Escalations on the pages: raised from the case's panel with the verdict beside the
form, refused field by field, approved on its page (against the verdict only with a
justification), listed with filters, on the account's tab."""

from decimal import Decimal

import pytest
from django.test import Client

from rhythm.escalations import services
from rhythm.escalations.models import Escalation
from tests.escalations.helpers import (
    ACCOUNT_ESCALATION,
    SUPPORT_ESCALATION,
    escalation_case,
    qualifying_account,
)


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def account(cast):
    return qualifying_account(cast)


def test_the_case_page_offers_to_raise_it_and_then_links_it(cast, account):
    case = escalation_case(cast, account)
    ae = browser(cast.account_owner)
    page = ae.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="raise-from-case"' in page and "Today's verdict" in page
    # What the product does with it, not the CSE-help case's outreach email.
    assert "A CSE manager approves or declines it with a reason" in page
    assert "nobody emails the contact" in page and "accepts the CTA" not in page
    form = ae.get(f"/escalations/new?case={case.pk}").content.decode()
    assert "ARR $412,000 is 82.4% of the $500,000 ceiling of Mid-Market: meets ≥ 80%" in form
    refused = ae.post(f"/escalations/new?case={case.pk}", {"kind": "support", "case": case.pk})
    assert refused.status_code == 422
    text = refused.content.decode()
    assert "give its reference" in text and "give its URL" in text
    assert not Escalation.objects.exists()
    raised = ae.post(
        "/escalations/new", {**SUPPORT_ESCALATION, "case": case.pk}, follow=True
    ).content.decode()
    escalation = Escalation.objects.get()
    assert escalation.case == case and f"Escalation #{escalation.pk} raised." in raised
    again = ae.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="case-escalation-link"' in again


def test_a_cse_help_case_has_no_escalation_panel(cast, case_data):
    from rhythm.cases import services as cases

    case = cases.open_case(cast.account_owner, case_data).case
    page = browser(cast.manager).get(case.get_absolute_url()).content
    assert b'data-testid="case-escalation"' not in page
    assert b"gets an outreach email to the contact drafted" in page


def test_a_manager_approves_against_the_verdict_only_with_a_justification(cast):
    account = qualifying_account(cast, arr=Decimal("200000"))
    escalation = services.raise_escalation(
        cast.csm, {**ACCOUNT_ESCALATION, "account": account.pk}
    ).escalation
    manager = browser(cast.manager)
    page = manager.get(escalation.get_absolute_url()).content.decode()
    assert "Does not qualify" in page
    assert "ARR $200,000 is 40% of the $500,000 ceiling of Mid-Market" in page
    assert "Mid-Market has had <strong>1</strong> in Q" in page
    assert 'name="justification"' in page
    url = f"/escalations/{escalation.pk}/transitions"
    refused = manager.post(
        url, {"to": "approved", "reason": "Big logo.", "expected_state": "raised"}
    )
    assert refused.status_code == 422
    assert "write why you approve it anyway" in refused.content.decode()
    done = manager.post(
        url,
        {
            "to": "approved",
            "reason": "Big logo.",
            "justification": "Expansion hangs on it.",
            "expected_state": "raised",
        },
        follow=True,
    ).content.decode()
    assert f"Escalation #{escalation.pk} is approved." in done
    assert "Against the verdict:</span> Expansion hangs on it." in done
    # The account team may not decide: refused with the rule's words.
    other = services.raise_escalation(cast.csm, {**ACCOUNT_ESCALATION, "account": account.pk})
    csm_page = (
        browser(cast.csm)
        .post(
            f"/escalations/{other.escalation.pk}/transitions",
            {"to": "approved", "reason": "Please."},
            follow=True,
        )
        .content.decode()
    )
    assert "Only a CSE manager may approve this escalation." in csm_page


def test_the_list_filters_by_state_kind_segment_region_and_verdict(cast, account):
    small = qualifying_account(cast, lam=Decimal("1000"), region="EMEA")
    support = services.raise_escalation(
        cast.csm, {**SUPPORT_ESCALATION, "account": account.pk}
    ).escalation
    weak = services.raise_escalation(
        cast.csm, {**ACCOUNT_ESCALATION, "account": small.pk}
    ).escalation
    client = browser(cast.manager)

    def listed(query: str) -> set[int]:
        page = client.get(f"/escalations/?{query}")
        assert page.status_code == 200
        return {e.pk for e in page.context["escalations"]}

    assert listed("") == {support.pk, weak.pk}
    assert listed("kind=support") == {support.pk}
    assert listed("verdict=does_not_qualify") == {weak.pk}
    assert listed("region=EMEA") == {weak.pk}
    assert listed(f"segment={account.segment_id}") == {support.pk, weak.pk}
    assert listed("state=approved") == set()
    bad = client.get("/escalations/?state=nonsense")
    assert bad.status_code == 200 and b"errorlist" in bad.content


def test_the_account_tab_lists_its_escalations_and_the_overview_counts_them(cast, account):
    escalation = services.raise_escalation(
        cast.csm, {**ACCOUNT_ESCALATION, "account": account.pk}
    ).escalation
    ae = browser(cast.account_owner)
    tab = ae.get(f"/accounts/{account.pk}/escalations/").content.decode()
    assert f"#{escalation.pk} Account escalation" in tab
    assert 'data-testid="raise-escalation"' in tab
    overview = ae.get(account.get_absolute_url()).content.decode()
    assert "Open escalations" in overview and "Escalations awaiting a decision" in overview
