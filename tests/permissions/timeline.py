"""The account timeline: every role reads it for the accounts it sees; all but the
program manager and the demo architect add notes."""

from tests.permissions.harness import Operation, Redirect, Route, expect, hidden

ACCOUNT = Redirect("customers:account-tab")  # its timeline tab

ROUTES = [
    Route("timeline:account", get=expect(200, outsider=403), htmx=True),
    Route(
        "timeline:add-note",
        get=expect(ACCOUNT, program_manager=403, demo_architect=403, outsider=403),
        post=expect(ACCOUNT, program_manager=403, demo_architect=403, outsider=403),
        data=lambda w: {"text": "Called them about the renewal."},
        # A GET never reads the account: it leads to its timeline, which is a 404 to them.
        stranger={"get": hidden(ACCOUNT)},
    ),
]

OPERATIONS = [
    Operation("GET /accounts/{account_id}/timeline", expect(200, outsider=404)),
    Operation(
        "POST /accounts/{account_id}/notes",
        expect(201, program_manager=403, demo_architect=403, outsider=404),
        body=lambda w: {"text": "Called them about the renewal."},
    ),
]
