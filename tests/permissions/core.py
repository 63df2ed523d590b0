"""Personal API tokens: every signed-in member keeps their own, role or none."""

from tests.permissions.harness import Operation, expect

OPERATIONS = [
    Operation("GET /tokens", expect(200)),
    Operation("POST /tokens", expect(201), body=lambda w: {"name": "laptop"}),
    # The AE's token: anyone else's is not found.
    Operation("POST /tokens/{token_id}/revoke", expect(404, account_owner=200)),
]
