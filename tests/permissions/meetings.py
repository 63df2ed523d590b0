"""Meetings: every role reads those of the accounts it sees; the meeting's CSE (or a
manager, or an admin) logs and schedules the call."""

from datetime import timedelta

from django.utils import timezone

from tests.permissions.harness import Operation, Redirect, Route, expect, hidden

MEETING = Redirect("meetings:detail")
RUNS_MEETINGS = {"cse": MEETING, "manager": MEETING, "admin": MEETING}
# Account owners and CSMs run no call: refused before the meeting is looked up.
RUNS_NONE = {"get": hidden(403), "post": hidden(403)}

ROUTES = [
    Route("meetings:detail", get=expect(200, outsider=403)),
    Route(
        "meetings:held",
        get=expect(403, **RUNS_MEETINGS),
        post=expect(403, **RUNS_MEETINGS),
        stranger=RUNS_NONE,
    ),
    Route(
        "meetings:schedule",
        get=expect(403, **RUNS_MEETINGS),
        post=expect(
            403, cse=200, manager=200, admin=200
        ),  # no time given: the page, with the error
        stranger=RUNS_NONE,
    ),
]

OPERATIONS = [
    Operation("GET /meetings", expect(200, outsider=403)),
    Operation("GET /meetings/{meeting_id}", expect(200, outsider=403)),
    Operation(
        "POST /meetings/{meeting_id}/held",
        expect(403, cse=200, manager=200, admin=200, outsider=404),
    ),
    Operation(
        "POST /meetings/{meeting_id}/schedule",
        expect(403, cse=200, manager=200, admin=200, outsider=404),
        body=lambda w: {"scheduled_at": (timezone.now() + timedelta(days=5)).isoformat()},
    ),
]
