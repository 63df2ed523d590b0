"""Complex engagement requests, the board and capacity: every role reads them; a CSM
(or an admin) files a request; a CSE manager (or an admin) reviews it."""

from tests.engagements.helpers import STAKEHOLDER
from tests.engagements_fixtures import TARGET_START
from tests.permissions.harness import OneOf, Operation, Redirect, Route, expect, hidden

DETAIL = Redirect("engagements:detail")
BOARD = Redirect("engagements:board")
# An empty request form is shown again with what is missing.
EMPTY_FORM = OneOf(200, 422)

ROUTES = [
    # As the account page loads it: the account's requests, by HTMX.
    Route(
        "engagements:list",
        get=expect(200, outsider=403),
        htmx=True,
        query=lambda w: f"account={w.account.pk}",
        stranger={"get": hidden(404)},
    ),
    Route(
        "engagements:create",
        get=expect(403, csm=200, admin=200),
        post=expect(403, csm=EMPTY_FORM, admin=EMPTY_FORM),
        # An account owner files no request on any account: refused before the lookup.
        stranger={"get": hidden(account_owner=403), "post": hidden(account_owner=403)},
    ),
    Route("engagements:detail", get=expect(200, outsider=403)),
    Route(
        "engagements:transition",
        get=expect(DETAIL, outsider=403),
        post=expect(200, outsider=403),  # no move named: the page, with the error
        # A GET never reads the request: it leads to the page, which is a 404 to them.
        stranger={"get": hidden(DETAIL)},
    ),
    Route("engagements:board", get=expect(200, outsider=403)),
    Route("engagements:board-column", get=expect(200, outsider=403), htmx=True),
    # A drag and drop of the CTA onto "In progress", answered as the API answers: the
    # CSE takes it; a manager (or an admin) assigns it to someone on its page (422);
    # any other role that sees the board does not work CTAs (403). The card snaps back.
    Route(
        "engagements:board-move",
        get=expect(BOARD, anonymous=BOARD),
        post=expect(403, cse=200, manager=422, admin=422, anonymous=401),
        data=lambda w: {"card": f"cta-{w.cta.pk}", "column": "in_progress"},
        stranger={
            "get": hidden(BOARD),
            "post": hidden(404),
        },
    ),
    Route("engagements:capacity", get=expect(200, outsider=403)),
]


def request_body(w):
    return {
        "account": w.account.pk,
        "objective": w.objective.pk,
        "title": "Security scanning for two teams",
        "effort_kind": "duration",
        "duration_weeks": 4,
        "hours_per_week": "4",
        "target_start_date": TARGET_START.isoformat(),
        "outcome": "Both teams scan every merge request.",
        "metrics": ["SAST on every MR"],
        "deliverables": ["Scan policy"],
        "stakeholders": [STAKEHOLDER],
        # The world's request is still open on this objective: a second one says why.
        "duplicate_reason": "A second phase for two more teams.",
    }


OPERATIONS = [
    Operation("GET /requests", expect(200, outsider=403)),
    Operation("GET /requests/{request_id}", expect(200, outsider=403)),
    Operation(
        "POST /requests",
        expect(403, csm=201, admin=201),
        body=request_body,
        # The account is named in the body: one they may not see is none at all.
        stranger=hidden(422, account_owner=403),
    ),
    # Asking the CSM for more information is the manager's move.
    Operation(
        "POST /requests/{request_id}/transitions",
        expect(403, manager=200, admin=200, outsider=404),
        body=lambda w: {"to": "clarification", "reason": "Which two teams?"},
    ),
    Operation(
        "GET /requests/{request_id}/suggestions",
        expect(403, manager=200, admin=200, outsider=404),
    ),
    Operation("GET /capacity", expect(200, outsider=403)),
]
