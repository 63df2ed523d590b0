from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from rhythm.engagements import rules
from rhythm.engagements.choices import RequestState as S
from rhythm.engagements.rules import Party


def check(current, target, parties, **kw):
    return rules.check_transition(current, target, set(parties), **kw)


def test_the_handbook_diagram_is_the_whole_state_machine():
    assert set(rules.TRANSITIONS) == {
        (S.REVIEW, S.CLARIFICATION),
        (S.CLARIFICATION, S.REVIEW),
        (S.REVIEW, S.REJECTED),
        (S.REJECTED, S.CLOSED),
        (S.REVIEW, S.STARTED),
        (S.STARTED, S.COMPLETE),
        (S.COMPLETE, S.CLOSED),
        (S.REVIEW, S.CLOSED),
        (S.CLARIFICATION, S.CLOSED),
    }


def test_moves_outside_the_diagram_are_conflicts():
    verdict = check(S.STARTED, S.STARTED, [Party.MANAGER])
    assert not verdict.allowed and verdict.problem == "conflict"
    assert "may move to Complete" in verdict.reasons[0]


def test_each_move_belongs_to_its_party():
    assert check(S.REVIEW, S.CLARIFICATION, [Party.MANAGER], reason="Which runners?").allowed
    refused = check(S.REVIEW, S.CLARIFICATION, [Party.REQUESTER], reason="?")
    assert refused.problem == "forbidden" and "CSE manager" in refused.reasons[0]
    assert check(S.CLARIFICATION, S.REVIEW, [Party.REQUESTER], reason="Linux").allowed
    assert check(S.STARTED, S.COMPLETE, [Party.ASSIGNED_CSE]).allowed
    assert check(S.STARTED, S.COMPLETE, [Party.MANAGER]).problem == "forbidden"


def test_reasons_codes_and_a_cse_are_required_where_the_move_needs_them():
    assert check(S.REVIEW, S.REJECTED, [Party.MANAGER], reason="no").field_name == "reason_code"
    assert check(S.REVIEW, S.REJECTED, [Party.MANAGER], reason_code="other").field_name == "reason"
    assert check(S.REVIEW, S.STARTED, [Party.MANAGER]).field_name == "cse"
    assert check(S.REVIEW, S.STARTED, [Party.MANAGER], has_cse=True).allowed
    # Everything missing at once, each beside its field.
    both = check(S.REVIEW, S.REJECTED, [Party.MANAGER])
    assert both.missing == {
        "reason_code": "Choose a rejection reason.",
        "reason": "Say why the request is rejected.",
    }


def test_time_in_states_sums_every_visit():
    t0 = datetime(2026, 11, 2, 9)
    changes = [
        (S.REVIEW, t0),
        (S.CLARIFICATION, t0 + timedelta(hours=2)),
        (S.REVIEW, t0 + timedelta(hours=5)),
        (S.STARTED, t0 + timedelta(hours=6)),
    ]
    spent = rules.time_in_states(changes, now=t0 + timedelta(hours=10))
    assert spent[S.REVIEW] == timedelta(hours=3)
    assert spent[S.CLARIFICATION] == timedelta(hours=3)
    assert spent[S.STARTED] == timedelta(hours=4)


def test_weekly_load_spreads_engagements_over_their_weeks():
    monday = date(2026, 11, 23)
    load = rules.weekly_load(
        [
            rules.Engagement(start=monday, weeks=3, hours_per_week=Decimal(10)),
            rules.Engagement(start=monday + timedelta(weeks=2), weeks=1, hours_per_week=Decimal(4)),
        ],
        open_ctas=2,
        cta_hours=Decimal(2),
        first_week=monday + timedelta(days=2),
        weeks=4,
    )
    assert load == [Decimal(14), Decimal(14), Decimal(14), Decimal(0)]


def test_weeks_ahead_count_engagements_from_this_week_and_no_open_ctas():
    """Looking at the weeks of a later engagement: a running one is counted from
    this week, and CTAs, which are short, weigh on this week and the next only."""
    today = date(2026, 11, 25)
    load = rules.weekly_load(
        [rules.Engagement(start=date(2026, 10, 5), weeks=4, hours_per_week=Decimal(10))],
        open_ctas=3,
        cta_hours=Decimal(2),
        first_week=today + timedelta(weeks=3),
        weeks=2,
        today=today,
    )
    assert load == [Decimal(10), Decimal(0)]


