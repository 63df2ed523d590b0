"""Content: everyone signed in reads the library, an item, a bug and the queues, and
reports a bug. The CSE team adds content; an item's owner (the cast's CSE) edits it
and sends it for review; a maintainer (a manager, the program manager, an admin,
who also build content) edits it too; the bug's owner or a maintainer triages it."""

from tests.content_fixtures import BUG
from tests.permissions.harness import Operation, Redirect, Route, expect

BUILDERS = {"cse": 200, "manager": 200, "program_manager": 200, "admin": 200}
ITEM = Redirect("content:item")
BUG_PAGE = Redirect("content:bug")
ITEM_DATA = {"kind": "recording", "title": "CI webinar recording", "link": "https://v.example/1"}

ROUTES = [
    Route("content:library", get=expect(200, outsider=403)),
    Route("content:queue", get=expect(200, outsider=403)),
    Route("content:item", get=expect(200, outsider=403)),
    Route(
        "content:item-new",
        get=expect(403, **BUILDERS),
        post=expect(403, **dict.fromkeys(BUILDERS, ITEM)),
        data=lambda w: ITEM_DATA,
    ),
    Route(
        "content:item-edit",
        get=expect(403, **BUILDERS),
        post=expect(403, **dict.fromkeys(BUILDERS, ITEM)),
        data=lambda w: {
            "title": "Renamed deck",
            "link": "https://docs.example/d",
            "owner": w.cast.cse.pk,
        },
    ),
    Route(
        "content:item-move",
        # Only the owner sends their draft for review.
        get=expect(ITEM, outsider=403),
        post=expect(403, cse=ITEM),
        data=lambda w: {"to": "in_review"},
    ),
    Route(
        "content:guideline",
        get=expect(ITEM, outsider=403),
        post=expect(403, **dict.fromkeys(BUILDERS, ITEM)),
        data=lambda w: {"done": "1"},
    ),
    Route(
        "content:bug-new",
        get=expect(200, outsider=403),
        post=expect(BUG_PAGE, outsider=403),
        data=lambda w: BUG,
    ),
    Route("content:bug", get=expect(200, outsider=403)),
    Route(
        "content:bug-move",
        # The CSE owns the deck; a manager, the program manager or an admin may stand in.
        get=expect(BUG_PAGE, outsider=403),
        post=expect(403, cse=BUG_PAGE, manager=BUG_PAGE, program_manager=BUG_PAGE, admin=BUG_PAGE),
        data=lambda w: {"to": "triaged"},
    ),
]

OPERATIONS = [
    Operation("GET /content-items", expect(200, outsider=403)),
    Operation("GET /content-items/{content_item_id}", expect(200, outsider=403)),
    Operation(
        "POST /content-items",
        expect(403, cse=201, manager=201, program_manager=201, admin=201),
        body=lambda w: ITEM_DATA,
    ),
    Operation(
        "PATCH /content-items/{content_item_id}",
        expect(403, **BUILDERS),
        body=lambda w: {"title": "Renamed"},
    ),
    Operation(
        "PUT /content-items/{content_item_id}/guidelines/{code}",
        expect(403, **BUILDERS),
        body=lambda w: {"done": True},
    ),
    Operation(
        "POST /content-items/{content_item_id}/transitions",
        expect(403, cse=200),
        body=lambda w: {"to": "in_review"},
    ),
    Operation(
        "POST /content-items/{content_item_id}/bugs",
        expect(201, outsider=403),
        body=lambda w: BUG,
    ),
    Operation("GET /content-bugs", expect(200, outsider=403)),
    Operation("GET /content-bugs/{bug_id}", expect(200, outsider=403)),
    Operation(
        "POST /content-bugs/{bug_id}/transitions",
        expect(403, cse=200, manager=200, program_manager=200, admin=200),
        body=lambda w: {"to": "triaged"},
    ),
]
