"""Follow-ups: every role reads those of the accounts it sees; the call's CSE (or a
manager, or an admin) previews and sends it. A further question is entered by the
AE, the CSM or the CSE; the CSE who held the call (or a manager, an admin) answers."""

from tests.permissions.harness import Operation, Redirect, Route, expect, hidden

FOLLOW_UP = Redirect("followups:detail")
SENDS = {"cse": FOLLOW_UP, "manager": FOLLOW_UP, "admin": FOLLOW_UP}
QUESTIONS = Redirect("followups:questions")
ANSWERS = {"cse": QUESTIONS, "manager": QUESTIONS, "admin": QUESTIONS}
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
    # Everyone reads the open further questions they may see; a CSE sees their own.
    Route("followups:questions", get=expect(200, outsider=403)),
    Route(
        "followups:answer",
        get=expect(403, **ANSWERS),
        post=expect(403, **ANSWERS),
        data=lambda w: {f"q{w.further_question.pk}-answer": "Yes, it survives a rebase."},
        stranger={"get": hidden(403), "post": hidden(403)},
    ),
    Route(
        "followups:ask",
        get=expect(403, account_owner=200, csm=200, cse=200, manager=200, admin=200),
        # The world's meeting is a spot call not held yet: the page names the rule.
        post=expect(403, account_owner=422, csm=422, cse=422, manager=422, admin=422),
        data=lambda w: {"question": "Can runners autoscale?"},
        stranger={"get": hidden(404), "post": hidden(404)},
    ),
    # Pausing an SLA clock (here the follow-up's): its CSE, a manager or an admin.
    Route(
        "followups:pause",
        get=expect(FOLLOW_UP, outsider=403),
        post=expect(403, **SENDS),
        data=lambda w: {"reason": "Waiting on their pipeline logs."},
        stranger={"get": hidden(FOLLOW_UP), "post": hidden(404)},
    ),
    Route(
        "followups:resume",
        get=expect(FOLLOW_UP, outsider=403),
        post=expect(403, **SENDS),
        stranger={"get": hidden(FOLLOW_UP), "post": hidden(404)},
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
    Operation("GET /clocks", expect(200, outsider=403)),
    Operation(
        "POST /clocks/{kind}/{clock_id}/pause",
        expect(403, cse=200, manager=200, admin=200, outsider=404),
        body=lambda w: {"reason": "Waiting on their pipeline logs."},
    ),
    Operation(
        "POST /clocks/{kind}/{clock_id}/resume",
        # The world's follow-up runs: nothing to resume, the rule says so.
        expect(403, cse=422, manager=422, admin=422, outsider=404),
    ),
]
