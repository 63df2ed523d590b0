"""Customers over /api/v1/: who sees which account, the named errors, create, update
and archive (who may call what: tests/permissions/customers.py; lists: test_api_lists)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from rhythm.customers.models import (
    Account,
    Contact,
    Objective,
    Opportunity,
    Segment,
    SuccessPlan,
)
from rhythm.people.choices import Role
from tests.core.test_api_auth_and_errors import assert_error
from tests.customers.conftest import account_body
from tests.factories import (
    AccountFactory,
    ContactFactory,
    OpportunityFactory,
    SuccessPlanFactory,
    UserFactory,
)

# --- Who sees which account ---------------------------------------------------------


@pytest.fixture
def two_books(cast):
    """The cast's AE and CSM have one account; another AE and CSM have another."""
    other_ae = UserFactory(username="ae2", roles=[Role.ACCOUNT_OWNER])
    other_csm = UserFactory(username="csm2", roles=[Role.CSM])
    mine = AccountFactory(name="Mine", account_owner=cast.account_owner, csm=cast.csm)
    theirs = AccountFactory(name="Theirs", account_owner=other_ae, csm=other_csm)
    return mine, theirs


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("account_owner", {"Mine"}),
        ("csm", {"Mine"}),
        ("cse", {"Mine", "Theirs"}),
        ("manager", {"Mine", "Theirs"}),
        ("program_manager", {"Mine", "Theirs"}),
        ("cs_ops", {"Mine", "Theirs"}),
        ("demo_architect", {"Mine", "Theirs"}),
        ("admin", {"Mine", "Theirs"}),
        ("outsider", set()),
    ],
)
def test_each_role_lists_the_accounts_it_may_see(api, cast, two_books, role, sees):
    body = api(getattr(cast, role)).get("/accounts").json()
    assert {a["name"] for a in body["items"]} == sees
    assert body["count"] == len(sees)


def test_an_ae_cannot_read_or_change_another_aes_account(api, cast, two_books):
    _, theirs = two_books
    client = api(cast.account_owner)
    assert_error(client.get(f"/accounts/{theirs.pk}"), 404, "non_field_errors", "not_found")
    assert_error(client.patch(f"/accounts/{theirs.pk}", {"name": "Mine now"}), 404)
    assert_error(client.post(f"/accounts/{theirs.pk}/archive"), 404)
    theirs.refresh_from_db()
    assert (theirs.name, theirs.archived_at) == ("Theirs", None)


def test_a_csm_sees_only_the_children_of_its_accounts(api, cast, two_books):
    mine, theirs = two_books
    ContactFactory(account=mine, name="Ada")
    hidden = ContactFactory(account=theirs, name="Grace")
    OpportunityFactory(account=theirs)
    SuccessPlanFactory(account=theirs)
    client = api(cast.csm)
    assert [c["name"] for c in client.get("/contacts").json()["items"]] == ["Ada"]
    assert client.get("/opportunities").json()["count"] == 0
    assert client.get("/success-plans").json()["count"] == 0
    assert_error(client.get(f"/contacts/{hidden.pk}"), 404)


def test_nobody_adds_a_contact_to_an_account_they_cannot_see(api, cast, two_books):
    _, theirs = two_books
    response = api(cast.account_owner).post(
        "/contacts", {"account": theirs.pk, "name": "Sneaky", "email": "s@x.example"}
    )
    assert_error(response, 422, "account", "does_not_exist")
    assert not Contact.objects.filter(name="Sneaky").exists()


def test_a_refused_write_changes_nothing(api, cast, world):
    before = Account.objects.get(pk=world.account.pk)
    for user in (cast.account_owner, cast.csm, cast.cse, cast.outsider):
        api(user).patch(f"/accounts/{world.account.pk}", {"arr": "1"})
        api(user).post(f"/accounts/{world.account.pk}/archive")
    after = Account.objects.get(pk=world.account.pk)
    assert (after.arr, after.archived_at, after.updated_at) == (
        before.arr,
        None,
        before.updated_at,
    )


# --- The named errors of the issue ------------------------------------------------------


@pytest.mark.parametrize("arr", ["-1", "-0.01", -5])
def test_a_negative_arr_is_422_naming_arr_and_writes_nothing(api, cast, world, arr):
    before = Account.objects.count()
    response = api(cast.admin).post("/accounts", account_body(world, arr=arr))
    assert_error(response, 422, "arr", "greater_than_equal")
    assert Account.objects.count() == before
    assert not Account.objects.filter(crm_id="CRM-ACME").exists()


