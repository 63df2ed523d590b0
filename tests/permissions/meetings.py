"""Meetings: every role reads those of the accounts it sees; the meeting's CSE (or a
manager, or an admin) logs the call; they, and the CSM who set it up, set its time."""

from datetime import timedelta

from django.utils import timezone

from tests.permissions.harness import Operation, Redirect, Route, expect, hidden

MEETING = Redirect("meetings:detail")
RUNS_MEETINGS = {"cse": MEETING, "manager": MEETING, "admin": MEETING}
# Account owners and CSMs run no call: refused before the meeting is looked up.
RUNS_NONE = {"get": hidden(403), "post": hidden(403)}

MINE = Redirect("meetings:mine")

ROUTES = [
    Route("meetings:mine", get=expect(200, outsider=403)),
    Route("meetings:feed-reset", get=expect(MINE, outsider=403), post=expect(MINE, outsider=403)),
    # The world's CTA is not accepted yet: only a manager may book its call for its
    # owner-to-be, and is told to accept it first (the page with the error).
    Route(
        "meetings:book",
        get=expect(403, manager=200, admin=200),
        post=expect(403, manager=200, admin=200),
        stranger=RUNS_NONE,
    ),
    Route("meetings:invitation", get=expect(200, outsider=403)),
    Route(
        "meetings:checklist-item",
        get=expect(403, **RUNS_MEETINGS),
        post=expect(403, **RUNS_MEETINGS),
        data=lambda w: {"done": "1"},
        stranger=RUNS_NONE,
    ),
    Route("meetings:detail", get=expect(200, outsider=403)),
    Route(
        "meetings:held",
        get=expect(403, **RUNS_MEETINGS),
        post=expect(403, **RUNS_MEETINGS),
        stranger=RUNS_NONE,
    ),
    Route(
        "meetings:schedule",
        # Only a POST sets the time; a GET goes back to the meeting's page.
        get=expect(MEETING, outsider=403),
        # No time given: the page again, with the error, for those who set it.
        post=expect(403, cse=200, csm=200, manager=200, admin=200),
        stranger={"get": hidden(MEETING), "post": hidden(404)},
    ),
]

OPERATIONS = [
    Operation(
        "POST /meetings",
        # The world's CTA has no owner yet: the rule answers those who book calls.
        expect(403, cse=422, manager=422, admin=422),
        body=lambda w: {
            "cta": w.cta.pk,
            "scheduled_at": (timezone.now() + timedelta(days=5)).isoformat(),
        },
    ),
    Operation("GET /meetings/{meeting_id}/checklist", expect(200, outsider=403)),
    Operation(
        "POST /meetings/{meeting_id}/checklist/{item_id}",
        expect(403, cse=200, manager=200, admin=200),
        body=lambda w: {"done": True},
    ),
    Operation("GET /calendar-feed", expect(200, outsider=403)),
    Operation("POST /calendar-feed/reset", expect(200, outsider=403)),
    Operation("GET /meetings", expect(200, outsider=403)),
    Operation("GET /meetings/{meeting_id}", expect(200, outsider=403)),
    Operation(
        "POST /meetings/{meeting_id}/held",
        expect(403, cse=200, manager=200, admin=200, outsider=404),
    ),
    Operation(
        "POST /meetings/{meeting_id}/schedule",
        expect(403, cse=200, csm=200, manager=200, admin=200, outsider=404),
        body=lambda w: {"scheduled_at": (timezone.now() + timedelta(days=5)).isoformat()},
    ),
]
