"""Every list answers in as many queries at 200 rows as at 10: the query-count pins.

DESIGN's rule: query counts per page stay constant as data grows. The table below
has an entry for every API GET operation whose answer is a list (found in the
OpenAPI document: an array, or a page of `items`) and for every page of the UI
that lists rows; every other named URL is in NOT_LISTS with the reason. A new list
fails here, by name, until it has an entry.

Each entry makes 10 rows of what it lists (tests/query_counts/rows.py, in bulk),
asks as a CSE manager (who sees every account) and as an account owner (who sees
their own), makes 190 more and asks again. Both counts must be the entry's pin:
the same at both sizes, so a query per row shows, and written down, so one more
query per page shows too. An API page is asked for whole (`limit=500`), so the 200
rows are all in it. The viewers sign in by session: a bearer token adds its own
constant (tests/core/test_tokens.py pins it).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rhythm.api import api
from rhythm.ctas.choices import CtaStatus
from tests.permissions.exempt import EXEMPT
from tests.query_counts import rows
from tests.query_counts.rows import Stage, build_stage
from tests.test_permissions import named_urls

API_PREFIX = "/api/v1"
SIZES = (10, 200)
REFUSED = None  # the viewer may not use the list: a 403, counted by nobody


@dataclass(frozen=True)
class Listing:
    """A list and its pins: the queries each viewer's request makes at 10 rows.

    `name` is an API operation ("GET /cases") or a URL name ("cases:list"); a
    second entry for one URL adds what it is about after " · ".
    """

    name: str
    make: Callable[[Stage, int], Any]  # adds n rows of what is listed
    manager: int | None
    account_owner: int | None
    query: Callable[[Stage], str] | None = None
    htmx: bool = False  # asked as HTMX asks: the partial

    @property
    def target(self) -> str:
        return self.name.split(" · ", 1)[0]

    @property
    def is_api(self) -> bool:
        return self.target.startswith("GET /")

    def pins(self) -> dict[str, int | None]:
        return {"manager": self.manager, "account_owner": self.account_owner}


def _account(stage: Stage) -> str:
    return f"account={stage.account.pk}"


def _opportunity(stage: Stage) -> str:
    return f"opportunity={stage.furnished[stage.account.pk][1].pk}"


def _local(maker: Callable[..., Any]) -> Callable[[Stage, int], Any]:
    """The maker, with every row on the stage's account (an account's own list)."""

    @functools.wraps(maker)
    def make(stage: Stage, n: int) -> Any:
        return maker(stage, n, spread=False)

    return make


def _board(column: str, pin: int) -> Listing:
    """A column of the board, as the board loads it; both viewers make `pin` queries
    (two more where the column holds CTAs too: their count and their page)."""
    name = f"engagements:board-column · {column}"
    return Listing(name, rows.board_column(column), pin, pin, htmx=True)


def _tab(slug: str, make: Callable[[Stage, int], Any], pin: int) -> Listing:
    """A tab of the account page opened whole; both viewers make `pin` queries."""
    return Listing(f"customers:account-tab · {slug}", make, pin, pin)


def _ctas(stage: Stage, n: int) -> None:
    rows.case_ctas(stage, n, CtaStatus.OPEN)


LISTINGS = [
    # --- The API ---------------------------------------------------------------------
    Listing("GET /accounts", rows.accounts, 6, 6),
    Listing("GET /accounts/{account_id}/timeline", rows.timeline_entries, 7, 7),
    Listing("GET /capacity", rows.cses_at_work, 8, 8),
    Listing("GET /cases", rows.cases, 6, 6),
    Listing("GET /contacts", rows.contacts, 6, 6),
    Listing("GET /ctas", _ctas, 7, 7),
    Listing("GET /meetings", rows.meetings, 7, 7),
    Listing("GET /offerings", rows.offerings, 5, 5),
    Listing("GET /office-hours", rows.sessions, 5, 5),
    Listing("GET /office-hours-questions", rows.questions, 6, 6),
    Listing("GET /opportunities", rows.opportunities, 6, 6),
    Listing("GET /playbooks", rows.playbooks, 6, 6),
    Listing("GET /requests", rows.mixed_requests, 9, 9),
    Listing("GET /requests/{request_id}/suggestions", rows.members, 15, REFUSED),
    Listing("GET /segments", rows.segments, 6, 6),
    Listing("GET /success-plans", rows.success_plans, 7, 7),
    Listing("GET /team-members", rows.members, 8, 8),
    Listing("GET /tokens", rows.tokens, 3, 3),
    # --- The UI ----------------------------------------------------------------------
    Listing("home", rows.accounts, 12, 11),
    Listing("customers:account-list", rows.accounts, 7, 7),
    Listing("customers:account-list · the table, by HTMX", rows.accounts, 6, 6, htmx=True),
    # The account page: its overview, and each tab, whole and as HTMX asks for it.
    Listing("customers:account-detail", rows.account_page, 13, 13),
    Listing(
        "customers:account-detail · the overview, by HTMX", rows.account_page, 12, 12, htmx=True
    ),
    _tab("contacts", _local(rows.contacts), 7),
    _tab("opportunities", _local(rows.opportunities), 7),
    _tab("success-plans", _local(rows.success_plans), 8),
    _tab("cases", _local(rows.cases), 8),
    _tab("requests", _local(rows.requests), 8),
    _tab("meetings", rows.account_meetings, 9),
    _tab("timeline", rows.timeline_entries, 7),
    _tab("history", rows.account_page, 11),
    Listing(
        "customers:account-tab · timeline · older entries, by HTMX",
        rows.timeline_entries,
        7,
        7,
        lambda s: f"before={rows.newest_entry(s)}",
        htmx=True,
    ),
    Listing("cases:list", rows.cases, 5, 5),
    Listing("cases:list · an account's", _local(rows.cases), 6, 6, _account, htmx=True),
    Listing("cases:list · an opportunity's", _local(rows.cases), 6, 6, _opportunity, htmx=True),
    Listing("ctas:list", _ctas, 6, 6),
    Listing("ctas:detail · the CSEs to assign it to", rows.members, 9, 6),
    Listing("ctas:playbooks", rows.playbooks, 5, 5),
    Listing("ctas:playbook", rows.playbook_steps, 6, 6),
    Listing("engagements:list", rows.mixed_requests, 6, 6),
    Listing("engagements:list · an account's", _local(rows.requests), 7, 7, _account, htmx=True),
    Listing("engagements:detail · the CSEs suggested", rows.members, 15, 9),
    Listing("engagements:board", rows.cses_at_work, 7, 7),
    _board("new", 8),
    _board("clarification", 6),
    _board("in_progress", 8),
    _board("complete", 6),
    _board("closed", 8),
    Listing("engagements:capacity", rows.cses_at_work, 8, 8),
    Listing("officehours:list", rows.office_hours, 7, 7),
    Listing("catalog:list", rows.offerings, 5, 5),
    Listing("people:team", rows.members, 7, 7),
    Listing("people:tokens", rows.tokens, 5, 5),
    Listing("timeline:account", rows.timeline_entries, 6, 6, htmx=True),
    Listing(
        "timeline:account · older entries",
        rows.timeline_entries,
        7,
        7,
        lambda s: f"before={rows.newest_entry(s)}",
        htmx=True,
    ),
]

# Every other named URL of the UI, and why it has no entry.
FORM = "a form for one object"
POST = "a POST that changes one object and redirects"
NOT_LISTS = {
    "cases:detail": "one case",
    "cases:create": FORM,
    "ctas:accept": POST,
    "ctas:close": POST,
    "ctas:task-toggle": "a POST that answers with the task's row",
    "ctas:step-create": POST,
    "ctas:step-update": POST,
    "ctas:step-archive": POST,
    "customers:account-edit": FORM,
    "customers:contact-create": FORM,
    "customers:opportunity-detail": "one opportunity; its cases are cases:list · an opportunity's",
    "engagements:create": FORM,
    "engagements:transition": POST,
    "engagements:board-move": "a POST (drag and drop) that answers in JSON",
    "meetings:detail": "one meeting",
    "meetings:held": POST,
    "meetings:schedule": POST,
    "officehours:session-create": POST,
    "officehours:question": "one question",
    "people:member": "one member; their history is capped at 20 changes",
    "people:create-token": POST,
    "people:revoke-token": POST,
    "timeline:add-note": "a POST; it answers with timeline:account's first page",
    "customers:plan-create": FORM,
    "customers:plan-edit": FORM,
    "customers:objective-create": FORM,
    "customers:objective-edit": FORM,
}


# --- What there is: the OpenAPI document's lists, the resolver's pages -----------------


def _is_list(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    items = schema.get("properties", {}).get("items", {})
    return schema.get("type") == "array" or items.get("type") == "array"


@functools.cache
def api_lists() -> dict[str, bool]:
    """Every GET operation that answers with a list, and whether it is paged."""
    document = api.get_openapi_schema()
    components = document["components"]["schemas"]
    found = {}
    for path, operations in document["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        # Status codes are ints until the document is written out as JSON.
        ok = get["responses"].get(200) or get["responses"].get("200", {})
        content = ok.get("content", {})
        schema = content.get("application/json", {}).get("schema", {})
        if _is_list(schema, components):
            parameters = {p["name"] for p in get.get("parameters", [])}
            found[f"GET {path.removeprefix(API_PREFIX)}"] = "limit" in parameters
    return found


def _exempt(name: str) -> bool:
    return any(
        e.name == name or (e.name.endswith(":*") and name.startswith(e.name[:-1])) for e in EXEMPT
    )


def ui_urls() -> list[str]:
    return [name for name in named_urls() if not name.startswith("api:") and not _exempt(name)]


def test_every_api_list_has_an_entry():
    listed = {entry.target for entry in LISTINGS}
    missing = sorted(set(api_lists()) - listed)
    assert not missing, "API lists without an entry in LISTINGS: " + ", ".join(missing)


def test_every_page_is_listed_or_said_not_to_be_a_list():
    listed = {entry.target for entry in LISTINGS}
    missing = sorted(set(ui_urls()) - listed - set(NOT_LISTS))
    assert not missing, "URLs neither in LISTINGS nor in NOT_LISTS: " + ", ".join(missing)


def test_every_entry_is_about_something_that_exists():
    known = set(api_lists()) | set(ui_urls())
    stale = [e.name for e in LISTINGS if e.target not in known]
    stale += [name for name in NOT_LISTS if name not in known]
    both = sorted({e.target for e in LISTINGS} & set(NOT_LISTS))
    names = [e.name for e in LISTINGS]
    twice = sorted({name for name in names if names.count(name) > 1})
    assert not (stale or both or twice), (
        f"entries for nothing: {stale}; listed and not: {both}; given twice: {twice}"
    )


# --- Asking -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def http():
    """One client for the module (each new one has WhiteNoise index the static files)."""
    return Client()


def _url(entry: Listing, stage: Stage) -> str:
    parameters = {
        "account_id": stage.account.pk,
        "request_id": stage.request.pk,
        "playbook_id": stage.playbook.pk,
        "cta_id": stage.cta.pk,
        "column": entry.name.rsplit(" · ", 1)[-1],
        "tab": entry.name.split(" · ")[1] if " · " in entry.name else "",
    }
    if entry.is_api:
        path = entry.target.split(" ", 1)[1]
        url = API_PREFIX + path.format(**parameters)
        query = "limit=500" if api_lists()[entry.target] else ""
    else:
        names = re.findall(r"<(?:\w+:)?(\w+)>", named_urls()[entry.target])
        url = reverse(entry.target, kwargs={name: parameters[name] for name in names})
        query = ""
    if entry.query:
        query = "&".join(q for q in (query, entry.query(stage)) if q)
    return f"{url}?{query}" if query else url


def _ask(http: Client, session: str, entry: Listing, url: str):
    http.cookies = SimpleCookie({settings.SESSION_COOKIE_NAME: session})
    headers = {"HX-Request": "true"} if entry.htmx else {}
    with CaptureQueriesContext(connection) as captured:
        response = http.get(url, headers=headers)
    return response, [q["sql"] for q in captured.captured_queries]


def _shape(sql: str) -> str:
    """A statement with its literals blanked, so that one query per row counts as one."""
    blank = re.sub(r"\b\d+\b|'[^']*'", "?", sql)
    return re.sub(r"\?(, \?)+", "?", blank)  # IN (?, ?, ?) of any length


def _growth(few: list[str], many: list[str]) -> str:
    grown = Counter(map(_shape, many)) - Counter(map(_shape, few))
    return "; ".join(f"+{n} × {sql[:160]}" for sql, n in grown.most_common(3))


@pytest.mark.parametrize("entry", LISTINGS, ids=lambda e: e.name)
def test_queries_do_not_grow_with_rows(http, cast, entry):
    stage = build_stage(cast)
    sessions = {}
    for viewer, user in stage.viewers.items():
        http.cookies = SimpleCookie()  # else signing in flushes the other viewer's session
        http.force_login(user)
        sessions[viewer] = http.cookies[settings.SESSION_COOKIE_NAME].value
    url = _url(entry, stage)
    for session in sessions.values():
        _ask(http, session, entry, url)  # the first request fills the process's caches

    asked: dict[str, dict[int, list[str]]] = {viewer: {} for viewer in sessions}
    made = 0
    for size in SIZES:
        entry.make(stage, size - made)
        made = size
        for viewer, session in sessions.items():
            response, queries = _ask(http, session, entry, url)
            pin = entry.pins()[viewer]
            expected = 403 if pin is REFUSED else 200
            assert response.status_code == expected, (
                f"{entry.name} as {viewer} at {size} rows: {response.status_code}, "
                f"expected {expected}"
            )
            asked[viewer][size] = queries
            if entry.is_api and expected == 200:
                body = response.json()
                listed = len(body if isinstance(body, list) else body["items"])
                # Nine in ten of the rows are the account owner's.
                assert listed >= size * 0.9, f"{entry.name} as {viewer}: {listed} of {size} rows"

    wrong = []
    for viewer, by_size in asked.items():
        pin = entry.pins()[viewer]
        counts = {size: len(queries) for size, queries in by_size.items()}
        if pin is REFUSED:
            continue
        if len(set(counts.values())) > 1:
            wrong.append(
                f"{viewer}: {counts} queries at {SIZES} rows; "
                f"{_growth(by_size[SIZES[0]], by_size[SIZES[-1]])}"
            )
        elif counts[SIZES[0]] != pin:
            wrong.append(f"{viewer}: {counts[SIZES[0]]} queries, pinned at {pin}")
    assert not wrong, f"{entry.name}: " + " | ".join(wrong)
