"""Escalations: everyone with a role reads those of the accounts they see; the account
team (AE, CSM) and CSEs raise them; only a CSE manager (or an admin) approves or
declines, and the account team moves an approved one on."""

from tests.permissions.harness import Operation, Redirect, Route, expect, hidden

DETAIL = Redirect("escalations:detail")
RAISERS = {"account_owner": 200, "csm": 200, "cse": 200, "manager": 200, "admin": 200}
RAISED = dict.fromkeys(RAISERS, DETAIL)
BODY = {"kind": "account", "risk": "churn", "impact": "Their release train is blocked."}
# Everyone who may change an escalation is sent back to it: approved by a manager or an
# admin, refused with a message for the others (not their move).
MOVERS = dict.fromkeys(RAISERS, DETAIL)
# The world's account does not qualify: approving it needs a justification too.
APPROVE = {
    "to": "approved",
    "reason": "The renewal is at stake.",
    "justification": "Their CTO asked us directly.",
}

ROUTES = [
    # Its tab on the account page (customers' own table lists the other apps' tabs).
    Route("customers:account-tab", get=expect(200, outsider=403), kwargs={"tab": "escalations"}),
    Route("escalations:list", get=expect(200, outsider=403)),
    Route(
        "escalations:create",
        get=expect(403, **RAISERS),
        post=expect(403, **RAISED),
        query=lambda w: f"account={w.account.pk}",
        data=lambda w: {**BODY, "account": w.account.pk},
        stranger={"get": hidden(404), "post": hidden(404)},
    ),
    Route("escalations:detail", get=expect(200, outsider=403)),
    Route(
        "escalations:transition",
        get=expect(403, **MOVERS),
        post=expect(403, **MOVERS),
        data=lambda w: APPROVE,
        # A GET never reads the escalation: it leads to the page, which is a 404 to them.
        stranger={"get": hidden(DETAIL)},
    ),
]

OPERATIONS = [
    Operation("GET /escalations", expect(200, outsider=403)),
    Operation("GET /escalations/{escalation_id}", expect(200, outsider=403)),
    Operation(
        "POST /escalations",
        expect(403, account_owner=201, csm=201, cse=201, manager=201, admin=201),
        body=lambda w: {**BODY, "account": w.account.pk},
        # The stranger's account field names an account they may not see: a 422 naming it.
        stranger=hidden(422),
    ),
    Operation(
        "POST /escalations/{escalation_id}/transitions",
        expect(403, manager=200, admin=200, outsider=403),
        body=lambda w: APPROVE,
    ),
]
