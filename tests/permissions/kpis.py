"""The KPIs: the team's dashboard is a CSE manager's (and an admin's); a CSE has a
page of their own figures (so do managers and admins, who hold calls too); the rows
behind a figure and the CSVs follow the page they come from. An account's QBR is for
everyone who sees the account. The webinars dashboard is the program manager's and
the CSE managers' (and an admin's); its rows and CSVs follow it."""

from tests.permissions.harness import Operation, Redirect, Route, expect

OWN = expect(403, cse=200, manager=200, admin=200)
EVENTS = expect(403, program_manager=200, manager=200, admin=200)

ROUTES = [
    Route(
        "kpis:index",
        get=expect(
            403,
            cse=Redirect("kpis:mine"),
            manager=Redirect("kpis:dashboard"),
            admin=Redirect("kpis:dashboard"),
        ),
    ),
    Route("kpis:dashboard", get=expect(403, manager=200, admin=200)),
    Route("kpis:mine", get=OWN),
    Route("kpis:rows", get=OWN, kwargs={"key": "csat"}),
    Route("kpis:rows-csv", get=OWN, kwargs={"key": "docs_updated"}),
    Route("kpis:table-csv", get=OWN, kwargs={"key": "volume_by_month"}),
    Route("kpis:qbr", get=expect(200, outsider=403)),
    Route("kpis:webinars", get=EVENTS),
    Route("kpis:webinar-rows", get=EVENTS, kwargs={"key": "webinar_events"}),
    Route("kpis:webinar-rows-csv", get=EVENTS, kwargs={"key": "webinar_survey"}),
    Route("kpis:webinar-table-csv", get=EVENTS, kwargs={"key": "webinar_attendance"}),
]

OPERATIONS = [Operation("GET /kpis", OWN), Operation("GET /kpis/webinars", EVENTS)]
