"""Each KPI over a month counted by hand (tests/kpis/conftest.py), through the one
access rule and each filter; each in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rhythm.kpis import definitions, rules
from rhythm.kpis.figures import Figure, Filters, Scope
from rhythm.kpis.queries import escalations
from tests.kpis.conftest import NOV, NOW


def _figures(user, **filters) -> dict[str, Figure]:
    period = rules.parse_period(NOV, today=NOW.date(), start_month=2)
    scope = Scope(user, Filters(period, **filters), NOW)
    return {kpi.key: figure for kpi, figure in definitions.compute(scope)}


def _table(figure) -> dict[str, tuple]:
    return {row.bucket: row.values for row in figure.rows}


@pytest.fixture
def figures(team):
    return _figures(team.cast.manager)


def test_request_volume_by_month_offering_segment_and_region(team, figures):
    assert figures["volume_by_month"].value == 5  # October's is outside the period
    assert _table(figures["volume_by_month"]) == {"2026-11": (5,)}
    assert _table(figures["volume_by_offering"]) == {str(team.offering.pk): (4,), "none": (1,)}
    by_segment = {r.label: r.values for r in figures["volume_by_segment"].rows}
    assert by_segment == {"Mid-Touch": (4,), "Enterprise": (1,)}
    assert _table(figures["volume_by_region"]) == {"EMEA": (4,), "AMER": (1,)}


def test_deliverables_docs_and_rejections(figures):
    assert figures["deliverables"].value == 50.0  # 3 of 6 on time
    assert _table(figures["deliverables"])["2026-11"] == (6, 3, 50.0)
    docs = figures["docs_updated"]
    assert docs.value == 33.3
    assert _table(docs) == {"linked": (1, 33.3), "none": (1, 33.3), "not_asked": (1, 33.3)}
    rejected = _table(figures["rejection_reasons"])
    assert figures["rejection_reasons"].value == 1
    assert rejected["out_of_scope"] == (1, 100.0) and rejected["no_capacity"] == (0, 0.0)


def test_time_in_each_review_state_counts_finished_stays_only(figures):
    stays = _table(figures["time_in_state"])
    assert stays["review"] == (4, 3.2)  # 2, 4, 6 and 1 days: 3.25 (rounded half to even)
    assert stays["started"] == (3, 12.7)  # 16, 13 and 9 days
    assert stays["complete"] == (0, None)  # none has moved on yet
    assert figures["time_in_state"].value == 3.2


def test_csat_nps_and_their_response_rates(figures):
    csat = figures["csat"]
    assert csat.value == 3.0  # 5, 4, 2 and the other CSE's 1
    assert _table(csat)["unanswered"] == (1, None)
    assert _table(csat)["5"] == (1, 25.0) and _table(csat)["3"] == (0, 0.0)
    assert "response rate 80.0%" in csat.note
    assert figures["nps"].value == 25.0
    assert figures["nps"].display == "+25"


def test_cta_latency_first_contact_and_slas(figures):
    assert figures["cta_latency"].value == 3.0
    assert figures["first_contact"].value == 6.0
    assert figures["followup_sla"].value == 33.3  # the one due after now is not counted
    assert _table(figures["followup_sla"])["2026-11"] == (3, 1, 33.3)
    assert figures["answer_sla"].value == 100.0


def test_capacity_and_green_plans(team, figures):
    capacity = _table(figures["capacity"])
    assert capacity[str(team.cast.cse.pk)] == (14.0, 40.0, 35.0)
    assert capacity[str(team.other_cse.pk)] == (0.0, 40.0, 0.0)
    assert figures["capacity"].value == 17.5
    assert figures["green_plans"].value == 50.0
    assert "50.0% complete" in figures["green_plans"].note


def test_escalations_are_counted_once_their_app_is_installed(figures):
    """A seam: the escalations app is built beside this one. Without it the KPI says
    so; with it, it counts the month's escalations (none in this team's month)."""
    figure = figures["escalations"]
    if escalations.escalation_model() is None:
        assert not figure.available and figure.value is None
        assert "not installed" in figure.note
    else:
        assert figure.available and figure.value == 0


def test_filters_narrow_every_kpi_they_apply_to(team):
    amer = _figures(team.cast.manager, region="AMER")
    assert amer["volume_by_month"].value == 1
    assert amer["csat"].value == 1.0
    assert amer["deliverables"].value == 0.0  # done_unasked: none on time
    mine = _figures(team.cast.manager, cse=team.cast.cse.pk)
    assert mine["csat"].value == pytest.approx(3.67, abs=0.01)
    assert _table(mine["capacity"]) == {str(team.cast.cse.pk): (14.0, 40.0, 35.0)}
    segment = _figures(team.cast.manager, segment=team.amer.segment_id)
    assert segment["green_plans"].value == 0.0
    catalog = _figures(team.cast.manager, offering=team.offering.pk)
    assert catalog["volume_by_month"].value == 4 and catalog["rejection_reasons"].value == 0


def test_an_account_owner_counts_only_the_accounts_they_see(team):
    theirs = _figures(team.cast.account_owner)
    assert theirs["volume_by_month"].value == 4  # EMEA's
    assert theirs["csat"].value == pytest.approx(3.67, abs=0.01)
    assert _figures(team.cast.outsider)["volume_by_month"].value == 0


def test_each_kpi_is_one_aggregate_query_or_so(team):
    with CaptureQueriesContext(connection) as captured:
        _figures(team.cast.manager)
    # The viewer's permissions (the access rule), then one query per KPI, none for the
    # escalations seam while its app is away: no loop over the rows.
    seam = 0 if escalations.escalation_model() else 1
    assert len(captured.captured_queries) == 1 + len(definitions.KPIS) - seam


def test_the_rows_behind_a_figure_are_the_ones_it_counted(team):
    period = rules.parse_period(NOV, today=NOW.date(), start_month=2)
    scope = Scope(team.cast.manager, Filters(period), NOW)
    figures = dict(definitions.compute(scope))
    for kpi, figure in figures.items():
        for row in figure.rows:
            drill = kpi.drill(scope, row.bucket)
            if kpi.key in {"volume_by_month", "volume_by_offering", "rejection_reasons"}:
                assert drill.queryset.count() == row.values[0], (kpi.key, row.bucket)
    csat = definitions.BY_KEY["csat"].drill(scope, "5")
    assert [cells[4].text for cells in map(csat.cells, csat.queryset)] == ["5"]
    docs = definitions.BY_KEY["docs_updated"].drill(scope, "none")
    (only,) = list(map(docs.cells, docs.queryset))
    assert only[4].text == "The guide already covers it."
