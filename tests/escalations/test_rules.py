"""The qualification's verdict at its boundaries, and the laws it keeps (hypothesis)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rhythm.escalations import rules
from rhythm.escalations.rules import Inputs, Thresholds, qualify
from rhythm.followups.rules import fiscal_quarter

TODAY = date(2026, 12, 1)
CEILING = Decimal("500000")
FAR = date(2027, 9, 1)  # a renewal well beyond three months


def inputs(arr="450000", lam="150000", renewal: date | None = FAR, ceiling=CEILING, today=TODAY):
    return Inputs(
        arr=Decimal(arr),
        lam=Decimal(lam),
        segment_name="Mid-Market",
        segment_ceiling=Decimal(ceiling),
        renewal_date=renewal,
        today=today,
    )


def reason(verdict, code):
    return next(r for r in verdict.reasons if r.code == code)


# --- ARR: at least 80% of the ceiling -------------------------------------------------


def test_arr_exactly_80_percent_of_the_ceiling_meets():
    verdict = qualify(inputs(arr="400000"))
    assert verdict.qualifies
    assert reason(verdict, rules.ARR).text == (
        "ARR $400,000 is 80% of the $500,000 ceiling of Mid-Market: meets ≥ 80%"
    )


def test_arr_a_cent_below_80_percent_misses_and_is_never_shown_as_80():
    verdict = qualify(inputs(arr="399999.99"))
    assert not verdict.qualifies
    arr = reason(verdict, rules.ARR)
    assert not arr.met
    assert arr.text == (
        "ARR $399,999.99 is 79.9% of the $500,000 ceiling of Mid-Market: misses ≥ 80% ($400,000)"
    )
    assert verdict.summary == "Does not qualify: ARR misses its threshold."


def test_the_issues_example_reads_as_written():
    text = reason(qualify(inputs(arr="410000")), rules.ARR).text
    assert text == "ARR $410,000 is 82% of the $500,000 ceiling of Mid-Market: meets ≥ 80%"


def test_a_segment_without_a_ceiling_never_meets_arr():
    arr = reason(qualify(inputs(ceiling="0")), rules.ARR)
    assert not arr.met and "no ARR ceiling" in arr.text


# --- LAM: above $100,000 --------------------------------------------------------------


def test_lam_of_exactly_100000_misses():
    verdict = qualify(inputs(lam="100000"))
    assert not verdict.qualifies
    assert reason(verdict, rules.LAM).text == "LAM $100,000: misses > $100,000"


def test_lam_a_cent_above_100000_meets():
    verdict = qualify(inputs(lam="100000.01"))
    assert verdict.qualifies
    assert reason(verdict, rules.LAM).text == "LAM $100,000.01: meets > $100,000"


# --- The renewal: three months away or less -------------------------------------------
# "3 months" is calendar months: on or before the same day of the month three months
# ahead (the month's last day when it has no such day).


def test_a_renewal_exactly_three_months_away_weighs():
    verdict = qualify(inputs(renewal=date(2027, 3, 1)))
    renewal = reason(verdict, rules.RENEWAL)
    assert renewal.met
    assert renewal.text == (
        "Renewal on 1 Mar 2027, 90 days away: within 3 months (on or before 1 Mar 2027), "
        "weighs heavily"
    )


def test_a_renewal_a_day_past_three_months_does_not_weigh():
    renewal = reason(qualify(inputs(renewal=date(2027, 3, 2))), rules.RENEWAL)
    assert not renewal.met
    assert renewal.text == (
        "Renewal on 2 Mar 2027, 91 days away: more than 3 months (after 1 Mar 2027)"
    )


def test_three_months_from_the_end_of_november_is_the_end_of_february():
    assert rules.renewal_horizon(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert rules.renewal_horizon(date(2027, 11, 30), 3) == date(2028, 2, 29)  # a leap year
    assert rules.renewal_is_near(date(2027, 2, 28), date(2026, 11, 30), 3)
    assert not rules.renewal_is_near(date(2027, 3, 1), date(2026, 11, 30), 3)


def test_a_renewal_today_weighs_and_a_passed_one_does_not():
    assert reason(qualify(inputs(renewal=TODAY)), rules.RENEWAL).met
    passed = reason(qualify(inputs(renewal=TODAY - timedelta(days=1))), rules.RENEWAL)
    assert not passed.met and passed.text == "Renewal on 30 Nov 2026 has passed: nothing weighs"
    missing = reason(qualify(inputs(renewal=None)), rules.RENEWAL)
    assert not missing.met and missing.text == "No renewal date on record: nothing weighs"


# --- The renewal's weight: one threshold missed by at most the margin ---------------------

NEAR = date(2027, 2, 1)


def test_a_near_renewal_makes_up_for_arr_narrowly_missed():
    # 72% of the ceiling is 80% less the 10% margin: $360,000.
    verdict = qualify(inputs(arr="360000", renewal=NEAR))
    assert verdict.qualifies and verdict.renewal_weighed
    weight = reason(verdict, rules.WEIGHT)
    assert weight.met
    assert "ARR at 72% misses 80% by at most the 10% margin (≥ 72%, $360,000)" in weight.text
    assert (
        verdict.summary == "Qualifies on the renewal's weight: ARR narrowly misses its threshold."
    )


def test_a_near_renewal_does_not_make_up_for_arr_missed_by_more():
    verdict = qualify(inputs(arr="359999.99", renewal=NEAR))
    assert not verdict.qualifies and not verdict.renewal_weighed
    assert not reason(verdict, rules.WEIGHT).met


def test_a_near_renewal_makes_up_for_lam_narrowly_missed_but_not_at_90000():
    assert qualify(inputs(lam="90000.01", renewal=NEAR)).qualifies
    refused = qualify(inputs(lam="90000", renewal=NEAR))
    assert not refused.qualifies
    assert "(> $90,000)" in reason(refused, rules.WEIGHT).text


def test_a_near_renewal_never_makes_up_for_both():
    verdict = qualify(inputs(arr="390000", lam="99000", renewal=NEAR))
    assert not verdict.qualifies
    assert verdict.summary == "Does not qualify: ARR and LAM miss their thresholds."
    assert "not for both" in reason(verdict, rules.WEIGHT).text


def test_without_a_near_renewal_a_narrow_miss_is_a_miss():
    assert not qualify(inputs(arr="399000")).qualifies


def test_the_thresholds_are_configurable():
    strict = Thresholds(
        arr_share=90, lam_above=Decimal("200000"), renewal_months=1, renewal_margin=0
    )
    verdict = qualify(inputs(arr="440000", lam="150000"), strict)
    assert not verdict.qualifies
    assert "misses ≥ 90%" in reason(verdict, rules.ARR).text
    assert reason(verdict, rules.LAM).text == "LAM $150,000: misses > $200,000"
    assert "LAM > $200,000" in rules.weighting_text(strict)
    with pytest.raises(ValueError):
        Thresholds(arr_share=0)


def test_a_verdict_and_its_inputs_survive_json():
    given_inputs = inputs(arr="360000", renewal=NEAR)
    verdict = qualify(given_inputs)
    assert rules.Verdict.from_json(verdict.as_json()) == verdict
    assert rules.Inputs.from_json(given_inputs.as_json()) == given_inputs
    assert rules.Thresholds.from_json(Thresholds().as_json()) == Thresholds()


# --- Laws ---------------------------------------------------------------------------------

money = st.decimals(min_value=0, max_value=3_000_000, places=2, allow_nan=False)
days = st.integers(min_value=-30, max_value=400)


@given(arr=money, lam=money, more=money, ahead=days)
def test_more_arr_or_more_lam_never_loses_the_verdict(arr, lam, more, ahead):
    renewal = TODAY + timedelta(days=ahead)
    before = qualify(inputs(arr=arr, lam=lam, renewal=renewal))
    if before.qualifies:
        assert qualify(inputs(arr=arr + more, lam=lam, renewal=renewal)).qualifies
        assert qualify(inputs(arr=arr, lam=lam + more, renewal=renewal)).qualifies


@given(arr=money, lam=money, ahead=days)
def test_a_near_renewal_only_ever_helps(arr, lam, ahead):
    without = qualify(inputs(arr=arr, lam=lam, renewal=None))
    renewal = TODAY + timedelta(days=ahead)
    with_renewal = qualify(inputs(arr=arr, lam=lam, renewal=renewal))
    if without.qualifies:
        assert with_renewal.qualifies
    if with_renewal.renewal_weighed:
        assert rules.renewal_is_near(renewal, TODAY, 3) and not without.qualifies


@given(arr=money, lam=money)
def test_without_a_near_renewal_it_qualifies_exactly_when_both_thresholds_are_met(arr, lam):
    verdict = qualify(inputs(arr=arr, lam=lam, renewal=None))
    assert verdict.qualifies == (arr * 100 >= 80 * CEILING and lam > 100_000)
    # Every reason carries its figure.
    assert f"{rules.money(arr)}" in reason(verdict, rules.ARR).text
    assert f"{rules.money(lam)}" in reason(verdict, rules.LAM).text


@given(
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    start_month=st.integers(min_value=1, max_value=12),
)
def test_a_fiscal_quarters_bounds_hold_its_days_and_agree_with_followups(day, start_month):
    start, end = rules.fiscal_quarter_bounds(day, start_month)
    assert start <= day < end and start.day == 1
    assert fiscal_quarter(start, start_month) == fiscal_quarter(day, start_month)
    assert fiscal_quarter(end - timedelta(days=1), start_month) == fiscal_quarter(day, start_month)
    assert fiscal_quarter(end, start_month) != fiscal_quarter(day, start_month)
    year, quarter = fiscal_quarter(day, start_month)
    assert rules.fiscal_quarter_label(day, start_month) == f"Q{quarter} FY{year}"


def test_the_details_each_kind_needs():
    support = rules.details_problems("support", {})
    assert set(support) == {"ticket_reference", "ticket_url", "impact"}
    account = rules.details_problems("account", {"impact": "Blocks releases."})
    assert set(account) == {"risk"}
    bad_link = rules.details_problems(
        "account", {"impact": "x", "risk": "churn", "bug_url": "gitlab.com/issues/1"}
    )
    assert bad_link == {"bug_url": ("Enter a full web address, starting with https://.", "invalid")}
    assert (
        rules.details_problems(
            "support",
            {
                "ticket_reference": "#48213",
                "ticket_url": "https://support.example/48213",
                "impact": "x",
            },
        )
        == {}
    )


def test_approving_against_the_verdict_needs_a_justification():
    assert rules.justification_problem("approved", False, " ")
    assert rules.justification_problem("approved", False, "Renewal at stake.") is None
    assert rules.justification_problem("approved", True, "") is None
    assert rules.justification_problem("declined", False, "") is None
