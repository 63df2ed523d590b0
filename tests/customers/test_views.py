"""The customer pages through the HTTP client: who may see what, filters, forms, history."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rhythm.customers import services
from rhythm.customers.models import Account, Contact
from rhythm.people.choices import Role
from tests.conftest import CAST
from tests.factories import (
    AccountFactory,
    SegmentFactory,
    UserFactory,
)

ALL_ROLES = frozenset(CAST) - {"outsider"}
CHANGE_ACCOUNT = frozenset({"manager", "cs_ops", "admin"})
ADD_CONTACT = frozenset({"account_owner", "csm", "cse", "cs_ops", "admin"})


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Hundreds of users are created below; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _as(client, user):
    client.force_login(user)
    return client


def _account_data(account: Account, **changes) -> dict:
    data = {
        "name": account.name,
        "crm_id": account.crm_id,
        "segment": account.segment_id,
        "region": account.region,
        "arr": account.arr,
        "lam": account.lam,
        "renewal_date": account.renewal_date or "",
        "employees": account.employees or "",
        "licenses_purchased": account.licenses_purchased,
        "licenses_used": account.licenses_used,
        "industry": account.industry,
        "account_owner": account.account_owner_id or "",
        "csm": account.csm_id or "",
    }
    data.update(changes)
    return data


def _field_errors(html: str, field: str) -> str:
    """The text of the error list Django renders beside one field ('' when none)."""
    found = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)).strip() if found else ""


# --- Permissions, looped over the cast ----------------------------------------


def _urls(account: Account) -> list[tuple[str, str, dict | None]]:
    return [
        ("get", reverse("customers:account-list"), None),
        ("get", reverse("customers:account-detail", args=[account.pk]), None),
        ("get", reverse("customers:account-edit", args=[account.pk]), None),
        ("post", reverse("customers:account-edit", args=[account.pk]), _account_data(account)),
        ("get", reverse("customers:contact-create", args=[account.pk]), None),
        (
            "post",
            reverse("customers:contact-create", args=[account.pk]),
            {"name": "Ann", "email": "ann@customer.example"},
        ),
    ]


def test_anonymous_is_sent_to_sign_in_everywhere(client, account):
    for method, url, data in _urls(account):
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(f"{reverse('login')}?next="), (method, url)
    assert not Contact.objects.exists()


def test_anonymous_htmx_request_is_sent_to_sign_in_as_a_whole_page(client, db):
    response = client.get(reverse("customers:account-list"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(f"{reverse('login')}?next=")


@pytest.mark.parametrize("who", CAST)
def test_account_list_and_detail(client, cast, account, who):
    _as(client, getattr(cast, who))
    expected = 200 if who in ALL_ROLES else 403
    assert client.get(reverse("customers:account-list")).status_code == expected
    detail = client.get(reverse("customers:account-detail", args=[account.pk]))
    assert detail.status_code == expected
    if expected == 200:
        assert account.name in detail.content.decode()


@pytest.mark.parametrize("who", CAST)
def test_account_edit(client, cast, account, who):
    _as(client, getattr(cast, who))
    url = reverse("customers:account-edit", args=[account.pk])
    allowed = who in CHANGE_ACCOUNT
    assert client.get(url).status_code == (200 if allowed else 403)
    response = client.post(url, _account_data(account, arr="150000"))
    account.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert response["Location"] == reverse("customers:account-detail", args=[account.pk])
        assert account.arr == Decimal("150000")
    else:
        assert response.status_code == 403
        assert account.arr == Decimal("120000")


@pytest.mark.parametrize("who", CAST)
def test_contact_create(client, cast, account, who):
    _as(client, getattr(cast, who))
    url = reverse("customers:contact-create", args=[account.pk])
    allowed = who in ADD_CONTACT
    assert client.get(url).status_code == (200 if allowed else 403)
    response = client.post(url, {"name": "Ann Lee", "email": "ann@customer.example"})
    if allowed:
        assert response.status_code == 302
        contact = Contact.objects.get(account=account)
        assert (contact.name, contact.email) == ("Ann Lee", "ann@customer.example")
    else:
        assert response.status_code == 403
        assert not Contact.objects.exists()


@pytest.mark.parametrize("role", [Role.ACCOUNT_OWNER, Role.CSM])
def test_an_account_someone_does_not_own_or_manage_is_not_found(client, account, role):
    stranger = UserFactory(roles=[role])
    _as(client, stranger)
    detail = reverse("customers:account-detail", args=[account.pk])
    contact = reverse("customers:contact-create", args=[account.pk])
    assert client.get(detail).status_code == 404
    assert client.get(contact).status_code == 404
    assert client.post(contact, {"name": "Ann", "email": "a@b.example"}).status_code == 404
    assert not Contact.objects.exists()
    listing = client.get(reverse("customers:account-list")).content.decode()
    assert account.name not in listing


def test_edit_right_does_not_widen_what_an_account_owner_sees(client, account):
    """The edit page fetches through the same visibility helper as the detail page."""
    owner = UserFactory(roles=[Role.ACCOUNT_OWNER])
    owner.user_permissions.add(Permission.objects.get(codename="change_account"))
    _as(client, owner)
    url = reverse("customers:account-edit", args=[account.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _account_data(account, arr="1")).status_code == 404
    account.refresh_from_db()
    assert account.arr == Decimal("120000")


def test_owner_and_csm_see_their_own_accounts_only(client, cast, account):
    someone_elses = AccountFactory(name="Not Yours Inc")
    for who in ("account_owner", "csm"):
        _as(client, getattr(cast, who))
        html = client.get(reverse("customers:account-list")).content.decode()
        assert account.name in html
        assert someone_elses.name not in html
    _as(client, cast.cse)
    html = client.get(reverse("customers:account-list")).content.decode()
    assert account.name in html and someone_elses.name in html


def test_unknown_account_is_not_found(client, cast):
    _as(client, cast.admin)
    assert client.get(reverse("customers:account-detail", args=[999999])).status_code == 404
    assert client.get(reverse("customers:account-edit", args=[999999])).status_code == 404


def test_not_found_and_forbidden_pages_are_rhythm_pages(client, cast, account):
    _as(client, cast.outsider)
    forbidden = client.get(reverse("customers:account-list"))
    assert forbidden.status_code == 403
    assert "You may not do that" in forbidden.content.decode()
    _as(client, cast.cse)
    missing = client.get(reverse("customers:account-detail", args=[999999]))
    assert "Nothing here" in missing.content.decode()


# --- The account list: search, filters, pagination, HTMX ----------------------


def _names(response) -> list[str]:
    table = response.content.decode()
    return re.findall(r'<a href="/accounts/\d+/">([^<]+)</a>', table)


@pytest.fixture
def spread(db):
    """Accounts over two segments and two regions, one archived."""
    scale = SegmentFactory(name="Scale", arr_floor=0, arr_ceiling=50000)
    strategic = SegmentFactory(name="Strategic", arr_floor=250000, arr_ceiling=2000000)
    AccountFactory(name="Acme Rockets", segment=scale, region="AMER", industry="Aerospace")
    AccountFactory(name="Borealis Bank", segment=strategic, region="EMEA", industry="Finance")
    AccountFactory(name="Cobalt Health", segment=strategic, region="AMER", industry="Health")
    gone = AccountFactory(name="Dodo Logistics", segment=scale, region="EMEA")
    services.archive(gone)
    return {"scale": scale, "strategic": strategic}


def test_list_search_and_filters(client, cast, spread):
    _as(client, cast.cse)
    url = reverse("customers:account-list")
    assert _names(client.get(url)) == ["Acme Rockets", "Borealis Bank", "Cobalt Health"]
    assert _names(client.get(url, {"q": "bank"})) == ["Borealis Bank"]
    assert _names(client.get(url, {"q": "aerospace"})) == ["Acme Rockets"]
    strategic = spread["strategic"].pk
    assert _names(client.get(url, {"segment": strategic})) == ["Borealis Bank", "Cobalt Health"]
    assert _names(client.get(url, {"segment": strategic, "region": "AMER"})) == ["Cobalt Health"]
    assert _names(client.get(url, {"archived": "true"})) == ["Dodo Logistics"]
    assert _names(client.get(url, {"q": "nothing like it"})) == []
    assert (
        "No accounts match these filters."
        in client.get(url, {"q": "nothing like it"}).content.decode()
    )


def test_list_keeps_the_chosen_filters_in_the_form(client, cast, spread):
    _as(client, cast.cse)
    strategic = spread["strategic"].pk
    html = client.get(
        reverse("customers:account-list"),
        {"q": "bo", "segment": strategic, "region": "EMEA", "archived": "false"},
    ).content.decode()
    assert 'name="q" value="bo"' in html
    assert f'<option value="{strategic}" selected>' in html
    assert '<option value="EMEA" selected>' in html


def test_list_sorts(client, cast, spread):
    _as(client, cast.cse)
    Account.objects.filter(name="Cobalt Health").update(arr=900000)
    Account.objects.filter(name="Acme Rockets").update(arr=10000)
    url = reverse("customers:account-list")
    assert _names(client.get(url, {"sort": "-arr"})) == [
        "Cobalt Health",
        "Borealis Bank",
        "Acme Rockets",
    ]
    assert _names(client.get(url, {"sort": "arr"}))[0] == "Acme Rockets"
    # An unknown order falls back to the name.
    assert _names(client.get(url, {"sort": "password"}))[0] == "Acme Rockets"


def test_a_bad_filter_is_reported_and_ignored(client, cast, spread):
    _as(client, cast.cse)
    response = client.get(reverse("customers:account-list"), {"segment": "not-a-number"})
    assert response.status_code == 200
    assert "Filter ignored" in response.content.decode()
    assert len(_names(response)) == 3
    # The filters that do parse still apply.
    both = client.get(reverse("customers:account-list"), {"segment": "x", "q": "bank"})
    assert "Filter ignored" in both.content.decode()
    assert _names(both) == ["Borealis Bank"]


def test_list_paginates_and_keeps_filters_across_pages(client, cast):
    segment = SegmentFactory(name="Scale")
    AccountFactory.create_batch(30, segment=segment, region="EMEA")
    AccountFactory.create_batch(3, segment=segment, region="AMER")
    _as(client, cast.cse)
    url = reverse("customers:account-list")
    first = client.get(url, {"region": "EMEA"})
    assert len(_names(first)) == 25
    html = first.content.decode()
    assert "1–25 of 30 accounts" in html
    assert "Page 1 of 2" in html
    assert 'href="?region=EMEA&amp;page=2"' in html
    second = client.get(url, {"region": "EMEA", "page": 2})
    assert len(_names(second)) == 5
    assert set(_names(first)).isdisjoint(_names(second))
    # A page past the end shows the last one rather than an error.
    assert _names(client.get(url, {"region": "EMEA", "page": 99})) == _names(second)


def test_htmx_request_gets_the_table_alone(client, cast, spread):
    _as(client, cast.cse)
    url = reverse("customers:account-list")
    full = client.get(url, {"q": "bank"})
    partial = client.get(url, {"q": "bank"}, headers={"HX-Request": "true"})
    assert "<html" in full.content.decode()
    body = partial.content.decode()
    assert "<html" not in body and '<nav class="navbar' not in body
    assert 'data-testid="account-table"' in body
    assert _names(partial) == ["Borealis Bank"]
    # One URL, two answers: a cache must key on the header.
    assert "HX-Request" in partial["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client, cast, spread):
    _as(client, cast.cse)
    response = client.get(
        reverse("customers:account-list"),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.content.decode()


def _count_queries(client, url, **kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    return len(queries)


def _owned_accounts(count: int, segments, people) -> None:
    for i in range(count):
        AccountFactory(
            segment=segments[i % len(segments)],
            account_owner=people[i % len(people)],
            csm=people[(i + 1) % len(people)],
            renewal_date=None,
        )


@pytest.mark.parametrize("who", ["cse", "csm"])
def test_account_list_queries_do_not_grow_with_accounts(client, cast, who):
    segments = [SegmentFactory(name=f"Band {i}") for i in range(3)]
    people = [cast.csm, *UserFactory.create_batch(4, roles=[Role.ACCOUNT_OWNER])]
    _owned_accounts(10, segments, people)
    _as(client, getattr(cast, who))
    url = reverse("customers:account-list")
    client.get(url)  # warm caches that live for the process (content types)
    few = _count_queries(client, url)
    few_htmx = _count_queries(client, url, headers={"HX-Request": "true"})
    _owned_accounts(490, segments, people)
    assert _count_queries(client, url) == few
    assert _count_queries(client, url, data={"page": 3}) == few
    assert _count_queries(client, url, headers={"HX-Request": "true"}) == few_htmx


# --- Forms show their errors next to the field and write nothing ---------------


def test_negative_arr_is_refused_beside_the_arr_field(client, cast, account):
    _as(client, cast.manager)
    versions = account.history.count()
    response = client.post(
        reverse("customers:account-edit", args=[account.pk]),
        _account_data(account, arr="-5", name="Renamed"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "greater than or equal to 0" in _field_errors(html, "arr")
    assert _field_errors(html, "name") == ""
    assert re.search(r'<input[^>]*name="arr"[^>]*aria-invalid="true"', html)
    # The page still names the account as it is saved, not as typed.
    assert f'<h1 class="rh-page-title">Edit {account.name}</h1>' in html
    account.refresh_from_db()
    assert (account.name, account.arr) == (account.name, Decimal("120000"))
    assert account.name != "Renamed"
    assert account.history.count() == versions


def test_duplicate_crm_id_is_refused_beside_its_field(client, cast, account):
    other = AccountFactory(crm_id="CRM-TAKEN")
    _as(client, cast.admin)
    response = client.post(
        reverse("customers:account-edit", args=[account.pk]),
        _account_data(account, crm_id=other.crm_id),
    )
    assert response.status_code == 200
    assert "already exists" in _field_errors(response.content.decode(), "crm_id")
    account.refresh_from_db()
    assert account.crm_id != "CRM-TAKEN"


def test_archived_segment_is_not_offered_to_an_account(client, cast, account):
    retired = SegmentFactory(name="Retired")
    services.archive(retired)
    _as(client, cast.admin)
    url = reverse("customers:account-edit", args=[account.pk])
    assert f'<option value="{retired.pk}">Retired</option>' not in client.get(url).content.decode()
    response = client.post(url, _account_data(account, segment=retired.pk))
    assert response.status_code == 200
    assert _field_errors(response.content.decode(), "segment")
    account.refresh_from_db()
    assert account.segment_id != retired.pk


def test_contact_with_a_bad_email_is_refused_beside_the_email_field(client, cast, account):
    _as(client, cast.csm)
    response = client.post(
        reverse("customers:contact-create", args=[account.pk]),
        {"name": "Ann Lee", "email": "not-an-email"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "valid email" in _field_errors(html, "email")
    assert _field_errors(html, "name") == ""
    assert 'value="Ann Lee"' in html  # what was typed is kept
    assert not Contact.objects.exists()


def test_contact_without_a_name_is_refused(client, cast, account):
    _as(client, cast.csm)
    response = client.post(
        reverse("customers:contact-create", args=[account.pk]), {"email": "a@b.example"}
    )
    assert "required" in _field_errors(response.content.decode(), "name")
    assert not Contact.objects.exists()