def candidate(pk, **kw):
    base = {
        "user_id": pk,
        "name": f"CSE {pk}",
        "regions": frozenset({"EMEA"}),
        "segment_ids": frozenset({1}),
        "capacity_hours": Decimal(40),
        "load_hours": Decimal(10),
        "active_engagements": 2,
        "worked_with_account": False,
    }
    return rules.Candidate(**{**base, **kw})


def test_ranking_puts_coverage_then_room_then_fewest_engagements_then_continuity():
    ranked = rules.rank_candidates(
        [
            candidate(1, regions=frozenset({"AMER"}), active_engagements=0),  # wrong region
            candidate(2, load_hours=Decimal(38)),  # no room for 4 h
            candidate(3, active_engagements=3),
            candidate(4, active_engagements=1),
            candidate(5, active_engagements=3, worked_with_account=True),
        ],
        region="EMEA",
        segment_id=1,
        hours_needed=Decimal(4),
    )
    assert [s.user_id for s in ranked] == [4, 5, 3, 2, 1]
    assert ranked[0].covers and ranked[0].fits_capacity
    assert "has worked with this account" in ranked[1].reasons
    assert not ranked[3].fits_capacity and "needs 4.0 h" in ranked[3].reasons[2]
    assert not ranked[4].covers and ranked[4].reasons[0] == "Does not cover EMEA"


def test_among_those_who_do_not_cover_it_half_coverage_ranks_first():
    ranked = rules.rank_candidates(
        [
            candidate(1, regions=frozenset({"APAC"}), segment_ids=frozenset({9})),  # neither
            candidate(2, regions=frozenset({"APAC"})),  # the segment only
            candidate(3, segment_ids=frozenset({9})),  # the region only
        ],
        region="EMEA",
        segment_id=1,
        hours_needed=Decimal(4),
    )
    assert [s.user_id for s in ranked][2] == 1
    assert not any(s.covers for s in ranked)


# --- Duplicates ---------------------------------------------------------------


def _earlier(id: int, state: S, title: str = "CI for three teams") -> rules.EarlierRequest:
    return rules.EarlierRequest(id, title, state)


@pytest.mark.parametrize("state", [S.REVIEW, S.CLARIFICATION, S.STARTED, S.COMPLETE])
def test_a_request_still_open_on_the_objective_makes_a_duplicate(state):
    verdict = rules.duplicate_requests([_earlier(34, state)])
    assert verdict.duplicate and verdict.first == _earlier(34, state)
    assert verdict.reasons == [
        f"Request #34 (CI for three teams) is still open on this objective ({state.label})."
    ]


@pytest.mark.parametrize("state", [S.REJECTED, S.CLOSED])
def test_a_rejected_or_closed_request_is_history(state):
    verdict = rules.duplicate_requests([_earlier(34, state)])
    assert not verdict.duplicate
    assert (verdict.first, verdict.reasons) == (None, [])


def test_the_first_open_request_is_the_oldest():
    verdict = rules.duplicate_requests(
        [_earlier(40, S.STARTED, "Phase two"), _earlier(34, S.REVIEW), _earlier(20, S.CLOSED)]
    )
    assert verdict.first is not None and verdict.first.id == 34
    assert len(verdict.reasons) == 2 and "Request #40 (Phase two)" in verdict.reasons[1]


def test_a_duplicate_request_needs_a_reason_of_readable_length():
    assert "Say why" in rules.duplicate_reason_problem("", duplicate=True)
    assert rules.duplicate_reason_problem("Phase two, other teams.", duplicate=True) is None
    too_long = "x" * (rules.DUPLICATE_REASON_MAX_LENGTH + 1)
    assert "2001" in rules.duplicate_reason_problem(too_long, duplicate=True)
    assert rules.duplicate_reason_problem("", duplicate=False) is None


# --- The board's cards -------------------------------------------------------------


