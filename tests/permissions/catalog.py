"""The catalog of offerings: every role reads it; an admin edits it."""

from tests.permissions.harness import Operation, Route, expect

ROUTES = [Route("catalog:list", get=expect(200, outsider=403))]

OPERATIONS = [
    Operation("GET /offerings", expect(200, outsider=403)),
    Operation("GET /offerings/{offering_id}", expect(200, outsider=403)),
    Operation(
        "POST /offerings",
        expect(403, admin=201),
        body=lambda w: {"name": "Harden Your Runners", "description": "Runner fleets."},
    ),
    Operation(
        "PATCH /offerings/{offering_id}",
        expect(403, admin=200),
        body=lambda w: {"description": "Edited."},
    ),
    Operation("POST /offerings/{offering_id}/archive", expect(403, admin=200)),
]
