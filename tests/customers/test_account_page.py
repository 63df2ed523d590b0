"""The account page as a 360, through the HTTP client: its header, its tabs (each an
address of its own, whole on a full load, the tab alone for HTMX), and what each
customers tab shows."""

from __future__ import annotations

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from rhythm.cases import services as cases
from rhythm.catalog.models import Offering
from rhythm.core import registry
from rhythm.customers import services
from rhythm.customers.models import Contact
from rhythm.engagements import services as engagements
from rhythm.people.choices import Role
from tests.conftest import CAST
from tests.customers.html import texts
from tests.engagements.helpers import STAKEHOLDER, service_data
from tests.factories import (
    AccountFactory,
    ContactFactory,
    ObjectiveFactory,
    OpportunityFactory,
    SuccessPlanFactory,
    UserFactory,
)

HTMX = {"HX-Request": "true"}
TABS = [
    "overview",
    "contacts",
    "opportunities",
    "success-plans",
    "cases",
    "escalations",
    "requests",
    "meetings",
    "timeline",
    "community",
    "history",
    "qbr",
]


def _as(client, user):
    client.force_login(user)
    return client


def _tab(account, slug: str) -> str:
    if slug == "overview":
        return reverse("customers:account-detail", args=[account.pk])
    return reverse("customers:account-tab", args=[account.pk, slug])


def _open_tab(html: str) -> str:
    found = re.search(r'id="account-tab"[^>]*data-tab="([\w-]+)"', html)
    return found.group(1) if found else ""


def _marked(html: str) -> list[str]:
    """The tabs the tab bar marks as the page's."""
    return re.findall(r'aria-current="page"[^>]*data-testid="tab-([\w-]+)"', html)


# --- The tabs ------------------------------------------------------------------------


def test_the_apps_bring_the_tabs_in_their_order():
    assert list(registry.account_tabs()) == TABS


@pytest.mark.parametrize("slug", TABS)
def test_a_tab_address_opens_the_page_with_that_tab(client, cast, account, slug):
    _as(client, cast.csm)
    response = client.get(_tab(account, slug))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and 'data-testid="account-header"' in html
    assert _open_tab(html) == slug
    assert _marked(html) == [slug]
    assert response["Vary"] and "HX-Request" in response["Vary"]


@pytest.mark.parametrize("slug", TABS)
def test_htmx_gets_the_tab_alone_and_the_tab_bar_out_of_band(client, cast, account, slug):
    _as(client, cast.cse)
    html = client.get(_tab(account, slug), headers=HTMX).content.decode()
    assert "<html" not in html and 'data-testid="account-header"' not in html
    assert 'id="account-tab-nav"' in html and 'hx-swap-oob="true"' in html
    assert _marked(html) == [slug]


def test_going_back_to_a_tab_gets_the_whole_page(client, cast, account):
    _as(client, cast.csm)
    headers = {**HTMX, "HX-History-Restore-Request": "true"}
    html = client.get(_tab(account, "contacts"), headers=headers).content.decode()
    assert "<html" in html and _open_tab(html) == "contacts"


def test_a_tab_that_does_not_exist_is_not_found(client, cast, account):
    _as(client, cast.csm)
    assert client.get(_tab(account, "invoices")).status_code == 404


@pytest.mark.parametrize("role", [Role.ACCOUNT_OWNER, Role.CSM])
@pytest.mark.parametrize("slug", TABS)
def test_every_tab_of_an_account_someone_may_not_see_is_not_found(client, account, role, slug):
    _as(client, UserFactory(roles=[role]))
    assert client.get(_tab(account, slug)).status_code == 404
    assert client.get(_tab(account, slug), headers=HTMX).status_code == 404


def test_a_tab_is_offered_and_served_only_to_those_who_may_read_it(client, account):
    """Someone who may read accounts but not the timeline: no Timeline tab, and a 403."""
    reader = UserFactory()
    reader.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="customers",
            codename__in=["view_account", "view_all_accounts", "view_contact"],
        )
    )
    _as(client, reader)
    html = client.get(_tab(account, "overview")).content.decode()
    offered = re.findall(r'data-testid="tab-([\w-]+)"', html)
    assert offered == ["overview", "contacts", "history"]
    assert client.get(_tab(account, "timeline")).status_code == 403
    assert client.get(_tab(account, "contacts")).status_code == 200


