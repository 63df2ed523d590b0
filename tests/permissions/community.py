"""Community events: whoever sees the account reads them (on its tab too); the CSE
team (CSEs, managers, the program manager, admins) logs, changes and archives them."""

from datetime import date

from tests.permissions.harness import Operation, Redirect, Route, expect, hidden

TEAM = {"cse": 200, "manager": 200, "program_manager": 200, "admin": 200}
TAB = Redirect("customers:account-tab")
FIELDS = {
    "name": "DevOpsDays",
    "kind": "conference",
    "date": "2026-11-20",
    "contribution": "booth",
}

ROUTES = [
    Route("customers:account-tab", get=expect(200, outsider=403), kwargs={"tab": "community"}),
    Route(
        "community:new",
        get=expect(403, **TEAM),
        post=expect(403, **dict.fromkeys(TEAM, TAB)),
        data=lambda w: {**FIELDS, "contributors": [w.cast.cse.pk]},
        stranger={"get": hidden(403), "post": hidden(403)},
    ),
    Route(
        "community:edit",
        get=expect(200, outsider=403),
        post=expect(403, **dict.fromkeys(TEAM, TAB)),
        data=lambda w: {
            **FIELDS,
            "outcome": "Three teams asked for a lab.",
            "contributors": [w.cast.cse.pk],
        },
    ),
    Route(
        "community:archive",
        get=expect(403, **{role: Redirect("community:edit") for role in TEAM}),
        post=expect(403, **dict.fromkeys(TEAM, TAB)),
        # Refused by the right before the event is looked up.
        stranger={"get": hidden(403), "post": hidden(403)},
    ),
]

OPERATIONS = [
    Operation("GET /community-events", expect(200, outsider=403)),
    Operation(
        "GET /community-events/counts",
        expect(200, outsider=403),
        body=lambda w: {"since": "2026-01-01", "until": str(date(2026, 12, 31))},
    ),
    Operation("GET /community-events/{community_event_id}", expect(200, outsider=403)),
    Operation(
        "POST /community-events",
        expect(403, cse=201, manager=201, program_manager=201, admin=201),
        body=lambda w: {**FIELDS, "account": w.account.pk, "contributors": [w.cast.cse.pk]},
    ),
    Operation(
        "PATCH /community-events/{community_event_id}",
        expect(403, **TEAM),
        body=lambda w: {"outcome": "Two new champions."},
    ),
    Operation(
        "DELETE /community-events/{community_event_id}",
        expect(403, cse=204, manager=204, program_manager=204, admin=204),
    ),
]