@pytest.mark.parametrize(
    ("spent", "label"),
    [
        (timedelta(seconds=50), "now"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(minutes=59), "59 minutes"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=23, minutes=59), "23 hours"),
        (timedelta(days=1), "1 day"),
        (timedelta(days=13, hours=23), "13 days"),
        (timedelta(days=14), "2 weeks"),
        (timedelta(days=100), "14 weeks"),
        (timedelta(minutes=-5), "now"),  # a clock a little ahead of the row's
    ],
)
def test_a_cards_age_is_one_unit(spent, label):
    assert rules.age_label(spent) == label


def test_a_due_date_says_what_is_left_or_how_late_it_is():
    today = date(2026, 3, 10)
    assert rules.due("Due", None, today) is None
    ahead = rules.due("Due", date(2026, 3, 22), today)
    assert (ahead.days, ahead.late, ahead.words) == (12, False, "in 12 days")
    assert rules.due("Due", date(2026, 3, 11), today).words == "in 1 day"
    assert rules.due("Starts", today, today).words == "today"
    late = rules.due("Starts", date(2026, 3, 7), today)
    assert (late.label, late.late, late.words) == ("Starts", True, "3 days late")


@pytest.mark.parametrize(
    ("name", "letters"),
    [
        ("Martin Brummer", "MB"),
        ("Maria José de la Cruz", "MC"),
        ("philippe", "PH"),
        ("j.doe", "JD"),
        ("Émile Zola", "ÉZ"),
        ("", "?"),
        ("  ", "?"),
    ],
)
def test_initials_are_the_first_and_last_names_first_letters(name, letters):
    assert rules.initials(name) == letters


def test_the_work_in_progress_limit_is_the_weekly_capacity():
    capacity = Decimal("40")
    assert rules.wip_level(Decimal("40.5"), capacity) == rules.WipLevel.OVER
    assert rules.wip_level(Decimal("40"), capacity) == rules.WipLevel.NEAR
    assert rules.wip_level(Decimal("36"), capacity) == rules.WipLevel.NEAR
    assert rules.wip_level(Decimal("35.9"), capacity) == rules.WipLevel.ROOM
    assert rules.wip_level(Decimal("0"), Decimal("0")) == rules.WipLevel.NEAR


# --- Aging --------------------------------------------------------------------

MONDAY = date(2026, 3, 2)
NORMS = {"request.review": 2, "request.clarification": 3, "request.complete": 3}


def _aging(state, *, entered=MONDAY, target_start=MONDAY + timedelta(days=28), today, weeks=6):
    return rules.request_aging(
        state=state,
        entered=entered,
        target_start=target_start,
        effort_kind="duration",
        duration_weeks=weeks,
        today=today,
        norms=NORMS,
    )


def test_a_request_in_review_ages_past_the_norm():
    assert not _aging(S.REVIEW, today=MONDAY + timedelta(days=2))
    verdict = _aging(S.REVIEW, today=MONDAY + timedelta(days=8))
    assert verdict.aging and not verdict.overdue
    assert verdict.reasons == ["In review for 6 business days; the norm is 2"]


def test_a_request_still_in_review_after_its_target_start_is_overdue():
    verdict = _aging(S.REVIEW, target_start=MONDAY, today=MONDAY + timedelta(days=1))
    assert verdict.overdue and verdict.reasons == ["Target start Mon 2 Mar, 1 business day ago"]


def test_a_started_engagement_has_no_norm_but_its_planned_end():
    started = MONDAY + timedelta(days=28)  # target start; six weeks to run
    assert not _aging(S.STARTED, entered=MONDAY, today=started + timedelta(weeks=6))
    late = _aging(S.STARTED, entered=MONDAY, today=started + timedelta(weeks=6, days=1))
    assert late.overdue and late.reasons == ["Planned end Mon 11 May, 1 business day ago"]


def test_a_complete_request_waits_to_be_closed():
    verdict = _aging(S.COMPLETE, today=MONDAY + timedelta(days=7))
    assert verdict.reasons == ["Complete and not closed for 5 business days; the norm is 3"]


def test_a_closed_request_never_ages():
    assert not _aging(S.CLOSED, target_start=MONDAY, today=MONDAY + timedelta(days=90))


def test_a_state_whose_norm_is_not_set_ages_only_by_its_date():
    # Rejected has no norm in NORMS here, and no date it is due against.
    assert not _aging(S.REJECTED, today=MONDAY + timedelta(days=90))
