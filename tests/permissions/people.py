"""The team: every role sees it; managers tune capacity and coverage, admins the rest.

Tokens are each member's own: another member's token is not found.
"""

from tests.permissions.harness import Operation, Redirect, Route, expect

TOKENS = Redirect("people:tokens")

ROUTES = [
    Route("people:team", get=expect(200, outsider=403)),
    # Another member's page (a CSE outside the cast); an outsider may see only their own.
    Route(
        "people:member",
        get=expect(200, outsider=403),
        post=expect(403, manager=200, admin=200),  # an empty form: shown again
    ),
    Route("people:tokens", get=expect(200)),
    # Form targets: a GET goes back to the page with the form.
    Route("people:create-token", get=expect(TOKENS), post=expect(TOKENS)),
    # The AE's token: nobody else finds it.
    Route("people:revoke-token", get=expect(TOKENS), post=expect(404, account_owner=TOKENS)),
]

OPERATIONS = [
    Operation("GET /team-members", expect(200, outsider=403)),
    Operation("GET /team-members/me", expect(200)),
    Operation("GET /team-members/{member_id}", expect(200, outsider=403)),
    Operation(
        "POST /team-members",
        expect(403, admin=201),
        body=lambda w: {"username": "new.cse", "roles": ["cse"]},
    ),
    Operation(
        "PATCH /team-members/{member_id}",
        expect(403, manager=200, admin=200),
        body=lambda w: {"weekly_capacity_hours": "30"},
    ),
    Operation("POST /team-members/{member_id}/archive", expect(403, admin=200)),
]
