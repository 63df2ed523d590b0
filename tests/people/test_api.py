"""Team members over /api/v1/: who may see and change them, their fields, lists and history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rhythm.customers.models import Segment
from rhythm.people.choices import Role
from rhythm.people.models import User
from tests.conftest import CAST
from tests.core.test_api_auth_and_errors import assert_error
from tests.factories import SegmentFactory, UserFactory

ROLES = CAST


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The cast's passwords are hashed with a fast hasher: PBKDF2 costs 0.4 s a user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def statuses(default: int, **by_role: int) -> dict[str, int]:
    assert set(by_role) <= set(ROLES)
    return {role: by_role.get(role, default) for role in ROLES}


@pytest.fixture
def member(db):
    """A CSE who is not part of the cast, for the cast to read and change."""
    return UserFactory(
        username="newcomer", first_name="Nia", last_name="Quarshie-Bell", roles=[Role.CSE]
    )


@dataclass
class Endpoint:
    name: str
    method: str
    path: Callable[[User], str]
    expected: dict[str, int]
    body: Callable[[str], dict[str, Any]] | None = None


ENDPOINTS = [
    Endpoint("list", "get", lambda m: "/team-members", statuses(200, outsider=403)),
    Endpoint("me", "get", lambda m: "/team-members/me", statuses(200)),
    Endpoint("detail", "get", lambda m: f"/team-members/{m.pk}", statuses(200, outsider=403)),
    Endpoint(
        "create",
        "post",
        lambda m: "/team-members",
        statuses(403, admin=201),
        lambda role: {"username": f"hire-{role}", "roles": ["cse"], "region": "EMEA"},
    ),
    Endpoint(
        "update capacity",
        "patch",
        lambda m: f"/team-members/{m.pk}",
        statuses(403, manager=200, admin=200),
        lambda role: {"weekly_capacity_hours": "32.5", "covered_regions": ["EMEA"]},
    ),
    Endpoint(
        "update roles",
        "patch",
        lambda m: f"/team-members/{m.pk}",
        statuses(403, admin=200),
        lambda role: {"roles": ["cse", "cse_manager"]},
    ),
    Endpoint(
        "update email",
        "patch",
        lambda m: f"/team-members/{m.pk}",
        statuses(403, admin=200),
        lambda role: {"email": f"{role}@attacker.example"},
    ),
    Endpoint(
        "archive",
        "post",
        lambda m: f"/team-members/{m.pk}/archive",
        statuses(403, admin=200),
    ),
    Endpoint("tokens list", "get", lambda m: "/tokens", statuses(200)),
    Endpoint(
        "token create",
        "post",
        lambda m: "/tokens",
        statuses(201),
        lambda role: {"name": f"{role}'s laptop"},
    ),
]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_each_role_gets_the_expected_status(api, cast, member, endpoint):
    actual = {}
    for role, user in cast.members().items():
        client = api(user)
        path = endpoint.path(member)
        if endpoint.method == "get":
            response = client.get(path)
        else:
            body = endpoint.body(role) if endpoint.body else {}
            response = getattr(client, endpoint.method)(path, body)
        actual[role] = response.status_code
        if response.status_code >= 400:
            assert_error(response, response.status_code)
    assert actual == endpoint.expected


def test_a_manager_cannot_take_over_an_account_through_its_email(api, cast):
    response = api(cast.manager).patch(
        f"/team-members/{cast.admin.pk}", {"email": "manager@attacker.example"}
    )
    assert_error(response, 403, "non_field_errors", "permission_denied")
    cast.admin.refresh_from_db()
    assert cast.admin.email == "administrator@example.com"


def test_a_manager_cannot_grant_roles_and_nothing_else_changes(api, cast, member):
    response = api(cast.manager).patch(
        f"/team-members/{member.pk}", {"roles": ["admin"], "weekly_capacity_hours": "10"}
    )
    assert_error(response, 403)
    member.refresh_from_db()
    assert member.roles == [Role.CSE]
    assert member.weekly_capacity_hours == Decimal("40")


def test_me_answers_for_the_token(api, cast):
    body = api(cast.csm).get("/team-members/me").json()
    assert (body["username"], body["roles"]) == ("csm", ["csm"])


# --- Create, update, archive -------------------------------------------------------------


def test_an_admin_adds_a_member_with_roles_and_coverage(api, cast):
    segment = SegmentFactory(name="Enterprise")
    response = api(cast.admin).post(
        "/team-members",
        {
            "username": "ines",
            "first_name": "Inès",
            "email": "ines@example.com",
            "roles": ["cse", "program_manager"],
            "region": "EMEA",
            "time_zone": "Europe/Paris",
            "holiday_country": "FR",
            "weekly_capacity_hours": "36",
            "covered_regions": ["EMEA", "APAC"],
            "covered_segments": [segment.pk],
            "booking_url": "https://calendly.com/ines",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["roles"] == ["cse", "program_manager"]
    assert body["covered_segments"] == [segment.pk]
    assert body["booking_url"] == "https://calendly.com/ines"
    assert body["weekly_capacity_hours"] == "36.0"
    ines = User.objects.get(username="ines")
    assert not ines.has_usable_password()  # they set it through a password reset
    assert {h.history_user for h in ines.history.all()} == {cast.admin}


def test_a_manager_tunes_capacity_and_coverage(api, cast, member):
    segment = SegmentFactory(name="Enterprise")
    response = api(cast.manager).patch(
        f"/team-members/{member.pk}",
        {"weekly_capacity_hours": "20", "covered_segments": [segment.pk], "region": "APAC"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["covered_segments"] == [segment.pk]
    member.refresh_from_db()
    assert (member.weekly_capacity_hours, member.region) == (Decimal("20"), "APAC")
    assert member.history.first().history_user == cast.manager


def test_null_clears_the_email_and_booking_link(api, cast, member):
    member.booking_url = "https://calendly.com/nia"
    member.save()
    response = api(cast.admin).patch(
        f"/team-members/{member.pk}", {"email": None, "booking_url": None}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["email"], response.json()["booking_url"]) == ("", "")


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"username": "cse"}, "username", "unique"),
        ({"username": "has space"}, "username", "string_pattern_mismatch"),
        ({"username": "nul\x00"}, "username", "string_pattern_mismatch"),
        ({"username": "x", "roles": ["emperor"]}, "roles.0", "enum"),
        ({"username": "x", "region": "MARS"}, "region", "invalid_choice"),
        ({"username": "x", "time_zone": "Mars/Olympus"}, "time_zone", "invalid_time_zone"),
        ({"username": "x", "time_zone": "Europe/\x00"}, "time_zone", "null_characters"),
        ({"username": "x", "holiday_country": "ZZ"}, "holiday_country", "invalid_country"),
        (
            {"username": "x", "holiday_country": "US", "holiday_subdivision": "ZZ"},
            "holiday_subdivision",
            "invalid_subdivision",
        ),
        ({"username": "x", "weekly_capacity_hours": "81"}, "weekly_capacity_hours", None),
        ({"username": "x", "weekly_capacity_hours": "-1"}, "weekly_capacity_hours", None),
        ({"username": "x", "covered_regions": ["MARS"]}, "covered_regions", "invalid_choice"),
        ({"username": "x", "covered_regions": ["\x00"]}, "covered_regions.0", None),
        ({"username": "x", "covered_segments": [999_999]}, "covered_segments", "does_not_exist"),
        ({"username": "x", "covered_segments": [2**63]}, "covered_segments.0", None),
        ({"username": "x", "booking_url": "not a url"}, "booking_url", "url_parsing"),
        ({"username": "x", "email": "nope"}, "email", "value_error"),
        ({"username": "x", "first_name": "A\x00"}, "first_name", "null_characters"),
    ],
)
def test_each_bad_member_field_is_named(api, cast, body, field, rule):
    before = User.objects.count()
    assert_error(api(cast.admin).post("/team-members", body), 422, field, rule)
    assert User.objects.count() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_name": None}, "first_name"),
        ({"title": None}, "title"),
        ({"roles": None}, "roles"),
        ({"covered_segments": None}, "covered_segments"),
        ({"weekly_capacity_hours": None}, "weekly_capacity_hours"),
        ({"time_zone": "Nowhere/Land"}, "time_zone"),
        ({"holiday_subdivision": "ZZ"}, "holiday_subdivision"),
    ],
)
def test_bad_patches_are_named_and_change_nothing(api, cast, member, body, field):
    assert_error(api(cast.admin).patch(f"/team-members/{member.pk}", body), 422, field)
    member.refresh_from_db()
    assert (member.first_name, member.roles) == ("Nia", [Role.CSE])


def test_archiving_a_member_keeps_them_and_ends_their_sign_in(api, cast, member):
    response = api(cast.admin).post(f"/team-members/{member.pk}/archive")
    assert response.status_code == 200, response.content
    assert response.json()["archived_at"] is not None
    assert response.json()["is_active"] is False
    member.refresh_from_db()
    assert (member.is_active, member.archived_at is not None) == (False, True)
    assert member.history.first().history_user == cast.admin


def test_nobody_archives_themselves(api, cast):
    response = api(cast.admin).post(f"/team-members/{cast.admin.pk}/archive")
    assert_error(response, 422, "member", "self")
    cast.admin.refresh_from_db()
    assert (cast.admin.is_active, cast.admin.archived_at) == (True, None)


def test_unknown_members_are_404(api, cast):
    for path in ("/team-members/999999", "/team-members/999999/archive"):
        method = "get" if not path.endswith("archive") else "post"
        assert_error(getattr(api(cast.admin), method)(path), 404)
    assert_error(api(cast.admin).patch("/team-members/999999", {"title": "x"}), 404)


# --- Lists ------------------------------------------------------------------------------------


def usernames(client, **params) -> list[str]:
    response = client.get("/team-members", **params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"])
    return sorted(m["username"] for m in body["items"])


def test_team_filters(api, cast, member):
    segment = SegmentFactory(name="Enterprise")
    member.covered_segments.add(segment)
    member.region = "EMEA"
    member.save()
    client = api(cast.admin)
    assert usernames(client, role="cse") == ["cse", "newcomer"]
    assert usernames(client, role="account_owner") == ["ae"]
    assert usernames(client, region="EMEA") == ["newcomer"]
    assert usernames(client, segment=segment.pk) == ["newcomer"]
    assert usernames(client, q="newc") == ["newcomer"]
    assert usernames(client, q="Quarshie") == ["newcomer"]
    assert "outsider" in usernames(client)


def test_archived_members_are_hidden_unless_asked_for(api, cast, member):
    client = api(cast.admin)
    client.post(f"/team-members/{member.pk}/archive")
    assert "newcomer" not in usernames(client)
    assert usernames(client, archived="true") == ["newcomer"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"role": "emperor"}, "role"),
        ({"q": "\x00"}, "q"),
        ({"segment": 10**30}, "segment"),
        ({"limit": 501}, "limit"),
        ({"offset": 10**12}, "offset"),
    ],
)
def test_bad_team_filters_are_named(api, cast, params, field):
    assert_error(api(cast.admin).get("/team-members", **params), 422, field)


def test_team_pagination(api, cast):
    client = api(cast.admin)
    everyone = [m["username"] for m in client.get("/team-members", limit=500).json()["items"]]
    assert len(everyone) == 9
    page = client.get("/team-members", limit=4, offset=4).json()
    assert page["count"] == 9
    assert [m["username"] for m in page["items"]] == everyone[4:8]


def add_members(count: int, start: int, group: Group, segment: Segment) -> None:
    users = User.objects.bulk_create(
        User(username=f"bulk{n:04d}", first_name="Bulk", region="AMER")
        for n in range(start, start + count)
    )
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=u.pk, group_id=group.pk) for u in users
    )
    User.covered_segments.through.objects.bulk_create(
        User.covered_segments.through(user_id=u.pk, segment_id=segment.pk) for u in users
    )


def test_the_team_list_costs_the_same_for_10_and_500_members(api, cast):
    group = Group.objects.get(name=Role.CSE.label)
    segment = SegmentFactory(name="Bulk")
    client = api(cast.admin)

    def measure() -> tuple[int, dict]:
        client.get("/team-members", limit=500)  # warm up: the token's last-use stamp
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/team-members", limit=500)
        assert response.status_code == 200
        return len(captured), response.json()

    add_members(10, 0, group, segment)
    small, body = measure()
    assert body["count"] == 19
    add_members(481, 10, group, segment)
    large, body = measure()
    assert (body["count"], len(body["items"])) == (500, 500)
    bulk = [m for m in body["items"] if m["username"].startswith("bulk")]
    assert all(m["roles"] == ["cse"] and m["covered_segments"] == [segment.pk] for m in bulk)
    # The token, the user's permissions, the count, the page, roles, segments.
    assert small == large == 6


def test_a_member_with_open_work_is_not_archived_until_it_is_handed_over(
    api, cast, case_data, covering_cse
):
    from rhythm.cases import services as cases
    from rhythm.ctas import services as ctas

    cta = cases.open_case(cast.account_owner, case_data).case.cta
    ctas.accept(cta, cse=covering_cse, actor=covering_cse)
    refused = api(cast.admin).post(f"/team-members/{covering_cse.pk}/archive")
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert (error["field"], error["rule"]) == ("member", "has_open_work")
    assert "1 open CTA" in error["message"] and "reassign them first" in error["message"]
    covering_cse.refresh_from_db()
    assert covering_cse.is_active and covering_cse.archived_at is None

    ctas.close(cta, actor=covering_cse, skip_reason="Handed over by email.")
    assert api(cast.admin).post(f"/team-members/{covering_cse.pk}/archive").status_code == 200


def test_two_active_members_cannot_share_an_address(api, cast):
    taken = api(cast.admin).patch(f"/team-members/{cast.csm.pk}", {"email": cast.cse.email.upper()})
    assert taken.status_code == 422
    error = taken.json()["errors"][0]
    assert (error["field"], error["rule"]) == ("email", "unique")
    cast.csm.refresh_from_db()
    assert cast.csm.email != cast.cse.email