def test_a_negative_arr_in_a_patch_is_422_and_changes_nothing(api, cast, world):
    name = world.account.name
    response = api(cast.admin).patch(
        f"/accounts/{world.account.pk}", {"arr": "-100", "name": "Renamed"}
    )
    assert_error(response, 422, "arr", "greater_than_equal")
    world.account.refresh_from_db()
    assert (world.account.arr, world.account.name) == (Decimal("120000"), name)
    assert world.account.history.count() == 1


@pytest.mark.parametrize("segment", [999_999, 0, -1, 2**63, 10**30])
def test_an_unknown_segment_is_422_naming_segment_and_writes_nothing(api, cast, world, segment):
    response = api(cast.admin).post("/accounts", account_body(world, segment=segment))
    assert_error(response, 422, "segment")
    assert not Account.objects.filter(crm_id="CRM-ACME").exists()


def test_an_unknown_segment_names_the_rule(api, cast, world):
    response = api(cast.admin).post("/accounts", account_body(world, segment=999_999))
    assert_error(response, 422, "segment", "does_not_exist")


def test_an_archived_segment_takes_no_new_accounts(api, cast, world):
    api(cast.admin).post(f"/segments/{world.spare_segment.pk}/archive")
    response = api(cast.admin).post(
        "/accounts", account_body(world, segment=world.spare_segment.pk)
    )
    assert_error(response, 422, "segment", "does_not_exist")


def test_an_unknown_segment_in_a_patch_changes_nothing(api, cast, world):
    response = api(cast.admin).patch(
        f"/accounts/{world.account.pk}", {"segment": 999_999, "industry": "Changed"}
    )
    assert_error(response, 422, "segment", "does_not_exist")
    world.account.refresh_from_db()
    assert (world.account.segment_id, world.account.industry) == (world.segment.pk, "Software")


def test_a_name_of_only_spaces_is_no_name(api, cast, world):
    response = api(cast.admin).patch(f"/accounts/{world.account.pk}", {"name": "   "})
    assert_error(response, 422, "name", "string_too_short")
    segment = api(cast.admin).patch(f"/segments/{world.segment.pk}", {"name": " \t "})
    assert_error(segment, 422, "name", "string_too_short")
    world.account.refresh_from_db()
    assert world.account.name.strip()
    trimmed = api(cast.admin).patch(f"/accounts/{world.account.pk}", {"industry": "  Banking "})
    assert trimmed.status_code == 200 and trimmed.json()["industry"] == "Banking"


def test_a_segment_that_is_not_a_number_is_named(api, cast, world):
    response = api(cast.admin).post("/accounts", account_body(world, segment="Enterprise"))
    assert_error(response, 422, "segment", "int_parsing")


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"region": "MARS"}, "region", "invalid_choice"),
        ({"crm_id": "CRM-TAKEN"}, "crm_id", "unique"),
        ({"lam": "-1"}, "lam", "greater_than_equal"),
        ({"arr": "1234567890123.00"}, "arr", "decimal_whole_digits"),
        ({"arr": "1.001"}, "arr", "decimal_max_places"),
        ({"arr": "NaN"}, "arr", "finite_number"),
        ({"name": ""}, "name", "string_too_short"),
        ({"name": "x" * 201}, "name", "string_too_long"),
        ({"name": "Acme\x00Corp"}, "name", "null_characters"),
        ({"industry": "Soft\x00ware"}, "industry", "null_characters"),
        ({"renewal_date": "2031-02-30"}, "renewal_date", "date_from_datetime_parsing"),
        ({"renewal_date": "99999-01-01"}, "renewal_date", "date_from_datetime_parsing"),
        ({"employees": 10**30}, "employees", "less_than_equal"),
        ({"licenses_used": -1}, "licenses_used", "greater_than_equal"),
        ({"account_owner": 999_999}, "account_owner", "does_not_exist"),
        ({"csm": 2**63}, "csm", "less_than_equal"),
        ({"csm": 0}, "csm", "greater_than_equal"),
    ],
)
def test_each_bad_account_field_is_named_with_its_rule(api, cast, world, changes, field, rule):
    AccountFactory(crm_id="CRM-TAKEN")
    before = Account.objects.count()
    response = api(cast.admin).post("/accounts", account_body(world, **changes))
    assert_error(response, 422, field, rule)
    assert Account.objects.count() == before


