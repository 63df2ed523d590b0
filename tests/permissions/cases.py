"""CS Help cases: every role reads those of the accounts it sees; the account owner
(and an admin) opens them."""

from tests.permissions.harness import Operation, Route, expect, hidden

ROUTES = [
    # As the account page loads it: the account's cases, by HTMX.
    Route(
        "cases:list",
        get=expect(200, outsider=403),
        htmx=True,
        query=lambda w: f"account={w.account.pk}",
        stranger={"get": hidden(404)},
    ),
    Route("cases:detail", get=expect(200, outsider=403)),
    Route(
        "cases:create",
        get=expect(403, account_owner=200, admin=200),
        post=expect(403, account_owner=200, admin=200),  # an empty form: shown again
        # A CSM opens no case on any opportunity: refused before it is looked up.
        stranger={"get": hidden(csm=403), "post": hidden(csm=403)},
    ),
]

OPERATIONS = [
    Operation("GET /cases", expect(200)),
    Operation("GET /cases/{case_id}", expect(200, outsider=404)),
    Operation(
        "POST /cases",
        expect(403, account_owner=201, admin=201),
        body=lambda w: {
            "opportunity": w.opportunity.pk,
            "offering": w.offering.pk,
            "contact": w.contact.pk,
            "challenges": "Their runners are saturated.",
            # The world's case for this offering is still open: a second one says why.
            "duplicate_reason": "Another team on the same deal.",
        },
        # The opportunity is named in the body: one they may not see is none at all.
        stranger=hidden(422, csm=403),
    ),
]
