"""CS Help pages through the HTTP client: the opportunity page and its CS Help button,
the case form, the case page, and the case lists the account and opportunity pages load."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from rhythm.cases import services
from rhythm.cases.models import Case
from rhythm.ctas.models import Cta
from rhythm.people.choices import Role
from rhythm.timeline.models import TimelineEntry
from tests.conftest import CAST
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory, UserFactory

VIEWERS = frozenset(CAST) - {"outsider"}
OPENERS = frozenset({"account_owner", "admin"})  # cases.add_case
HTMX = {"HX-Request": "true"}


def _as(client, user):
    client.force_login(user)
    return client


def _field_errors(html: str, field: str) -> str:
    """The text of the error list Django renders beside one field ('' when none)."""
    found = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)).strip() if found else ""


def _nonfield_errors(html: str) -> str:
    found = re.search(r'<ul class="errorlist nonfield">(.*?)</ul>', html, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)).strip() if found else ""


def _form(case_data: dict, **changes) -> dict:
    data = {k: v for k, v in case_data.items() if k != "opportunity"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def case(cast, case_data):
    return services.open_case(cast.account_owner, case_data).case


def _urls(opportunity, case, case_data) -> list[tuple[str, str, dict | None, dict]]:
    return [
        ("get", reverse("customers:opportunity-detail", args=[opportunity.pk]), None, {}),
        ("get", reverse("cases:list"), None, {}),
        ("get", reverse("cases:list"), {"opportunity": opportunity.pk}, HTMX),
        ("get", reverse("cases:list"), {"account": opportunity.account_id}, HTMX),
        ("get", reverse("cases:detail", args=[case.pk]), None, {}),
        ("get", reverse("cases:create", args=[opportunity.pk]), None, {}),
        # A second case for the fixture's offering: it says why (cases.rules.duplicate_cases).
        (
            "post",
            reverse("cases:create", args=[opportunity.pk]),
            _form(case_data, duplicate_reason="Another team on the same deal."),
            {},
        ),
    ]


# --- Permissions, looped over the cast ----------------------------------------


def test_anonymous_is_sent_to_sign_in(client, opportunity, case, case_data):
    for method, url, data, headers in _urls(opportunity, case, case_data):
        response = getattr(client, method)(url, data or {}, headers=headers)
        if headers:  # an HTMX request sends the whole page to sign in
            assert response.status_code == 200, url
            assert response["HX-Redirect"].startswith(f"{reverse('login')}?next="), url
        else:
            assert response.status_code == 302, (method, url)
            assert response["Location"].startswith(f"{reverse('login')}?next="), (method, url)
    assert Case.objects.count() == 1


@pytest.mark.parametrize("who", CAST)
def test_who_sees_and_who_opens_cases(client, cast, opportunity, case, case_data, who):
    _as(client, getattr(cast, who))
    for method, url, data, headers in _urls(opportunity, case, case_data):
        response = getattr(client, method)(url, data or {}, headers=headers)
        opens = "/new/" in url
        if opens:
            allowed = who in OPENERS
        else:
            allowed = who in VIEWERS
        if not allowed:
            assert response.status_code == 403, (who, method, url)
        elif method == "post":
            assert response.status_code == 302, (who, url, response.content[:2000])
        else:
            assert response.status_code == 200, (who, url)
    assert Case.objects.count() == 1 + len({who} & OPENERS)


@pytest.mark.parametrize("role", [Role.ACCOUNT_OWNER, Role.CSM])
def test_an_account_someone_does_not_own_or_manage_is_not_found(
    client, opportunity, case, case_data, role
):
    _as(client, UserFactory(roles=[role]))
    for method, url, data, headers in _urls(opportunity, case, case_data):
        if role == Role.CSM and "/new/" in url:
            continue  # a CSM may not open cases at all: 403 before any lookup
        response = getattr(client, method)(url, data or {}, headers=headers)
        if url == reverse("cases:list") and not data:
            # The list of everything one may see: nothing of this account.
            assert response.status_code == 200
            assert f"#{case.pk}" not in response.content.decode()
        else:
            assert response.status_code == 404, (method, url)
    assert Case.objects.count() == 1


def test_a_bad_scope_on_the_case_list_is_not_found(client, cast):
    _as(client, cast.cse)
    url = reverse("cases:list")
    assert client.get(url, {"account": "x"}, headers=HTMX).status_code == 404
    assert client.get(url, {"opportunity": 999999}, headers=HTMX).status_code == 404


# --- The opportunity page ------------------------------------------------------


def test_the_opportunity_page_offers_cs_help_to_the_account_owner(client, cast, opportunity):
    _as(client, cast.account_owner)
    html = client.get(reverse("customers:opportunity-detail", args=[opportunity.pk])).content
    html = html.decode()
    assert opportunity.name in html and opportunity.account.name in html
    assert f'href="{reverse("cases:create", args=[opportunity.pk])}"' in html
    assert 'data-testid="cs-help"' in html
    # The cases come from the cases app by URL, loaded by htmx.
    assert f'hx-get="{reverse("cases:list")}?opportunity={opportunity.pk}"' in html


def test_the_opportunity_page_has_no_cs_help_for_a_csm(client, cast, opportunity):
    _as(client, cast.csm)
    html = client.get(reverse("customers:opportunity-detail", args=[opportunity.pk])).content
    assert b'data-testid="cs-help"' not in html


def test_the_account_page_links_opportunities_and_its_tabs(client, cast, opportunity):
    account = opportunity.account
    _as(client, cast.csm)
    html = client.get(reverse("customers:account-detail", args=[account.pk])).content.decode()
    assert f'href="{reverse("customers:opportunity-detail", args=[opportunity.pk])}"' in html
    for tab in ("cases", "requests", "timeline"):
        url = reverse("customers:account-tab", args=[account.pk, tab])
        assert f'href="{url}" hx-get="{url}"' in html
    assert f'href="{reverse("engagements:create", args=[account.pk])}"' in html  # CSM files
    _as(client, cast.account_owner)
    html = client.get(reverse("customers:account-detail", args=[account.pk])).content.decode()
    assert reverse("engagements:create", args=[account.pk]) not in html
    assert f'href="{reverse("cases:create", args=[opportunity.pk])}"' in html  # AE: CS Help


def test_the_cases_tab_lists_the_accounts_cases_their_ctas_and_the_other_ctas(
    client, cast, case, opportunity
):
    account = opportunity.account
    _as(client, cast.cse)
    url = reverse("customers:account-tab", args=[account.pk, "cases"])
    html = client.get(url, headers=HTMX).content.decode()
    assert html.count('data-testid="case-row"') == 1
    assert f'href="{reverse("ctas:detail", args=[case.cta.pk])}"' in html
    assert "Unassigned" in html  # nobody has taken its CTA yet
    assert 'data-testid="cta-row"' not in html  # no CTA without a case on this account


def test_the_case_lists_show_the_cases_of_their_scope(client, cast, case, opportunity):
    other = OpportunityFactory(account=opportunity.account, owner=cast.account_owner)
    _as(client, cast.account_owner)
    url = reverse("cases:list")
    mine = client.get(url, {"opportunity": opportunity.pk}, headers=HTMX).content.decode()
    assert "<html" not in mine
    assert f'href="{reverse("cases:detail", args=[case.pk])}"' in mine
    assert mine.count('data-testid="case-row"') == 1
    # The CTA by its name, as the AE will hear of it.
    assert f'data-testid="case-cta">{escape(case.cta.name)}</a>' in mine
    empty = client.get(url, {"opportunity": other.pk}, headers=HTMX).content.decode()
    assert "No CS Help cases yet." in empty
    by_account = client.get(url, {"account": opportunity.account_id}, headers=HTMX)
    assert by_account.content.decode().count('data-testid="case-row"') == 1
    assert "HX-Request" in by_account["Vary"]
    full = client.get(url, {"account": opportunity.account_id}).content.decode()
    assert "<html" in full and f"#{case.pk}" in full


def _count_queries(client, url, params, **kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params, **kwargs)
    assert response.status_code == 200
    return len(queries)


def test_the_case_list_queries_do_not_grow_with_cases(client, cast, case_data, opportunity):
    def open_cases(count: int) -> None:
        for _ in range(count):
            services.open_case(cast.account_owner, {**case_data, "duplicate_reason": "Another"})

    open_cases(3)
    _as(client, cast.account_owner)
    url = reverse("cases:list")
    params = {"account": opportunity.account_id}
    client.get(url, params, headers=HTMX)
    few = _count_queries(client, url, params, headers=HTMX)
    open_cases(40)
    assert _count_queries(client, url, params, headers=HTMX) == few


# --- The case form -------------------------------------------------------------


def test_the_case_form_offers_only_the_accounts_contacts(client, cast, opportunity, contact):
    stranger = ContactFactory(account=AccountFactory(), name="Someone Else")
    _as(client, cast.account_owner)
    html = client.get(reverse("cases:create", args=[opportunity.pk])).content.decode()
    assert contact.name in html and stranger.name not in html
    assert 'data-max-chars="1000"' in html
    assert 'data-testid="char-counter"' in html
    assert 'data-testid="not-eligible"' not in html


def test_opening_a_case_shows_its_cta_with_the_exact_name(client, cast, opportunity, case_data):
    _as(client, cast.account_owner)
    response = client.post(reverse("cases:create", args=[opportunity.pk]), _form(case_data))
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    html = client.get(response["Location"]).content.decode()
    name = f"{opportunity.account.name} - Ad-Hoc CSE Engagement Request"
    assert re.search(rf'data-testid="cta-name">{re.escape(name)}</a>', html)
    assert f"Case #{case.pk} opened." in html
    # The breadcrumb leads back to the opportunity.
    assert reverse("customers:opportunity-detail", args=[opportunity.pk]) in html


def _form_token(html: str) -> str:
    (token,) = re.findall(r'<input type="hidden" name="form_token" value="([^"]+)">', html)
    return token


def test_the_same_form_posted_twice_opens_one_case(client, cast, opportunity, case_data):
    """A resubmit after a lost response shows the first case, with a message."""
    _as(client, cast.account_owner)
    url = reverse("cases:create", args=[opportunity.pk])
    token = _form_token(client.get(url).content.decode())
    first = client.post(url, _form(case_data, form_token=token))
    case = Case.objects.get()
    assert first["Location"] == reverse("cases:detail", args=[case.pk])
    assert f"Case #{case.pk} opened." in client.get(first["Location"]).content.decode()

    again = client.post(url, _form(case_data, form_token=token), follow=True)

    assert again.redirect_chain == [(first["Location"], 302)]
    html = again.content.decode()
    assert "This form was already sent" in html and "opened." not in html
    assert Case.objects.count() == 1 and Cta.objects.count() == 1
    assert TimelineEntry.objects.filter(kind="case").count() == 1
    # The next form the page offers carries a fresh token: a new case is a new case.
    assert _form_token(client.get(url).content.decode()) != token


def test_a_form_sent_back_with_errors_keeps_its_token(client, cast, opportunity, case_data):
    _as(client, cast.account_owner)
    url = reverse("cases:create", args=[opportunity.pk])
    token = _form_token(client.get(url).content.decode())
    refused = client.post(url, _form(case_data, challenges="", form_token=token))
    assert _form_token(refused.content.decode()) == token  # nothing was created with it
    assert client.post(url, _form(case_data, form_token=token)).status_code == 302
    assert Case.objects.count() == 1


def test_every_missing_field_is_named_beside_it_and_nothing_is_written(client, cast, opportunity):
    _as(client, cast.account_owner)
    response = client.post(
        reverse("cases:create", args=[opportunity.pk]), {"kind": "cse_help", "priority": "low"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose the catalog offering" in _field_errors(html, "offering")
    assert "Choose the customer contact" in _field_errors(html, "contact")
    assert "Describe the customer" in _field_errors(html, "challenges")
    assert _field_errors(html, "priority") == ""
    assert re.search(r'<textarea[^>]*name="challenges"[^>]*aria-invalid="true"', html)
    assert not Case.objects.exists() and not Cta.objects.exists()
    assert not TimelineEntry.objects.exists()


def test_challenges_over_1000_characters_are_refused_beside_the_field(
    client, cast, opportunity, case_data
):
    _as(client, cast.account_owner)
    text = "é" * 1001  # 1001 characters, 2002 bytes
    response = client.post(
        reverse("cases:create", args=[opportunity.pk]), _form(case_data, challenges=text)
    )
    html = response.content.decode()
    assert "At most 1000 characters; this has 1001." in _field_errors(html, "challenges")
    assert text in html  # what was typed is kept
    assert not Case.objects.exists()


def test_challenges_are_counted_as_the_person_sees_them(client, cast, opportunity, case_data):
    """A browser sends each line break as CRLF; the counter and the rule count one."""
    _as(client, cast.account_owner)
    text = "\r\n".join(["é" * 99] * 10)  # 990 + 9 line breaks = 999 characters seen
    assert len(text) == 1008
    response = client.post(
        reverse("cases:create", args=[opportunity.pk]), _form(case_data, challenges=text)
    )
    assert response.status_code == 302
    assert len(Case.objects.get().challenges) == 999


def test_a_contact_of_another_account_is_refused_beside_the_field(
    client, cast, opportunity, case_data
):
    stranger = ContactFactory(account=AccountFactory())
    _as(client, cast.account_owner)
    response = client.post(
        reverse("cases:create", args=[opportunity.pk]), _form(case_data, contact=stranger.pk)
    )
    assert "valid choice" in _field_errors(response.content.decode(), "contact")
    assert not Case.objects.exists()


def test_an_ineligible_account_says_why_and_refuses_cse_help(
    client, cast, case_data, ineligible_segment
):
    account = AccountFactory(segment=ineligible_segment, account_owner=cast.account_owner)
    opportunity = OpportunityFactory(account=account)
    contact = ContactFactory(account=account)
    _as(client, cast.account_owner)
    page = client.get(reverse("customers:opportunity-detail", args=[opportunity.pk]))
    assert "Self-serve segment do not qualify" in page.content.decode()
    url = reverse("cases:create", args=[opportunity.pk])
    assert "Self-serve segment do not qualify" in client.get(url).content.decode()
    # CSE help is not offered; a form that sends it anyway is refused on its kind.
    response = client.post(url, _form(case_data, contact=contact.pk))
    assert "not one of the available choices" in response.content.decode()
    assert response.content.decode().count("Self-serve segment do not qualify") == 1
    assert not Case.objects.exists()
    # An escalation is still possible.
    escalation = client.post(url, _form(case_data, contact=contact.pk, kind="escalation"))
    assert escalation.status_code == 302
    assert Case.objects.get().kind == "escalation" and not Cta.objects.exists()


def test_the_case_page_of_an_escalation_says_no_cta_is_raised(client, cast, case_data):
    case = services.open_case(
        cast.account_owner, {**case_data, "kind": "escalation", "offering": None}
    ).case
    _as(client, cast.cse)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "raises an escalation, not a CTA" in html and "No CTA is raised" in html


def test_an_opportunity_that_does_not_qualify_offers_only_an_escalation_and_says_why_once(
    client, cast, opportunity, contact, ineligible_segment
):
    account = opportunity.account
    account.segment = ineligible_segment
    account.save()
    client.force_login(cast.account_owner)
    url = reverse("cases:create", args=[opportunity.pk])
    page = client.get(url).content.decode()
    reason = "Accounts in the Self-serve segment do not qualify for CSE engagement."
    assert page.count(reason) == 1
    assert 'value="cse_help"' not in page and 'value="escalation"' in page
    tampered = client.post(
        url,
        {"kind": "cse_help", "contact": contact.pk, "challenges": "Help", "priority": "high"},
    ).content.decode()
    assert tampered.count(reason) == 1 and not Case.objects.exists()
    client.post(
        url,
        {"kind": "escalation", "contact": contact.pk, "challenges": "A P1 bug", "priority": "high"},
    )
    assert Case.objects.get().kind == "escalation"


# --- Duplicates ---------------------------------------------------------------


def _warning(html: str) -> str:
    found = re.search(
        r'<div class="alert alert-warning" role="alert" data-testid="duplicate-warning">'
        r"(.*?)</div>\s*</div>",
        html,
        re.S,
    )
    return found.group(1) if found else ""


def test_the_form_shows_no_reason_field_until_a_case_is_open(client, cast, opportunity):
    _as(client, cast.account_owner)
    html = client.get(reverse("cases:create", args=[opportunity.pk])).content.decode()
    assert 'name="duplicate_reason"' not in html
    assert 'data-testid="duplicate-warning"' not in html


def test_a_second_case_shows_the_warning_links_the_first_and_asks_why(
    client, cast, opportunity, case, case_data
):
    _as(client, cast.account_owner)
    url = reverse("cases:create", args=[opportunity.pk])
    token = _form_token(client.get(url).content.decode())
    refused = client.post(url, _form(case_data, form_token=token))
    assert refused.status_code == 200
    html = refused.content.decode()
    warning = _warning(html)
    assert (
        f"Case #{case.pk} (Streamline Your CI Workflows) is still open on this opportunity."
        in warning
    )
    assert f'href="{case.get_absolute_url()}"' in warning
    assert (
        '<label class="form-label" for="id_duplicate_reason">Why file it anyway?</label>' in warning
    )
    assert 'name="duplicate_reason"' in warning
    # Said once, in the warning: not again as an error above or beside a field.
    assert html.count("is still open on this opportunity") == 1
    assert Case.objects.count() == 1 and Cta.objects.count() == 1
    # The same form, with a reason, opens it; the token was not spent by the refusal.
    assert _form_token(html) == token
    opened = client.post(url, _form(case_data, form_token=token, duplicate_reason="Platform team."))
    second = Case.objects.latest("pk")
    assert opened["Location"] == second.get_absolute_url()
    assert second.duplicate_reason == "Platform team."
    page = client.get(opened["Location"]).content.decode()
    assert 'data-testid="duplicate-reason"' in page and "Platform team." in page


def test_a_resent_form_is_not_refused_as_a_duplicate_of_what_it_opened(
    client, cast, opportunity, case, case_data
):
    _as(client, cast.account_owner)
    url = reverse("cases:create", args=[opportunity.pk])
    token = _form_token(client.get(url).content.decode())
    sent = _form(case_data, form_token=token, duplicate_reason="Platform team.")
    first = client.post(url, sent)
    again = client.post(url, sent, follow=True)
    assert again.redirect_chain == [(first["Location"], 302)]
    assert 'data-testid="duplicate-warning"' not in again.content.decode()
    assert Case.objects.count() == 2


def test_the_warning_comes_with_the_other_errors(client, cast, opportunity, case, case_data):
    _as(client, cast.account_owner)
    url = reverse("cases:create", args=[opportunity.pk])
    html = client.post(url, _form(case_data, challenges="")).content.decode()
    assert f'href="{case.get_absolute_url()}"' in _warning(html)
    assert 'id="id_challenges_error"' in html
    assert Case.objects.count() == 1


def test_the_case_list_pages_fifty_at_a_time(client, cast):
    """Past one page the list says so and links the next, keeping its scope; the last
    page links back. (It used to stop at 100 cases, silently.)"""
    from tests.query_counts.rows import build_stage
    from tests.query_counts.rows import cases as some_cases

    stage = build_stage(cast)
    some_cases(stage, 53, spread=False)
    total = Case.objects.filter(account=stage.account).count()
    _as(client, cast.manager)
    first = client.get(reverse("cases:list")).content.decode()
    assert first.count('data-testid="case-row"') == 50
    assert 'href="/cases/?page=2">Next<' in first and "Previous" not in first
    scoped = client.get(reverse("cases:list"), {"account": stage.account.pk, "page": 2})
    html = scoped.content.decode()
    assert html.count('data-testid="case-row"') == total - 50
    assert f'href="/cases/?account={stage.account.pk}&amp;page=1">Previous<' in html
    assert ">Next<" not in html


def test_the_opt_out_says_what_happens_to_the_outreach(client, cast, opportunity):
    """Ticking it means no outreach email is drafted and "Reach out" is skipped; the
    help under the box and the model's (the admin's) say so, not "on acceptance"."""
    _as(client, cast.account_owner)
    html = client.get(reverse("cases:create", args=[opportunity.pk])).content.decode()
    help_text = html.split('id="id_opt_out_outreach_helptext"')[1].split("</div>")[0]
    assert "no outreach email" in help_text and "Reach out" in help_text
    model_help = str(Case._meta.get_field("opt_out_outreach").help_text)
    assert "on acceptance" not in model_help and "No outreach email is drafted" in model_help
