"""Follow-ups: every role reads those of the accounts it sees; the call's CSE (or a
manager, or an admin) previews and sends it. A further question is entered by the
AE, the CSM or the CSE; the CSE who held the call (or a manager, an admin) answers."""

from tests.permissions.harness import Operation, Redirect, Route, expect, hidden

FOLLOW_UP = Redirect("followups:detail")
SENDS = {"cse": FOLLOW_UP, "manager": FOLLOW_UP, "admin": FOLLOW_UP}
PARTS = {
    "summary": "Caching halves the build.",
    "action_items": "Turn the cache on.",
    "resources": "https://docs.example/caching",
    "invitation": "Reply with any question.",
}

ROUTES = [
    Route("followups:detail", get=expect(200, outsider=403)),
    Route(
        "followups:send",
        # A GET goes back to the page; a POST sends, for those who may.
        get=expect(403, **SENDS),
        post=expect(403, **SENDS),
        data=lambda w: {**PARTS, "action": "send"},
        stranger={"get": hidden(403), "post": hidden(403)},
    ),
]

OPERATIONS = [
    Operation("GET /follow-ups", expect(200, outsider=403)),
    Operation("GET /follow-ups/{follow_up_id}", expect(200, outsider=403)),
    Operation(
        "POST /follow-ups/{follow_up_id}/preview",
        expect(403, cse=200, manager=200, admin=200, outsider=404),
        body=lambda w: PARTS,
    ),
    Operation(
        "POST /follow-ups/{follow_up_id}/send",
        expect(403, cse=200, manager=200, admin=200, outsider=404),
        body=lambda w: PARTS,
    ),
    Operation("GET /further-questions", expect(200, outsider=403)),
    Operation(
        "POST /meetings/{meeting_id}/questions",
        # The world's meeting is a spot call not held yet: the rule answers those who ask.
        expect(403, account_owner=422, csm=422, cse=422, manager=422, admin=422, outsider=404),
        body=lambda w: {"question": "Can runners autoscale?"},
    ),
    Operation(
        "POST /further-questions/{further_question_id}/answer",
        expect(403, cse=200, manager=200, admin=200, outsider=404),
        body=lambda w: {"answer": "Yes, with the fleet plugin."},
    ),
]