def test_the_anonymous_visitor_signs_in_first_even_from_htmx(client, account):
    url = _tab(account, "success-plans")
    assert client.get(url)["Location"].startswith(f"{reverse('login')}?next=")
    assert client.get(url, headers=HTMX)["HX-Redirect"].startswith(f"{reverse('login')}?next=")


# --- The header ----------------------------------------------------------------------


def _today_of(viewer) -> date:
    """The viewer's today, by which the page counts the days to a renewal."""
    return timezone.localdate(timezone=ZoneInfo(viewer.time_zone))


def test_the_header_says_the_essentials(client, cast):
    account = AccountFactory(
        name="Borealis Bank",
        account_owner=cast.account_owner,
        csm=cast.csm,
        arr=150000,
        lam=600000,
        licenses_purchased=400,
        licenses_used=300,
        renewal_date=_today_of(cast.cse) + timedelta(days=42),
    )
    plan = SuccessPlanFactory(account=account)
    ObjectiveFactory(success_plan=plan, status="green", progress=80)
    ObjectiveFactory(success_plan=plan, status="amber", progress=20)
    archived = ObjectiveFactory(success_plan=plan, status="red", progress=0)
    services.archive(archived)
    SuccessPlanFactory(account=account, name="Empty plan")
    _as(client, cast.cse)
    html = client.get(_tab(account, "timeline")).content.decode()  # on every tab
    [details] = texts(html, "account-details")
    assert "Segment Mid-Touch $0–$250,000" in details
    assert "ARR $150,000" in details and "LAM $600,000" in details
    assert texts(html, "account-owner") == [str(cast.account_owner)]
    assert texts(html, "account-csm") == [str(cast.csm)]
    [renewal] = texts(html, "renewal")
    assert renewal.startswith("Renewal in 42 days")  # within three months: marked
    assert '<span class="rh-soon">in 42 days' in html
    assert texts(html, "licences") == ["Licences 300 / 400 75%"]
    assert 'aria-label="Licences used" aria-valuenow="75"' in html
    # The worst active objective's status; the mean of their progress; plans counted.
    assert texts(html, "plans-health") == [
        "Success plans Amber 50% complete 2 plans · 2 objectives"
    ]


def test_a_renewal_that_has_passed_and_an_unmanaged_account_say_so(client, cast):
    account = AccountFactory(renewal_date=_today_of(cast.cse) - timedelta(days=3))
    _as(client, cast.cse)
    html = client.get(_tab(account, "overview")).content.decode()
    assert texts(html, "renewal") == [f"Renewal 3 days ago {account.renewal_date:%-d %b %Y}"]
    assert texts(html, "account-csm") == ["Unassigned"]
    assert texts(html, "plans-health") == ["Success plans No objectives None yet"]


@pytest.mark.parametrize("who", sorted(frozenset(CAST) - {"outsider"}))
def test_the_header_offers_each_role_its_actions(client, cast, account, who):
    _as(client, getattr(cast, who))
    html = client.get(_tab(account, "overview")).content.decode()
    files = reverse("engagements:create", args=[account.pk]) in html
    edits = reverse("customers:account-edit", args=[account.pk]) in html
    notes = 'data-testid="header-note"' in html
    assert files == (who in {"csm", "admin"})
    assert edits == (who in {"manager", "cs_ops", "admin"})
    assert notes == (who not in {"program_manager", "demo_architect"})


# --- The overview --------------------------------------------------------------------


def _figures(html: str) -> dict[str, int]:
    return {
        label: int(count)
        for count, label in re.findall(
            r'class="rh-figure">(\d+)</span>\s*<span class="rh-figure-label">([^<]+)<', html
        )
    }


def test_the_overview_counts_the_open_work_each_app_brings(client, cast, account):
    contact = ContactFactory(account=account)
    opportunity = OpportunityFactory(account=account, owner=cast.account_owner)
    objective = ObjectiveFactory(success_plan=SuccessPlanFactory(account=account))
    cases.open_case(
        cast.account_owner,
        {
            "opportunity": opportunity.pk,
            "kind": "cse_help",
            "offering": Offering.objects.active().first().pk,
            "contact": contact.pk,
            "challenges": "Pipelines take 40 minutes.",
        },
    )
    engagements.file_request(cast.csm, service_data(account, objective), [STAKEHOLDER])
    _as(client, cast.manager)
    html = client.get(_tab(account, "overview")).content.decode()
    assert _figures(html) == {
        "Open CS Help cases": 1,
        "Open CTAs": 1,
        "CTAs nobody has taken": 1,
        "Requests in review": 1,
        "Requests waiting for an answer": 0,
        "Engagements running": 0,
        "Calls to come": 0,
        "Community events": 0,
        "Open escalations": 0,
        "Escalations awaiting a decision": 0,
    }
    # Each count leads to the tab that lists them.
    assert f'href="{_tab(account, "requests")}"' in html


