"""Personal API tokens: shown once, stored hashed, revocable, tied to an active member."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from rhythm.core import rules, services
from rhythm.core.models import ApiToken
from rhythm.people import services as people_services
from tests.factories import AccountFactory

T0 = datetime(2026, 5, 4, 14, 0, tzinfo=UTC)


def test_create_returns_the_plain_token_once_and_stores_only_its_sha256(cast):
    token, plain = services.create_token(cast.cse, "laptop")

    assert plain.startswith(rules.TOKEN_PREFIX)
    assert len(plain) >= 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert stored.prefix == plain[:12]
    assert (stored.user, stored.name) == (cast.cse, "laptop")
    # The secret part is nowhere in the row: not in a column, not in its text.
    secret = plain[len(rules.TOKEN_PREFIX) :]
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert not any(secret in str(value) for value in row.values())
    assert secret not in str(stored)


def test_each_token_is_new_and_unnamed_ones_get_a_name(cast):
    first, plain_one = services.create_token(cast.cse)
    second, plain_two = services.create_token(cast.cse, "   ")
    assert plain_one != plain_two
    assert first.key_hash != second.key_hash
    assert first.name == second.name == "Personal token"


def test_authenticate_finds_the_token_and_its_user(cast):
    token, plain = services.create_token(cast.manager, "ci")
    found = services.authenticate_token(plain)
    assert found is not None
    assert (found.pk, found.user) == (token.pk, cast.manager)


@pytest.mark.parametrize(
    "wrong",
    [
        "",
        "not-a-token",
        rules.TOKEN_PREFIX + "x" * 43,  # plausible, but never issued
        "ghp_" + "x" * 43,
    ],
)
def test_a_wrong_token_authenticates_nobody(cast, wrong):
    services.create_token(cast.manager)
    assert services.authenticate_token(wrong) is None


def test_a_revoked_token_is_unusable_and_revoking_again_keeps_the_first_time(cast):
    token, plain = services.create_token(cast.cse)
    with time_machine.travel(T0, tick=False):
        services.revoke_token(token)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        services.revoke_token(ApiToken.objects.get(pk=token.pk))

    token.refresh_from_db()
    assert token.revoked_at == T0
    assert token.is_revoked
    assert services.authenticate_token(plain) is None
    assert not ApiToken.objects.usable().filter(pk=token.pk).exists()


def test_an_inactive_members_token_is_unusable(cast):
    _, plain = services.create_token(cast.csm)
    cast.csm.is_active = False
    cast.csm.save(update_fields=["is_active"])
    assert services.authenticate_token(plain) is None


def test_an_archived_members_token_is_unusable(cast):
    _, plain = services.create_token(cast.csm)
    people_services.archive_member(cast.csm)
    assert services.authenticate_token(plain) is None


def test_archived_even_if_still_marked_active_is_unusable(cast):
    # Set by hand (the admin, a data fix) rather than through archive_member.
    _, plain = services.create_token(cast.csm)
    type(cast.csm).objects.filter(pk=cast.csm.pk).update(archived_at=T0)
    assert services.authenticate_token(plain) is None


def test_last_use_is_written_at_most_once_a_minute(cast, django_assert_num_queries):
    token, plain = services.create_token(cast.cse)
    assert token.last_used_at is None

    with time_machine.travel(T0, tick=False), django_assert_num_queries(2):  # find, record
        services.authenticate_token(plain)
    token.refresh_from_db()
    assert token.last_used_at == T0

    with (
        time_machine.travel(T0 + timedelta(seconds=59), tick=False),
        django_assert_num_queries(1),  # a read stays a read
    ):
        found = services.authenticate_token(plain)
    assert found is not None and found.last_used_at == T0
    token.refresh_from_db()
    assert token.last_used_at == T0

    later = T0 + timedelta(minutes=1, seconds=1)
    with time_machine.travel(later, tick=False):
        services.authenticate_token(plain)
    token.refresh_from_db()
    assert token.last_used_at == later


def test_the_api_takes_a_token_and_refuses_it_once_revoked(cast, client):
    AccountFactory(account_owner=cast.account_owner, csm=cast.csm)
    token, plain = services.create_token(cast.manager, "script")
    headers = {"Authorization": f"Bearer {plain}"}

    response = client.get("/api/v1/accounts", headers=headers)
    assert response.status_code == 200
    assert response.json()["count"] == 1

    services.revoke_token(token)
    response = client.get("/api/v1/accounts", headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_a_token_acts_with_its_users_permissions(cast, client):
    AccountFactory(account_owner=cast.account_owner, csm=cast.csm)
    _, outsider = services.create_token(cast.outsider)
    response = client.get("/api/v1/accounts", headers={"Authorization": f"Bearer {outsider}"})
    assert response.status_code == 200
    assert response.json()["count"] == 0  # no role, no accounts
