"""The one workflow helper (core.rules.Workflow, core.workflow) and the state
machines on it: allowed moves with their parties, verdicts with reasons, 409 on a
stale move, an append-only log of who, when, from, to and why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rhythm.cases import services as cases
from rhythm.cases.models import CaseTransition
from rhythm.core import workflow
from rhythm.core.rules import Move, Workflow, time_in_states
from rhythm.core.workflow import TransitionConflict
from rhythm.ctas import services as ctas
from rhythm.ctas.models import CtaTransition

DOOR = Workflow(
    noun="door",
    moves={
        ("shut", "open"): Move("open", frozenset({"keyholder"})),
        ("open", "shut"): Move("shut", frozenset({"keyholder", "guest"}), {"reason": "Say why."}),
    },
    states={"shut": "Shut", "open": "Open", "gone": "Gone"},
    party_labels={"keyholder": "the keyholder", "guest": "a guest"},
)


def test_a_verdict_names_the_problem_and_its_reasons():
    assert DOOR.check("shut", "open", {"keyholder"}, {}).allowed
    conflict = DOOR.check("shut", "gone", {"keyholder"}, {})
    assert (conflict.problem, conflict.reasons) == (
        "conflict",
        ["A door in Shut cannot move to Gone; it may move to Open."],
    )
    forbidden = DOOR.check("shut", "open", {"guest"}, {})
    assert forbidden.problem == "forbidden"
    assert forbidden.reasons == ["Only the keyholder may open this door."]
    invalid = DOOR.check("open", "shut", {"guest"}, {"reason": "  "})
    assert (invalid.problem, invalid.missing) == ("invalid", {"reason": "Say why."})


def test_enforce_raises_what_the_api_answers_409_403_and_422():
    with pytest.raises(TransitionConflict) as stale:
        workflow.enforce(DOOR, "open", "open", {"keyholder"}, expected_state="shut")
    assert stale.value.current_state == "open"
    with pytest.raises(TransitionConflict):
        workflow.enforce(DOOR, "shut", "gone", {"keyholder"})
    with pytest.raises(PermissionDenied):
        workflow.enforce(DOOR, "shut", "open", {"guest"})
    with pytest.raises(ValidationError) as missing:
        workflow.enforce(DOOR, "open", "shut", {"guest"}, {})
    assert missing.value.message_dict == {"reason": ["Say why."]}
    with pytest.raises(ValidationError) as unknown:
        workflow.enforce(DOOR, "open", "ajar", {"guest"})
    assert "to" in unknown.value.message_dict


def test_time_in_states_adds_up_every_visit():
    t0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    changes = [("shut", t0), ("open", t0 + timedelta(hours=1)), ("shut", t0 + timedelta(hours=3))]
    spent = time_in_states(changes, t0 + timedelta(hours=4))
    assert spent == {"shut": timedelta(hours=2), "open": timedelta(hours=2)}


def test_a_cta_and_its_case_log_each_move(cast, case_data, covering_cse):
    opened = cases.open_case(cast.account_owner, case_data).case
    cta = ctas.accept(opened.cta, cse=covering_cse, actor=covering_cse)
    done = [t.pk for t in cta.tasks.filter(status="open")]
    ctas.close(cta, actor=covering_cse, reason="Delivered the workshop.", done_task_ids=done)
    log = list(CtaTransition.objects.filter(cta=cta).values_list("from_state", "to_state", "actor"))
    assert log == [
        ("open", "in_progress", covering_cse.pk),
        ("in_progress", "closed", covering_cse.pk),
    ]
    assert CtaTransition.objects.filter(cta=cta).last().reason == "Delivered the workshop."
    case_log = CaseTransition.objects.filter(case=opened).values_list("from_state", "to_state")
    assert list(case_log) == [("open", "accepted"), ("accepted", "closed")]
    opened.refresh_from_db()
    assert opened.status == "closed"


def test_a_logged_move_is_never_rewritten(cast, case_data, covering_cse):
    cta = cases.open_case(cast.account_owner, case_data).case.cta
    ctas.accept(cta, cse=covering_cse, actor=covering_cse)
    row = CtaTransition.objects.get(cta=cta)
    row.reason = "edited later"
    with pytest.raises(ValueError, match="append-only"):
        row.save()


def test_the_moves_a_party_may_make_are_listed_in_the_tables_order():
    assert [to for to, _ in DOOR.moves_for("open", {"guest"})] == ["shut"]
    assert DOOR.moves_for("shut", {"guest"}) == []
    assert [m.action for _, m in DOOR.moves_for("shut", {"keyholder", "guest"})] == ["open"]
    assert DOOR.moves_for("gone", {"keyholder"}) == []