def test_the_overview_puts_the_objectives_at_risk_first_and_cs_help_in_reach(client, cast, account):
    plan = SuccessPlanFactory(account=account, name="FY27 plan")
    today = timezone.localdate()
    ObjectiveFactory(success_plan=plan, title="On track", status="green", progress=50)
    ObjectiveFactory(
        success_plan=plan,
        title="Late but green",
        status="green",
        progress=60,
        due_date=today - timedelta(days=2),
    )
    ObjectiveFactory(success_plan=plan, title="Slipping", status="amber", progress=10)
    ObjectiveFactory(success_plan=plan, title="Blocked", status="red", progress=5)
    OpportunityFactory(account=account, name="Premium upgrade", owner=cast.account_owner)
    OpportunityFactory(account=account, name="Lost deal", stage="closed_lost")
    _as(client, cast.account_owner)
    html = client.get(_tab(account, "overview")).content.decode()
    [at_risk] = texts(html, "at-risk")
    order = [at_risk.index(title) for title in ("Blocked", "Late but green", "Slipping")]
    assert order == sorted(order) and "On track" not in at_risk
    assert "overdue since" in at_risk
    [opportunities] = texts(html, "overview-opportunities")
    assert "Premium upgrade" in opportunities and "Lost deal" not in opportunities
    assert html.count('data-testid="cs-help"') == 1  # the account owner's action
    _as(client, cast.csm)
    assert 'data-testid="cs-help"' not in client.get(_tab(account, "overview")).content.decode()


# --- Contacts, opportunities, history ------------------------------------------------


def test_the_contacts_and_opportunities_tabs_list_what_is_active(client, cast, account):
    ContactFactory(account=account, name="Grace Hopper", email="grace@customer.example")
    services.archive(ContactFactory(account=account, name="Gone Person"))
    OpportunityFactory(account=account, name="Premium upgrade", owner=cast.account_owner)
    _as(client, cast.csm)
    html = client.get(_tab(account, "contacts")).content.decode()
    [contacts] = texts(html, "contacts")
    assert "Grace Hopper" in contacts and "grace@customer.example" in contacts
    assert "Gone Person" not in contacts
    assert reverse("customers:contact-create", args=[account.pk]) in html
    opportunities = client.get(_tab(account, "opportunities")).content.decode()
    assert "Premium upgrade" in texts(opportunities, "opportunities")[0]


def test_a_contact_added_returns_to_the_contacts_tab(client, cast, account):
    _as(client, cast.csm)
    response = client.post(
        reverse("customers:contact-create", args=[account.pk]),
        {"name": "Ann Lee", "email": "ann@customer.example"},
    )
    assert response["Location"] == _tab(account, "contacts")


def test_the_history_tab_says_who_changed_which_fields(client, cast, account):
    _as(client, cast.manager)
    client.post(
        reverse("customers:account-edit", args=[account.pk]),
        {
            "name": account.name,
            "crm_id": account.crm_id,
            "segment": account.segment_id,
            "region": "EMEA",
            "arr": "95000",
            "lam": account.lam,
            "licenses_purchased": account.licenses_purchased,
            "licenses_used": account.licenses_used,
            "industry": account.industry,
            "account_owner": account.account_owner_id,
            "csm": account.csm_id,
        },
    )
    _as(client, cast.csm)
    client.post(
        reverse("customers:contact-create", args=[account.pk]),
        {"name": "Ann Lee", "email": "ann@customer.example"},
    )
    services.archive(Contact.objects.get())
    html = client.get(_tab(account, "history")).content.decode()
    text = texts(html, "history-entry")
    assert len(text) == 4, text
    assert "system archived contact Ann Lee <ann@customer.example>" in text[0]
    assert f"{cast.csm} created contact Ann Lee" in text[1]
    assert f"{cast.manager} changed account {account.name}" in text[2]
    assert "ARR: 120,000 → 95,000" in text[2] and "Region: AMER → EMEA" in text[2]
    assert "LAM" not in text[2]  # unchanged fields are not listed
    assert f"created account {account.name}" in text[3]