@pytest.mark.parametrize(
    ("field", "rule"),
    [("name", "string_type"), ("industry", "string_type"), ("arr", "decimal_type")],
)
def test_null_for_a_field_that_cannot_be_empty_is_named(api, cast, world, field, rule):
    response = api(cast.admin).patch(f"/accounts/{world.account.pk}", {field: None})
    assert_error(response, 422, field, rule)


def test_null_clears_a_field_that_may_be_empty(api, cast, world):
    world.account.renewal_date = date(2031, 1, 1)
    world.account.save()
    response = api(cast.admin).patch(
        f"/accounts/{world.account.pk}", {"renewal_date": None, "csm": None}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["renewal_date"], response.json()["csm"]) == (None, None)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/contacts/{contact}", {"title": None}, "title"),
        ("/contacts/{contact}", {"phone": None}, "phone"),
        ("/contacts/{contact}", {"role": "boss"}, "role"),
        ("/contacts/{contact}", {"name": "A\x00"}, "name"),
        ("/success-plans/{plan}", {"summary": None}, "summary"),
        ("/success-plans/{plan}", {"summary": "\x00"}, "summary"),
        ("/opportunities/{opportunity}", {"is_open": None}, "is_open"),
        ("/opportunities/{opportunity}", {"stage": "won-ish"}, "stage"),
        ("/objectives/{objective}", {"progress": 101}, "progress"),
        ("/objectives/{objective}", {"status": None}, "status"),
        ("/segments/{segment}", {"name": None}, "name"),
    ],
)
def test_bad_patches_of_every_kind_are_named(api, cast, world, path, body, field):
    ids = {
        "contact": world.contact.pk,
        "plan": world.plan.pk,
        "opportunity": world.opportunity.pk,
        "objective": world.objective.pk,
        "segment": world.segment.pk,
    }
    assert_error(api(cast.admin).patch(path.format(**ids), body), 422, field)


def test_a_segment_ceiling_below_its_floor_is_named(api, cast):
    body = {"name": "Upside down", "arr_floor": "100", "arr_ceiling": "10"}
    assert_error(api(cast.admin).post("/segments", body), 422, "arr_ceiling", "min_value")
    assert not Segment.objects.filter(name="Upside down").exists()


def test_a_duplicate_segment_name_is_named(api, cast, world):
    body = {"name": world.segment.name, "arr_floor": "0", "arr_ceiling": "1"}
    assert_error(api(cast.admin).post("/segments", body), 422, "name", "unique")


def test_a_bad_objective_in_a_new_plan_is_named_and_no_plan_is_written(api, cast, world):
    body = {
        "account": world.account.pk,
        "name": "Half good",
        "objectives": [{"title": "Fine"}, {"title": "Too far", "progress": 150}],
    }
    assert_error(api(cast.admin).post("/success-plans", body), 422, "objectives.1.progress")
    assert not SuccessPlan.objects.filter(name="Half good").exists()


def test_a_contact_email_must_be_an_email(api, cast, world):
    body = {"account": world.account.pk, "name": "Ada", "email": "not-an-email"}
    assert_error(api(cast.admin).post("/contacts", body), 422, "email", "value_error")


def test_a_contact_has_a_role_the_api_sets_and_changes(api, cast, world):
    body = {"account": world.account.pk, "name": "Ada", "email": "ada@x.example",
            "title": "Staff Engineer", "role": "technical_champion"}  # fmt: skip
    created = api(cast.admin).post("/contacts", body)
    assert created.status_code == 201, created.content
    assert created.json()["role"] == "technical_champion"
    changed = api(cast.admin).patch(f"/contacts/{created.json()['id']}", {"role": "admin"})
    assert changed.status_code == 200 and changed.json()["role"] == "admin"
    unset = api(cast.admin).post("/contacts", {**body, "email": "b@x.example", "role": ""})
    assert unset.json()["role"] == ""


