"""The core's pure decisions: delivery backoff and token helpers."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

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


# --- Aging --------------------------------------------------------------------

MONDAY = date(2026, 3, 2)
WEDNESDAY, FRIDAY = MONDAY + timedelta(days=2), MONDAY + timedelta(days=4)
NEXT_MONDAY = MONDAY + timedelta(days=7)


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (MONDAY, WEDNESDAY, 2),
        (FRIDAY, NEXT_MONDAY, 1),  # the weekend does not count
        (MONDAY, NEXT_MONDAY, 5),
        (MONDAY, MONDAY, 0),
        (WEDNESDAY, MONDAY, 0),  # an end before the start
        (MONDAY, MONDAY + timedelta(days=28), 20),
    ],
)
def test_business_days_between_count_the_weekdays_after_the_start(start, end, days):
    assert rules.business_days_between(start, end) == days


def test_business_days_between_skip_holidays():
    tuesday = MONDAY + timedelta(days=1)
    assert rules.business_days_between(MONDAY, FRIDAY, frozenset({tuesday})) == 3


days_2026 = st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31))


@given(days_2026, days_2026)
def test_business_days_between_agree_with_counting_day_by_day(start, end):
    by_day = sum(
        1 for n in range(1, (end - start).days + 1) if (start + timedelta(days=n)).weekday() < 5
    )
    assert rules.business_days_between(start, end) == by_day


@given(days_2026, st.integers(min_value=0, max_value=30), st.integers(min_value=0, max_value=90))
def test_the_cutoff_is_where_work_starts_to_age(today, norm, back):
    """Work that entered before the cutoff ages; from the cutoff on it does not: a
    list may ask the database for `entered < cutoff` instead of reading every row."""
    entered = today - timedelta(days=back)
    ages = rules.business_days_between(entered, today) > norm
    assert ages is (entered < rules.aging_cutoff(today, norm))


def test_overdue_work_says_since_when():
    verdict = rules.aging(today=WEDNESDAY, due=MONDAY)
    assert verdict.overdue and not verdict.aging and verdict.label == "Overdue"
    assert verdict.reasons == ["Due Mon 2 Mar, 2 business days ago"]


def test_work_due_today_is_on_time():
    assert not rules.aging(today=MONDAY, due=MONDAY)
    assert rules.aging(today=MONDAY, due=MONDAY) == rules.ON_TIME


def test_waiting_longer_than_the_norm_is_aging_with_both_figures():
    verdict = rules.aging(
        today=NEXT_MONDAY + timedelta(days=1), waiting="In review", entered=MONDAY, norm=2
    )
    assert verdict.aging and not verdict.overdue and verdict.label == "Aging"
    assert verdict.reasons == ["In review for 6 business days; the norm is 2"]


def test_waiting_as_long_as_the_norm_is_not_aging():
    assert not rules.aging(today=WEDNESDAY, waiting="In review", entered=MONDAY, norm=2)


def test_without_a_norm_nothing_ages_by_time():
    assert not rules.aging(today=NEXT_MONDAY, waiting="Started", entered=MONDAY, norm=None)


def test_late_on_both_counts_is_overdue_first_with_every_reason():
    verdict = rules.aging(
        today=NEXT_MONDAY,
        waiting="In progress",
        entered=MONDAY,
        norm=1,
        due=FRIDAY,
        due_what="Planned end",
    )
    assert verdict.overdue and verdict.aging and verdict.label == "Overdue"
    assert verdict.reasons == [
        "Planned end Fri 6 Mar, 1 business day ago",
        "In progress for 5 business days; the norm is 1",
    ]


def test_the_wait_past_the_norm_alone_for_a_page_that_marks_the_due_date():
    both = rules.aging(today=NEXT_MONDAY, waiting="In progress", entered=MONDAY, norm=1, due=FRIDAY)
    assert both.waiting_only == rules.Aging(
        aging=True,
        reasons=["In progress for 5 business days; the norm is 1"],
        waiting_reason="In progress for 5 business days; the norm is 1",
    )
    assert not rules.aging(today=NEXT_MONDAY, due=FRIDAY).waiting_only
