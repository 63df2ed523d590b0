from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rhythm.surveys import rules
from rhythm.surveys.choices import SurveyKind

NOW = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "score", "problem"),
    [
        (SurveyKind.CSAT, 1, ""),
        (SurveyKind.CSAT, 5, ""),
        (SurveyKind.CSAT, 0, "The score must be from 1 to 5 (it is 0)."),
        (SurveyKind.CSAT, 6, "The score must be from 1 to 5 (it is 6)."),
        (SurveyKind.NPS, 0, ""),
        (SurveyKind.NPS, 10, ""),
        (SurveyKind.NPS, 11, "The score must be from 0 to 10 (it is 11)."),
        (SurveyKind.NPS, None, "Choose a score from 0 to 10."),
    ],
)
def test_a_score_is_on_its_kinds_scale(kind, score, problem):
    assert rules.score_problem(kind, score) == problem


def test_a_link_is_open_until_it_expires_or_is_answered():
    expires = NOW + timedelta(days=30)
    assert rules.link_state(answered_at=None, expires_at=expires, now=NOW) == "open"
    assert rules.link_state(answered_at=None, expires_at=expires, now=expires) == "expired"
    # An answer given in time stays an answer once the link has expired.
    answered = rules.link_state(answered_at=NOW, expires_at=expires, now=expires + timedelta(1))
    assert answered == "answered"


def test_csat_average_distribution_and_share_satisfied():
    kpis = rules.kpis(SurveyKind.CSAT, sent=8, scores=[5, 4, 4, 2, 5])
    assert kpis.distribution == {1: 0, 2: 1, 3: 0, 4: 2, 5: 2}
    assert kpis.average == pytest.approx(4.0)
    assert kpis.satisfied_percent == pytest.approx(80.0)
    assert kpis.response_rate == pytest.approx(62.5)
    assert kpis.nps is None


def test_nps_is_the_share_of_promoters_less_the_share_of_detractors():
    # 3 promoters (9, 10, 10), 2 passives (7, 8), 5 detractors (0–6) of 10.
    kpis = rules.kpis(SurveyKind.NPS, sent=10, scores=[9, 10, 10, 7, 8, 0, 3, 5, 6, 6])
    assert (kpis.promoters, kpis.detractors) == (3, 5)
    assert kpis.nps == pytest.approx(-20.0)
    assert kpis.average is None and kpis.response_rate == pytest.approx(100.0)


def test_no_answers_give_no_figures_rather_than_zeroes():
    kpis = rules.kpis(SurveyKind.NPS, sent=0, scores={})
    assert (kpis.nps, kpis.response_rate, kpis.answered) == (None, None, 0)


def test_a_score_off_the_scale_is_never_counted():
    with pytest.raises(ValueError, match="11 is not a nps score"):
        rules.distribution(SurveyKind.NPS, [11])


@given(st.lists(st.integers(0, 10), min_size=1))
def test_nps_lies_between_minus_and_plus_a_hundred(scores):
    score = rules.net_promoter_score(rules.distribution(SurveyKind.NPS, scores))
    assert -100 <= score <= 100
    assert (score == 100) == all(s >= 9 for s in scores)


@given(st.lists(st.integers(1, 5), min_size=1))
def test_the_csat_average_lies_within_the_answers(scores):
    average = rules.csat_average(rules.distribution(SurveyKind.CSAT, scores))
    assert min(scores) <= average <= max(scores)


def test_nps_goes_to_the_stakeholders_who_are_contacts():
    contacts = [
        (1, "ana@x.example", "Ana Costa"),
        (2, "bo@x.example", "Bo Lind"),
        (3, "", "ana  COSTA"),
    ]
    # Named only (no row, no email): by name, case and spacing aside.
    assert rules.nps_recipients([(None, "", "Ana Costa"), (None, "", "Zed Who")], contacts) == [
        1,
        3,
    ]
    assert rules.nps_recipients([], contacts) == []


def test_a_stakeholder_is_matched_by_contact_row_or_email_not_by_a_shared_name():
    contacts = [(1, "ana@x.example", "Ana Costa"), (2, "ana.c@y.example", "Ana Costa")]
    assert rules.nps_recipients([(2, "", "Ana Costa")], contacts) == [2]
    assert rules.nps_recipients([(None, "ANA@x.example", "Ana Costa")], contacts) == [1]
    assert rules.nps_recipients([(None, "gone@x.example", "Ana Costa")], contacts) == []


def test_a_token_is_refused_before_any_lookup_unless_it_looks_like_one():
    assert rules.looks_like_token("a" * 43)
    assert not rules.looks_like_token("a" * 42)
    assert not rules.looks_like_token("a" * 42 + "/")
