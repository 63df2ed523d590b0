"""The demo's escalations: few, in every state, each with its verdict; one waits for
the manager on its escalation case."""

import pytest

from rhythm.demo import escalations as demo_escalations
from rhythm.escalations.models import Escalation
from tests.demo.conftest import load_on_today

pytestmark = pytest.mark.usefixtures("demo", "db")


def test_a_few_escalations_in_every_state_with_believable_verdicts(demo):
    rows = list(Escalation.objects.select_related("case").order_by("pk"))
    assert len(rows) == 5
    assert {e.state for e in rows} == {"raised", "active", "declined", "closed", "approved"}
    assert {e.kind for e in rows} == {"support", "account"}
    waiting = rows[0]
    assert waiting.state == "raised" and waiting.case is not None and waiting.qualifies
    assert waiting.case.kind == "escalation"
    for escalation in rows:
        reasons = escalation.given_verdict.reasons
        assert reasons[0].text.startswith(f"ARR ${escalation.account.arr:,.0f} is ")
        assert escalation.transitions.count() >= 1
    # Approved against its verdict, with the written justification.
    against = [e for e in rows if e.state == "approved" and not e.qualifies]
    assert against and against[0].justification


def test_loading_again_adds_no_escalation(demo):
    assert load_on_today()["escalations"] == 0
    assert (
        Escalation.objects.filter(idempotency_key__startswith=demo_escalations.KEY_PREFIX).count()
        == 5
    )
