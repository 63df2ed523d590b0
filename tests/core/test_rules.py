"""The core's pure decisions: delivery backoff and token helpers."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rhythm.core import rules

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("failures", "minutes"),
    [(1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 32), (7, 60)],
)
def test_delivery_backs_off_doubling_and_capped_at_an_hour(failures, minutes):
    assert rules.next_delivery_attempt(failures, NOW) == NOW + timedelta(minutes=minutes)


@pytest.mark.parametrize("failures", [rules.MAX_DELIVERY_ATTEMPTS, rules.MAX_DELIVERY_ATTEMPTS + 3])
def test_delivery_gives_up_after_the_last_attempt(failures):
    assert rules.next_delivery_attempt(failures, NOW) is None


@given(st.integers(min_value=0, max_value=rules.MAX_DELIVERY_ATTEMPTS - 1))
def test_every_retry_waits_between_one_minute_and_an_hour(failures):
    retry_at = rules.next_delivery_attempt(failures, NOW)
    assert retry_at is not None
    assert timedelta(minutes=1) <= retry_at - NOW <= timedelta(hours=1)


def test_backoff_never_shrinks():
    waits = [
        rules.next_delivery_attempt(n, NOW) - NOW  # type: ignore[operator]
        for n in range(1, rules.MAX_DELIVERY_ATTEMPTS)
    ]
    assert waits == sorted(waits)


def test_a_token_is_stored_as_its_sha256():
    token = "rhy_" + "x" * 43
    assert rules.hash_token(token) == hashlib.sha256(token.encode()).hexdigest()
    assert len(rules.hash_token(token)) == 64


@pytest.mark.parametrize(
    ("candidate", "plausible"),
    [
        ("rhy_" + "a" * 43, True),
        ("rhy_" + "a" * 16, True),
        ("rhy_" + "a" * 15, False),  # too short to be one of ours
        ("rhy_" + "a" * 97, False),  # too long
        ("ghp_" + "a" * 43, False),  # someone else's token
        ("", False),
    ],
)
def test_only_plausible_tokens_reach_the_database(candidate, plausible):
    assert rules.looks_like_token(candidate) is plausible


@pytest.mark.parametrize(
    ("last_used", "touch"),
    [
        (None, True),
        (NOW, False),
        (NOW - timedelta(seconds=59), False),
        (NOW - timedelta(minutes=1), True),
        (NOW - timedelta(days=3), True),
    ],
)
def test_last_use_is_recorded_at_most_once_a_minute(last_used, touch):
    assert rules.token_needs_touch(last_used, NOW) is touch
