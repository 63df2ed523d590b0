"""The KPIs: the team's dashboard is a CSE manager's (and an admin's); a CSE has a
page of their own figures (so do managers and admins, who hold calls too); the rows
behind a figure and the CSVs follow the page they come from. An account's QBR is for
everyone who sees the account."""

from tests.permissions.harness import Operation, Redirect, Route, expect

OWN = expect(403, cse=200, manager=200, admin=200)

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
]

OPERATIONS = [Operation("GET /kpis", OWN)]
