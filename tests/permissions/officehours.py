"""Office hours: every role reads the sessions; CSEs and their managers (and admins)
run them; a CSM (or an admin) brings a question; the session's CSE or a manager
answers it or turns it into a spot call."""

from tests.permissions.harness import Operation, Redirect, Route, expect, hidden

SESSIONS = Redirect("officehours:list")
HANDLES = {"cse": 200, "manager": 200, "admin": 200}  # the session's CSE, managers, admins

ROUTES = [
    Route(
        "officehours:list",
        get=expect(200, outsider=403),
        post=expect(403, csm=200, admin=200),  # an empty question: the form again
    ),
    Route(
        "officehours:session-create",
        get=expect(403, cse=SESSIONS, manager=SESSIONS, admin=SESSIONS),
        post=expect(403, **HANDLES),  # an empty session: the form again
    ),
    Route(
        "officehours:question",
        get=expect(200, outsider=403),
        post=expect(403, **HANDLES),  # neither answer nor call chosen: the page again
    ),
]

OPERATIONS = [
    Operation("GET /office-hours", expect(200, outsider=403)),
    Operation(
        "POST /office-hours",
        expect(403, cse=201, manager=201, admin=201),
        body=lambda w: {"weekday": 4, "start_time": "10:00:00"},
    ),
    Operation(
        "PATCH /office-hours/{session_id}",
        expect(403, **HANDLES),
        body=lambda w: {"title": "Pipelines clinic"},
    ),
    Operation("POST /office-hours/{session_id}/archive", expect(403, **HANDLES)),
    Operation("GET /office-hours-questions", expect(200, outsider=403)),
    Operation(
        "POST /office-hours/{session_id}/questions",
        expect(403, csm=201, admin=201),
        body=lambda w: {"account": w.account.pk, "topic": "Caching", "context": "Slow jobs."},
        # The account is named in the body: one they may not see is none at all.
        stranger=hidden(422, account_owner=403),
    ),
    Operation(
        "POST /office-hours-questions/{question_id}/answer",
        expect(403, **HANDLES, outsider=404),
        body=lambda w: {"answer": "Cache the dependencies per lockfile."},
    ),
    Operation(
        "POST /office-hours-questions/{question_id}/spot-engagement",
        expect(403, **HANDLES, outsider=404),
    ),
]
