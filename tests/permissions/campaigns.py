"""Campaigns: the CSE organisation reads them (CSEs, managers, the program manager,
CS operations, admins); CS operations (and admins) define and run them; a second
person approves: a CSE manager, or CS operations other than the author (the world's
campaign is CS operations' own, so their approval is refused). Account owners and
CSMs have no part in them. The unsubscribe link is public (exempt.py)."""

from tests.permissions.harness import Operation, Redirect, Route, expect

CAMPAIGN = Redirect("campaigns:detail")
READ = {"cse": 200, "manager": 200, "program_manager": 200, "cs_ops": 200, "admin": 200}
DEFINE = {"cs_ops": 200, "admin": 200}


def definition(w):
    return {
        "name": "Harness coach",
        "segments": [w.segment.pk],
        "subject": "Hi {{ contact_first_name }}",
        "body": "Book: {{ booking_link }}",
    }


def form(w):
    return {
        "name": "Harness coach",
        "subject": "Hi",
        "body": "Book: {{ booking_link }}",
        "schedule": "daily",
        "send_time": "09:00",
        "frequency_cap_days": "7",
    }


ROUTES = [
    Route("campaigns:list", get=expect(403, **READ)),
    Route("campaigns:detail", get=expect(403, **READ)),
    Route("campaigns:new", get=expect(403, **DEFINE)),
    Route("campaigns:edit", get=expect(403, **DEFINE)),
    Route(
        "campaigns:email-preview",
        get=expect(403, **DEFINE),
        post=expect(403, **DEFINE),
        data=form,
    ),
    Route(
        "campaigns:move",
        # Refused moves come back to the page with the reason; the rights decide.
        get=expect(403, **dict.fromkeys(READ, CAMPAIGN)),
        post=expect(403, **dict.fromkeys(READ, CAMPAIGN)),
        data=lambda w: {"to": "approved"},
    ),
    Route(
        "campaigns:run",
        get=expect(403, **dict.fromkeys(DEFINE, CAMPAIGN)),
        post=expect(403, **DEFINE),
        data=lambda w: {"dry_run": "1"},
    ),
]

OPERATIONS = [
    Operation("GET /campaigns", expect(403, **READ)),
    Operation("POST /campaigns", expect(403, cs_ops=201, admin=201), body=definition),
    Operation("GET /campaigns/{campaign_id}", expect(403, **READ)),
    Operation(
        "PATCH /campaigns/{campaign_id}",
        expect(403, **DEFINE),
        body=lambda w: {"subject": "Hello again"},
    ),
    Operation("DELETE /campaigns/{campaign_id}", expect(403, cs_ops=204, admin=204)),
    Operation("GET /campaigns/{campaign_id}/preview", expect(403, **READ)),
    Operation(
        "POST /campaigns/{campaign_id}/approve",
        expect(403, manager=200, admin=200),
        body=lambda w: {},
    ),
    # A draft moves to approved only: activating or pausing it is no move (409).
    Operation(
        "POST /campaigns/{campaign_id}/activate",
        expect(403, **dict.fromkeys(READ, 409)),
        body=lambda w: {},
    ),
    Operation(
        "POST /campaigns/{campaign_id}/pause",
        expect(403, **dict.fromkeys(READ, 409)),
        body=lambda w: {},
    ),
    Operation(
        "POST /campaigns/{campaign_id}/runs",
        expect(403, **DEFINE),
        body=lambda w: {"dry_run": True},
    ),
    Operation("GET /campaigns/{campaign_id}/runs", expect(403, **READ)),
    Operation("GET /campaigns/{campaign_id}/results", expect(403, **READ)),
]