def test_a_closed_stage_closes_the_opportunity(api, cast, world):
    response = api(cast.admin).patch(
        f"/opportunities/{world.opportunity.pk}", {"stage": "closed_won"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["is_open"] is False


def test_an_account_owner_and_a_csm_must_hold_their_roles(api, cast, world):
    wrong = api(cast.admin).patch(
        f"/accounts/{world.account.pk}", {"account_owner": cast.cse.pk, "csm": cast.manager.pk}
    )
    body = assert_error(wrong, 422)
    rules = {e["field"]: e["rule"] for e in body["errors"]}
    assert rules == {"account_owner": "wrong_role", "csm": "wrong_role"}
    world.account.refresh_from_db()
    assert world.account.account_owner_id != cast.cse.pk and world.account.csm_id != cast.manager.pk
    right = api(cast.admin).patch(f"/accounts/{world.account.pk}", {"csm": cast.csm.pk})
    assert right.status_code == 200


# --- Create, read, update -------------------------------------------------------------------


def test_an_account_round_trip(api, cast, world):
    client = api(cast.cs_ops)
    created = client.post("/accounts", account_body(world, csm=cast.csm.pk))
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["segment"] == world.segment.pk
    assert data["segment_name"] == world.segment.name
    assert data["arr"] == "150000.00"
    assert data["csm"] == cast.csm.pk
    assert data["archived_at"] is None

    changed = client.patch(f"/accounts/{data['id']}", {"arr": "175000.50", "region": "APAC"})
    assert changed.status_code == 200
    assert (changed.json()["arr"], changed.json()["region"]) == ("175000.50", "APAC")
    assert changed.json()["name"] == "Acme Corp"  # what was not sent stays

    fetched = client.get(f"/accounts/{data['id']}").json()
    assert fetched == changed.json()
    # The CSM named on the account now sees it.
    assert api(cast.csm).get(f"/accounts/{data['id']}").status_code == 200


def test_a_success_plan_comes_with_its_active_objectives(api, cast, world):
    created = api(cast.csm).post(
        "/success-plans",
        {
            "account": world.account.pk,
            "name": "FY27",
            "objectives": [
                {"title": "Adopt CI", "progress": 20, "due_date": "2031-06-30"},
                {"title": "Migrate", "status": "red"},
            ],
        },
    )
    assert created.status_code == 201, created.content
    plan = created.json()
    assert [o["title"] for o in plan["objectives"]] == ["Adopt CI", "Migrate"]
    adopt = plan["objectives"][0]
    api(cast.csm).post(f"/objectives/{adopt['id']}/archive")
    again = api(cast.csm).get(f"/success-plans/{plan['id']}").json()
    assert [o["title"] for o in again["objectives"]] == ["Migrate"]
    assert Objective.objects.filter(pk=adopt["id"], archived_at__isnull=False).exists()


# --- Archive, never delete ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "attribute", "model"),
    [
        ("/accounts/{}/archive", "account", Account),
        ("/contacts/{}/archive", "contact", Contact),
        ("/opportunities/{}/archive", "opportunity", Opportunity),
        ("/success-plans/{}/archive", "plan", SuccessPlan),
        ("/objectives/{}/archive", "objective", Objective),
        ("/segments/{}/archive", "spare_segment", Segment),
    ],
)
def test_archive_keeps_the_row(api, cast, world, path, attribute, model):
    obj = getattr(world, attribute)
    response = api(cast.admin).post(path.format(obj.pk))
    assert response.status_code == 200, response.content
    assert response.json()["archived_at"] is not None
    row = model.objects.get(pk=obj.pk)
    assert row.archived_at is not None
    # Archiving twice keeps the first time.
    api(cast.admin).post(path.format(obj.pk))
    assert model.objects.get(pk=obj.pk).archived_at == row.archived_at
    assert row.history.first().history_user == cast.admin


def test_a_segment_with_active_accounts_cannot_be_archived(api, cast, world):
    response = api(cast.admin).post(f"/segments/{world.segment.pk}/archive")
    assert_error(response, 422, "segment", "in_use")
    world.segment.refresh_from_db()
    assert world.segment.archived_at is None


@pytest.mark.parametrize(
    ("path", "attribute"),
    [
        ("/accounts", "account"),
        ("/contacts", "contact"),
        ("/opportunities", "opportunity"),
        ("/success-plans", "plan"),
        ("/segments", "spare_segment"),
    ],
)
def test_archived_rows_are_hidden_unless_asked_for(api, cast, world, path, attribute):
    obj = getattr(world, attribute)
    client = api(cast.admin)
    listed = {row["id"] for row in client.get(path).json()["items"]}
    assert obj.pk in listed
    client.post(f"{path}/{obj.pk}/archive")
    assert obj.pk not in {row["id"] for row in client.get(path).json()["items"]}
    archived = client.get(path, archived="true").json()
    assert [row["id"] for row in archived["items"]] == [obj.pk]
    assert archived["count"] == 1
