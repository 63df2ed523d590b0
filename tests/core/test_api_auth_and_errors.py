"""The API's doors and its one error shape: tokens, sessions with CSRF, sizes, bad bodies."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string

from rhythm.core import services as core_services
from rhythm.core.models import ApiToken
from rhythm.customers.models import Segment
from rhythm.people import services as people_services
from rhythm.people.choices import Role
from tests.factories import UserFactory

SEGMENT = {"name": "Enterprise", "arr_floor": "0", "arr_ceiling": "500000"}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The cast's passwords are hashed with a fast hasher: PBKDF2 costs 0.4 s a user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def assert_error(response, status: int, field: str | None = None, rule: str | None = None) -> dict:
    """The one error shape: a `detail` and `errors`, each naming a field and a rule."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "errors"}, body
    assert isinstance(body["detail"], str) and body["detail"], body
    assert body["errors"], body
    for error in body["errors"]:
        assert set(error) == {"field", "rule", "message"}, error
        assert all(isinstance(value, str) and value for value in error.values()), error
    if field is not None:
        named = [e for e in body["errors"] if e["field"] == field]
        assert named, f"no error names {field!r}: {body}"
        if rule is not None:
            assert rule in {e["rule"] for e in named}, body
    return body


def session_client(user, enforce_csrf: bool = True) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(user)
    return client


def csrf_token(client: Client) -> str:
    """Give the client a CSRF cookie, as any page would, and return the matching token."""
    token = get_random_string(32)
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    return token


# --- Bearer tokens -------------------------------------------------------------


def test_no_credentials_is_401(db):
    response = Client().get("/api/v1/accounts")
    assert_error(response, 401, "authorization", "not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer rhy_this-token-does-not-exist-anywhere",
        "Bearer not-even-shaped-like-a-token",
        "Bearer ",
        "bearer rhy_" + "x" * 200,
    ],
)
def test_a_wrong_token_is_401(cast, header):
    response = Client().get("/api/v1/accounts", headers={"Authorization": header})
    assert_error(response, 401, "authorization", "invalid_token")


def test_a_revoked_token_is_401(api, cast):
    token, plain = core_services.create_token(cast.cse, "laptop")
    assert api(token=plain).get("/accounts").status_code == 200
    core_services.revoke_token(token)
    assert_error(api(token=plain).get("/accounts"), 401, "authorization", "invalid_token")


def test_the_token_of_an_archived_member_is_401(api, cast):
    _, plain = core_services.create_token(cast.cse, "laptop")
    api(cast.admin).post(f"/team-members/{cast.cse.pk}/archive")
    assert_error(api(token=plain).get("/accounts"), 401, "authorization", "invalid_token")


def test_a_wrong_token_never_falls_back_to_the_session(cast):
    client = session_client(cast.admin, enforce_csrf=False)
    response = client.get("/api/v1/accounts", headers={"Authorization": "Bearer rhy_wrong-wrong"})
    assert_error(response, 401, "authorization", "invalid_token")


def test_a_token_records_its_last_use_without_writing_on_every_read(api, cast):
    token, plain = core_services.create_token(cast.cse, "laptop")
    assert token.last_used_at is None
    client = api(token=plain)
    client.get("/accounts")
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    assert timezone.now() - first_use < timedelta(minutes=1)
    client.get("/accounts")
    token.refresh_from_db()
    assert token.last_used_at == first_use


def test_a_token_acts_with_its_users_permissions(api, cast):
    assert api(cast.cs_ops).post("/segments", SEGMENT).status_code == 201
    assert_error(
        api(cast.cse).post("/segments", {**SEGMENT, "name": "Other"}),
        403,
        "non_field_errors",
        "permission_denied",
    )


# --- Personal tokens over the API ------------------------------------------------


def test_a_token_created_over_the_api_is_shown_once_and_works(api, cast):
    response = api(cast.cse).post("/tokens", {"name": "CI job"})
    assert response.status_code == 201
    created = response.json()
    assert created["name"] == "CI job"
    assert created["token"].startswith(created["prefix"])
    assert api(token=created["token"]).get("/team-members/me").json()["username"] == "cse"

    listed = api(cast.cse).get("/tokens").json()
    assert created["id"] in {t["id"] for t in listed}
    assert all("token" not in t for t in listed)
    stored = ApiToken.objects.get(pk=created["id"])
    assert created["token"] not in {stored.key_hash, stored.prefix}


def test_tokens_list_only_your_own(api, cast):
    core_services.create_token(cast.admin, "admin's")
    names = {t["name"] for t in api(cast.cse).get("/tokens").json()}
    assert "admin's" not in names


