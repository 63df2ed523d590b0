"""DESIGN rule 9, the topic rules: pure, then applied to questions and follow-ups."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from rhythm.followups import rules, services
from rhythm.followups.models import FollowUp
from rhythm.meetings.models import Meeting
from tests.core.test_api_auth_and_errors import assert_error
from tests.followups.test_followups import PARTS, _held, cta  # noqa: F401  (a fixture)


@pytest.mark.parametrize(
    ("day", "start", "expected"),
    [
        (date(2026, 2, 1), 2, (2027, 1)),
        (date(2026, 1, 31), 2, (2026, 4)),
        (date(2026, 5, 1), 2, (2027, 2)),
        (date(2026, 12, 31), 2, (2027, 4)),
        (date(2026, 1, 1), 1, (2026, 1)),
        (date(2026, 10, 1), 1, (2026, 4)),
    ],
)
def test_fiscal_quarters(day, start, expected):
    assert rules.fiscal_quarter(day, start) == expected


@given(st.dates(), st.integers(min_value=1, max_value=12))
def test_a_quarter_is_three_months_and_a_year_twelve(day, start):
    year, quarter = rules.fiscal_quarter(day, start)
    assert 1 <= quarter <= 4
    later = date(day.year + 1, day.month, 1)
    assert rules.fiscal_quarter(later, start) == (year + 1, quarter)


def _refusal(**changes):
    values = {
        "today": date(2026, 3, 20),
        "engagement_started": date(2026, 3, 1),
        "last_customer_contact": date(2026, 3, 1),
        **changes,
    }
    found = rules.topic_refusal(**values)
    return found and (found.code, found.new_request)


def test_each_topic_rule_names_itself():
    assert _refusal() is None
    assert _refusal(another_offering=True) == ("another_offering", True)
    assert _refusal(new_topic=True) == ("new_topic", True)
    assert _refusal(today=date(2026, 5, 1)) == ("previous_quarter", True)
    assert _refusal(today=date(2026, 3, 29)) is None  # 28 days: still the same
    assert (
        _refusal(
            today=date(2026, 4, 20),
            engagement_started=date(2026, 3, 1),
            last_customer_contact=date(2026, 3, 23),
        )
        is None
    )
    assert _refusal(today=date(2026, 4, 20), last_customer_contact=date(2026, 3, 22)) == (
        "stale_contact",
        True,
    )
    assert _refusal(follow_ups_on_topic=3) is None  # only adding a follow-up counts
    assert _refusal(follow_ups_on_topic=2, adds_follow_up=True) is None
    assert _refusal(follow_ups_on_topic=3, adds_follow_up=True) == ("fourth_follow_up", False)


def _held_on(cta, moment):  # noqa: F811
    follow_up = _held(cta)
    Meeting.objects.filter(pk=follow_up.meeting_id).update(held_at=moment)
    FollowUp.objects.filter(pk=follow_up.pk).update(
        opened_at=moment, due_at=moment + timedelta(days=3)
    )
    follow_up.refresh_from_db()
    follow_up.meeting.refresh_from_db()
    return follow_up


def _quarter_start() -> datetime:
    """The first of a fiscal quarter (February start), in the middle of its day."""
    return datetime(timezone.now().year, 5, 1, 12, tzinfo=UTC)


def test_a_question_five_weeks_later_is_refused_with_a_new_request_link(cast, cta):  # noqa: F811
    meeting = _held_on(cta, _quarter_start()).meeting
    with pytest.raises(ValidationError) as refused:
        services.ask(
            meeting, actor=cast.csm, question="And now?", now=_quarter_start() + timedelta(weeks=5)
        )
    error = refused.value.error_dict["topic"][0]
    assert error.code == "stale_contact"
    assert services.new_request_url(meeting) in error.message
    assert not meeting.further_questions.exists()


def test_a_previous_quarters_engagement_is_never_reopened(cast, cta):  # noqa: F811
    meeting = _held_on(cta, _quarter_start()).meeting
    services.ask(
        meeting, actor=cast.csm, question="Soon after", now=_quarter_start() + timedelta(weeks=2)
    )
    with pytest.raises(ValidationError) as refused:
        services.ask(
            meeting,
            actor=cast.csm,
            question="Next quarter",
            now=_quarter_start() + timedelta(days=93),
        )
    assert refused.value.error_dict["topic"][0].code == "previous_quarter"


def test_a_fourth_follow_up_on_one_topic_is_refused(cast, cta):  # noqa: F811
    for _ in range(3):
        services.send(_held(cta), actor=cast.cse, parts=PARTS)
    with pytest.raises(ValidationError) as refused:
        services.send(_held(cta), actor=cast.cse, parts=PARTS)
    assert refused.value.error_dict["topic"][0].code == "fourth_follow_up"


def test_the_api_answers_a_new_topic_with_its_rule(api, cast, cta):  # noqa: F811
    meeting = _held(cta).meeting
    response = api(cast.csm).post(
        f"/meetings/{meeting.pk}/questions", {"question": "Other product?", "new_topic": True}
    )
    assert_error(response, 422, field="topic", rule="new_topic")
