"""Webinars and labs: every role reads the calendar and the events; the program
manager plans, records attendance and sends the post-event email; CSEs sign up (the
world's lab is hosted by the cast's CSE); demo architects work the board. The codes
are read by demo architects, the DRI and program managers only. The public pages
answer everyone, signed in or not."""

from datetime import timedelta

from django.utils import timezone

from tests.permissions.harness import Operation, Redirect, Route, expect

EVENT = Redirect("webinars:detail")
BOARD = Redirect("webinars:board")
PUBLIC = expect(200, anonymous=200)

ROUTES = [
    Route("webinars:list", get=expect(200, outsider=403)),
    Route("webinars:new", get=expect(403, program_manager=200)),
    Route("webinars:sign-up", get=expect(403, cse=200, manager=200)),
    Route("webinars:board", get=expect(403, demo_architect=200)),
    Route(
        "webinars:request-move",
        get=expect(403, demo_architect=BOARD),
        post=expect(403, demo_architect=BOARD),
        data=lambda w: {"to": "verified", "from": "ready"},
    ),
    Route("webinars:detail", get=expect(200, outsider=403)),
    # The program manager's edit form: an empty post names the fields it needs.
    Route(
        "webinars:edit",
        get=expect(403, program_manager=200),
        post=expect(403, program_manager=422),
        data=lambda w: {},
    ),
    Route("webinars:lab-templates", get=expect(200, outsider=403)),
    Route(
        "webinars:lab-template-new",
        get=expect(403, program_manager=200),
        post=expect(403, program_manager=422),
        data=lambda w: {"name": ""},
    ),
    Route(
        "webinars:lab-template-edit",
        get=expect(403, program_manager=200),
        post=expect(403, program_manager=422),
        data=lambda w: {"name": "", "access_days": "2"},
    ),
    # The event page's forms go back to it; a refusal is a message there.
    Route(
        "webinars:move",
        get=expect(EVENT, outsider=403),
        post=expect(EVENT, outsider=403),
        data=lambda w: {"to": "delivered"},
    ),
    Route(
        "webinars:sign-up-for",
        get=expect(403, cse=EVENT, manager=EVENT),
        post=expect(403, cse=EVENT, manager=EVENT),
        data=lambda w: {"role": "helper"},
    ),
    Route(
        "webinars:file-request",
        get=expect(403, cse=EVENT, manager=EVENT),
        post=expect(403, cse=EVENT, manager=EVENT),
    ),
    Route(
        "webinars:tick",
        get=expect(EVENT, outsider=403),
        post=expect(EVENT, outsider=403),
        data=lambda w: {"done": "1"},
    ),
    Route(
        "webinars:attendance",
        get=expect(403, program_manager=EVENT),
        post=expect(403, program_manager=EVENT),
        data=lambda w: {"attended": [str(w.registration.pk)]},
    ),
    Route(
        "webinars:post-event",
        get=expect(403, program_manager=EVENT),
        post=expect(403, program_manager=EVENT),
        data=lambda w: {
            "recording_url": "https://video.example/r",
            "deck_url": "https://d.example",
        },
    ),
    Route("webinars:calendar", get=PUBLIC),
    Route("webinars:calendar-ics", get=PUBLIC),
    Route("webinars:register", get=PUBLIC),
    Route("webinars:redeem", get=PUBLIC),
]

CODES = expect(403, program_manager=200, demo_architect=200, cse=200)

OPERATIONS = [
    Operation("GET /lab-templates", expect(200, outsider=403)),
    Operation("GET /lab-templates/{template_id}", expect(200, outsider=403)),
    Operation(
        "POST /lab-templates",
        expect(403, program_manager=201),
        body=lambda w: {"name": "Kubernetes Lab", "access_days": 4},
    ),
    Operation(
        "PATCH /lab-templates/{template_id}",
        expect(403, program_manager=200),
        body=lambda w: {"exercises": "Deploy to the cluster"},
    ),
    Operation(
        "PATCH /webinars/{webinar_id}",
        expect(403, program_manager=200),
        body=lambda w: {"capacity": 60},
    ),
    Operation("GET /webinars", expect(200, outsider=403)),
    Operation("GET /webinars/{webinar_id}", expect(200, outsider=403)),
    Operation(
        "POST /webinars",
        expect(403, program_manager=201),
        body=lambda w: {
            "title": "CI/CD webinar",
            "kind": "webinar",
            "region": "AMER",
            "starts_at": (timezone.now() + timedelta(days=20)).isoformat(),
            "time_zone": "America/New_York",
        },
    ),
    Operation(
        "POST /webinars/{webinar_id}/move",
        # The DRI (the cast's CSE) or a program manager delivers it, once it has
        # started: the world's lab is weeks away, so theirs is refused by the rule.
        expect(403, cse=422, program_manager=422),
        body=lambda w: {"to": "delivered"},
    ),
    Operation(
        "POST /webinars/{webinar_id}/sign-ups",
        # The cast's CSE hosts it already: helping too is refused with the reason.
        expect(403, cse=422, manager=200),
        body=lambda w: {"role": "helper"},
    ),
    Operation(
        "GET /webinars/{webinar_id}/registrations",
        expect(403, cse=200, manager=200, program_manager=200),
    ),
    Operation("POST /registrations/{registration_id}/cancel", expect(403, program_manager=200)),
    Operation(
        "POST /webinars/{webinar_id}/attendance",
        expect(403, program_manager=200),
        body=lambda w: {"emails": ["visitor@initech.example"]},
    ),
    Operation(
        "POST /webinars/{webinar_id}/post-event",
        # The world's lab is not delivered yet.
        expect(403, program_manager=422),
        body=lambda w: {
            "recording_url": "https://video.example/r",
            "deck_url": "https://d.example",
        },
    ),
    Operation("GET /environment-requests", expect(200, outsider=403)),
    Operation(
        "POST /webinars/{webinar_id}/environment-request",
        # Filed already by its DRI: the retry returns it; anyone else is not its DRI.
        expect(403, cse=201),
        body=lambda w: {},
    ),
    Operation(
        "POST /environment-requests/{environment_request_id}/move",
        expect(403, demo_architect=200),
        body=lambda w: {"to": "verified"},
    ),
    Operation("GET /environment-requests/{environment_request_id}/codes", CODES),
    Operation(
        "GET /webinars/{webinar_id}/redemptions",
        expect(403, program_manager=200, demo_architect=200),
    ),
    Operation("GET /webinars-calendar.ics", expect(200, anonymous=200)),
]