def test_revoking_a_token_over_the_api(api, cast):
    token, plain = core_services.create_token(cast.cse, "old laptop")
    response = api(cast.cse).post(f"/tokens/{token.pk}/revoke")
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert ApiToken.objects.filter(pk=token.pk).exists()  # revoked, never deleted
    assert api(token=plain).get("/accounts").status_code == 401


def test_every_role_revokes_its_own_tokens_and_no_one_elses(api, cast):
    someone_elses, _ = core_services.create_token(UserFactory(username="someone"), "theirs")
    actual = {}
    for role, user in cast.members().items():
        own, _ = core_services.create_token(user, "own")
        client = api(user)
        actual[role] = (
            client.get("/tokens").status_code,
            client.post(f"/tokens/{own.pk}/revoke").status_code,
            client.post(f"/tokens/{someone_elses.pk}/revoke").status_code,
        )
    assert actual == dict.fromkeys(cast.members(), (200, 200, 404))
    someone_elses.refresh_from_db()
    assert someone_elses.revoked_at is None


def test_nobody_revokes_someone_elses_token(api, cast):
    token, plain = core_services.create_token(cast.cse, "mine")
    assert_error(api(cast.admin).post(f"/tokens/{token.pk}/revoke"), 404)
    token.refresh_from_db()
    assert token.revoked_at is None


# --- Browser sessions and CSRF --------------------------------------------------


def test_a_session_reads_without_csrf(cast, account):
    response = session_client(cast.csm).get("/api/v1/accounts")
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_a_session_write_without_csrf_is_refused_and_writes_nothing(cast):
    client = session_client(cast.cs_ops)
    response = client.post("/api/v1/segments", SEGMENT, content_type="application/json")
    assert_error(response, 403, "X-CSRFToken", "csrf")
    assert not Segment.objects.filter(name="Enterprise").exists()


def test_a_session_write_with_a_csrf_token_not_matching_the_cookie_is_refused(cast):
    client = session_client(cast.cs_ops)
    csrf_token(client)
    response = client.post(
        "/api/v1/segments",
        SEGMENT,
        content_type="application/json",
        headers={"X-CSRFToken": get_random_string(32)},
    )
    assert_error(response, 403, "X-CSRFToken", "csrf")
    assert not Segment.objects.filter(name="Enterprise").exists()


def test_a_session_write_with_the_csrf_token_goes_through(cast):
    client = session_client(cast.cs_ops)
    response = client.post(
        "/api/v1/segments",
        SEGMENT,
        content_type="application/json",
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert response.status_code == 201, response.content
    assert Segment.objects.filter(name="Enterprise").exists()


def test_the_interactive_docs_send_the_csrf_token_for_a_session(cast):
    """ "Try it out" in /api/v1/docs writes with the signed-in session: the page
    carries the token for Swagger UI to send as X-CSRFToken."""
    client = session_client(cast.cs_ops)
    html = client.get("/api/v1/docs").content.decode()
    assert 'data-api-csrf="true"' in html
    assert 'data-csrf-token="' in html and 'data-csrf-token=""' not in html


def test_a_session_patch_needs_csrf_too(cast):
    segment = Segment.objects.create(name="Mid", arr_floor=0, arr_ceiling=100)
    client = session_client(cast.cs_ops)
    path = f"/api/v1/segments/{segment.pk}"
    refused = client.patch(path, {"name": "Renamed"}, content_type="application/json")
    assert_error(refused, 403, "X-CSRFToken", "csrf")
    segment.refresh_from_db()
    assert segment.name == "Mid"
    accepted = client.patch(
        path,
        {"name": "Renamed"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert accepted.status_code == 200


def test_a_bearer_write_needs_no_csrf(cast):
    _, plain = core_services.create_token(cast.cs_ops, "script")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/segments",
        SEGMENT,
        content_type="application/json",
        headers={"Authorization": f"Bearer {plain}"},
    )
    assert response.status_code == 201, response.content


def test_a_signed_in_but_inactive_session_is_401(cast):
    client = session_client(cast.cse, enforce_csrf=False)
    cast.cse.is_active = False
    cast.cse.save(update_fields=["is_active"])
    assert_error(client.get("/api/v1/accounts"), 401, "authorization")


# --- Bodies the API cannot take ---------------------------------------------------


def test_a_body_over_one_megabyte_is_413_and_writes_nothing(api, cast):
    too_big = {**SEGMENT, "padding": "x" * (1024 * 1024)}
    response = api(cast.admin).post("/segments", too_big)
    assert_error(response, 413, "body", "max_size")
    assert not Segment.objects.filter(name="Enterprise").exists()


def test_a_body_just_under_the_limit_is_read(cast):
    # Padded with the whitespace JSON allows: a field the schema does not know
    # would be refused by name.
    body = json.dumps(SEGMENT) + " " * (1024 * 1024 - 200)
    assert len(body) < 1024 * 1024
    _, plain = core_services.create_token(cast.admin)
    response = Client().post(
        "/api/v1/segments",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {plain}"},
    )
    assert response.status_code == 201, response.content[:300]


def test_a_field_the_api_does_not_know_is_named_not_dropped(api, cast):
    typo = api(cast.admin).post("/segments", {**SEGMENT, "eligble_for_cse": False})
    assert_error(typo, 422, "eligble_for_cse", "extra_forbidden")
    assert not Segment.objects.exists()
    made = api(cast.admin).post("/segments", {**SEGMENT, "eligible_for_cse": False})
    assert made.status_code == 201 and made.json()["eligible_for_cse"] is False


def test_a_body_that_is_not_json_is_400_naming_the_body(cast):
    _, plain = core_services.create_token(cast.admin)
    response = Client().post(
        "/api/v1/segments",
        b"{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {plain}"},
    )
    assert_error(response, 400, "body", "invalid_json")
    assert not Segment.objects.exists()


def test_a_missing_required_field_is_named(api, cast):
    body = assert_error(api(cast.admin).post("/segments", {"name": "No range"}), 422)
    assert {"arr_floor", "arr_ceiling"} <= {e["field"] for e in body["errors"]}


def test_a_bad_path_id_is_422_naming_it(api, cast):
    assert_error(api(cast.admin).get("/segments/not-a-number"), 422, "segment_id")


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"offset": -1}])
def test_bad_pagination_is_422_naming_the_parameter(api, cast, params):
    (name,) = params
    assert_error(api(cast.admin).get("/segments", **params), 422, name)


