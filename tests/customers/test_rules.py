"""What the account header decides, as pure rules: renewal, licences, plan health."""

from datetime import date, timedelta

import pytest

from rhythm.customers.choices import HealthStatus
from rhythm.customers.rules import RENEWAL_SOON_DAYS, licence_use, plan_health, renewal

TODAY = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("days", "soon", "passed", "colour"),
    [
        (RENEWAL_SOON_DAYS + 1, False, False, ""),
        (RENEWAL_SOON_DAYS, True, False, "warning"),
        (0, True, False, "warning"),
        (-1, False, True, "danger"),
    ],
)
def test_a_renewal_three_months_away_or_less_is_soon(days, soon, passed, colour):
    found = renewal(TODAY + timedelta(days=days), TODAY)
    assert (found.days, found.soon, found.passed, found.colour) == (days, soon, passed, colour)
    assert found.ago == (1 if passed else None)


def test_no_renewal_date_is_no_renewal():
    assert renewal(None, TODAY).days is None and renewal(None, TODAY).colour == ""


@pytest.mark.parametrize(
    ("used", "purchased", "percent"),
    [(300, 400, 75), (0, 400, 0), (450, 400, 112), (1, 3, 33), (5, 0, None)],
)
def test_licence_use_is_a_whole_percentage_of_those_bought(used, purchased, percent):
    assert licence_use(used, purchased) == percent


def test_a_plan_is_as_healthy_as_its_least_healthy_objective():
    health = plan_health([("green", 100), ("amber", 40), ("red", 10), ("amber", 50)])
    assert health.status == HealthStatus.RED and health.colour == "danger"
    assert health.complete == 50 and health.objectives == 4
    assert health.counts == {HealthStatus.RED: 1, HealthStatus.AMBER: 2, HealthStatus.GREEN: 1}
    assert health.reasons == ("1 of 4 objectives is red.", "2 of 4 objectives are amber.")


def test_a_green_plan_says_so():
    assert plan_health([("green", 30), ("green", 60)]).reasons == ("All 2 objectives are green.",)
    one = plan_health([("green", 30)])
    assert (one.status, one.complete, one.reasons) == (
        HealthStatus.GREEN,
        30,
        ("Its one objective is green.",),
    )


def test_a_plan_without_objectives_has_no_health_yet():
    health = plan_health([])
    assert health.status is None and health.label == "No objectives"
    assert health.colour == "secondary" and health.objectives == 0
    assert health.reasons == ("No objective yet: add one to the success plan.",)