@pytest.mark.parametrize("value", [2**63, 10**30])
def test_a_huge_offset_or_limit_is_422_not_a_crash(api, cast, value):
    assert_error(api(cast.admin).get("/accounts", offset=value), 422, "offset")
    assert_error(api(cast.admin).get("/accounts", limit=value), 422, "limit")


def test_huge_ids_in_paths_are_not_found(api, cast):
    for path in ["/segments/", "/accounts/", "/team-members/", "/success-plans/"]:
        assert_error(api(cast.admin).get(f"{path}{2**63}"), 404)
        assert_error(api(cast.admin).get(f"{path}{10**30}"), 404)


# --- The document --------------------------------------------------------------------


def test_the_openapi_document_is_served(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/accounts" in response.json()["paths"]


def test_the_interactive_docs_are_served(db):
    assert Client().get("/api/v1/docs").status_code == 200


# --- Who changed it ---------------------------------------------------------------------


def test_history_names_the_tokens_user(api, cast):
    response = api(cast.cs_ops).post("/segments", SEGMENT)
    segment = Segment.objects.get(pk=response.json()["id"])
    api(cast.admin).patch(f"/segments/{segment.pk}", {"arr_ceiling": "600000"})
    created, changed = segment.history.order_by("history_date")
    assert created.history_type == "+"
    assert created.history_user == cast.cs_ops
    assert changed.history_type == "~"
    assert changed.history_user == cast.admin
    assert str(changed.arr_ceiling) == "600000.00"


def test_history_names_the_sessions_user(cast):
    client = session_client(cast.cs_ops)
    client.post(
        "/api/v1/segments",
        SEGMENT,
        content_type="application/json",
        headers={"X-CSRFToken": csrf_token(client)},
    )
    segment = Segment.objects.get(name="Enterprise")
    assert segment.history.get().history_user == cast.cs_ops


def test_a_new_token_user_is_fresh_each_request(api, db):
    """Permission caches live on the user object: a role granted now applies now."""
    member = UserFactory(username="latecomer")
    _, plain = core_services.create_token(member)
    client = api(token=plain)
    assert client.post("/segments", SEGMENT).status_code == 403
    people_services.set_roles(member, [Role.CS_OPERATIONS])
    assert client.post("/segments", SEGMENT).status_code == 201


def test_an_unknown_address_and_a_wrong_method_answer_in_the_one_shape(api, cast):
    unknown = api(cast.admin).get("/nonexistent")
    assert_error(unknown, 404, "path", "not_found")
    wrong = api(cast.admin)._call("delete", "/accounts")
    body = assert_error(wrong, 405, "method", "method_not_allowed")
    assert "GET" in wrong["Allow"] and "GET" in body["errors"][0]["message"]
