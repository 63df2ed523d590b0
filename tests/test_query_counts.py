"""Every list answers in as many queries at 1,000 rows as at 10: the query-count pins.

DESIGN's rule: query counts per page stay constant as data grows. The table below
has an entry for every API GET operation whose answer is a list (found in the
OpenAPI document: an array, or a page of `items`) and for every page of the UI
that lists rows; every other named URL is in NOT_LISTS with the reason. A new list
fails here, by name, until it has an entry.

Each entry makes 10 rows of what it lists (tests/query_counts/rows.py, in bulk),
asks as a CSE manager (who sees every account) and as an account owner (who sees
their own), makes 990 more and asks again. Both counts must be the entry's pin:
the same at both sizes, so a query per row shows, and written down, so one more
query per page shows too. An API page is asked for as large as it comes
(`limit=500`): at 1,000 rows it is full. The viewers sign in by session: a bearer
token adds its own constant (tests/core/test_tokens.py pins it).
"""

from __future__ import annotations

import functools
import itertools
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
from tests.query_counts import content_rows, rows
from tests.query_counts.rows import Stage, build_stage
from tests.test_permissions import named_urls

API_PREFIX = "/api/v1"
SIZES = (10, 1000)
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
    sizes: tuple[int, ...] = SIZES  # the rows it is asked at; the first is the pin's

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


def _board(column: str, pin: int, kind: str = "") -> Listing:
    """A cell of the board, as its "more" button loads it; both viewers make `pin`
    queries."""
    name = f"engagements:board-column · {column}"
    query = (lambda s: f"kind={kind}") if kind else None
    return Listing(name, rows.board_column(column, kind), pin, pin, query, htmx=True)


# The board holds 300 cards (issue 11): it is pinned at 10 and at 300 of each board's.
BOARD_SIZES = (10, 300)


def _whole_board(label: str, query: str, pin: int) -> Listing:
    name = "engagements:board" + (f" · {label}" if label else "")
    return Listing(
        name, rows.board_cards, pin, pin, (lambda s: query) if query else None, sizes=BOARD_SIZES
    )


def _tab(slug: str, make: Callable[[Stage, int], Any], pin: int) -> Listing:
    """A tab of the account page opened whole; both viewers make `pin` queries."""
    return Listing(f"customers:account-tab · {slug}", make, pin, pin)


def _ctas(stage: Stage, n: int) -> None:
    rows.case_ctas(stage, n, CtaStatus.OPEN)


LISTINGS = [
    # --- Webinars (their rows belong to no account: both viewers see the same) --------
    Listing("GET /lab-templates", rows.lab_templates, 5, 5),
    Listing("GET /webinars", rows.webinars, 7, 7),  # with the content and helpers of each
    Listing("GET /webinars/{webinar_id}/registrations", rows.webinar_registrations, 6, REFUSED),
    Listing("GET /webinars/{webinar_id}/redemptions", rows.redemptions, REFUSED, REFUSED),
    Listing("GET /environment-requests", rows.environment_requests, 5, 5),
    Listing("webinars:list", rows.webinars, 6, 6),
    Listing("webinars:lab-templates", rows.lab_templates, 4, 4),  # their events counted in one
    Listing("webinars:calendar", rows.webinars, 4, 4),  # the rate counter aside
    Listing("webinars:sign-up", rows.webinars, 4, REFUSED),
    Listing("webinars:board", rows.environment_requests, REFUSED, REFUSED),
    Listing("webinars:detail", rows.webinar_registrations, 10, 9),  # its content: one
    # --- The API ---------------------------------------------------------------------
    Listing("GET /accounts", rows.accounts, 5, 5),
    Listing("GET /accounts/{account_id}/timeline", rows.timeline_entries, 6, 6),
    Listing("GET /campaigns", rows.campaigns, 6, REFUSED),
    Listing("GET /campaigns/{campaign_id}/runs", rows.campaign_runs, 7, REFUSED),
    Listing("GET /capacity", rows.cses_at_work, 7, 7),
    Listing("GET /cases", rows.cases, 5, 5),
    Listing("GET /contacts", rows.contacts, 5, 5),
    Listing("GET /ctas", _ctas, 7, 7),  # the playbooks by a query of their own: ctas/api.py
    Listing("GET /escalations", rows.escalations, 6, 6),
    Listing("GET /follow-ups", rows.follow_ups, 5, 5),
    Listing("GET /further-questions", rows.further_questions, 5, 5),
    # The follow-ups' and the questions' clocks: a query each, and the company's holidays.
    Listing("GET /clocks", rows.further_questions, 6, 6),
    Listing("GET /meetings", rows.meetings, 7, 7),
    Listing("GET /metrics", rows.metric_values, 5, 5),
    Listing("GET /meetings/{meeting_id}/checklist", rows.checklist_items, 5, 5),
    Listing("meetings:mine", rows.my_meetings, 5, 5),
    Listing("GET /offerings", rows.offerings, 4, 4),
    Listing("GET /office-hours", rows.sessions, 4, 4),
    Listing("GET /office-hours-questions", rows.questions, 5, 5),
    Listing("GET /opportunities", rows.opportunities, 5, 5),
    Listing("GET /playbooks", rows.playbooks, 5, 5),
    Listing("GET /requests", rows.mixed_requests, 8, 8),
    Listing("GET /requests/{request_id}/suggestions", rows.members, 14, REFUSED),
    Listing("GET /segments", rows.segments, 5, 5),
    Listing("GET /success-plans", rows.success_plans, 6, 6),
    Listing("GET /surveys", rows.surveys, 5, 5),
    Listing("GET /survey-responses", rows.survey_responses, 5, 5),
    Listing("GET /team-members", rows.members, 7, 7),
    Listing("GET /tokens", rows.tokens, 3, 3),
    Listing("GET /content-items", content_rows.content_items, 6, 6),
    Listing("GET /content-bugs", content_rows.item_bugs, 5, 5),
    Listing("GET /community-events", content_rows.community_events, 6, 6),
    # --- The UI ----------------------------------------------------------------------
    Listing("home", rows.accounts, 16, 10),
    Listing("home · the late work, and the team's capacity for a manager", rows.late_work, 18, 11),
    Listing("customers:account-list", rows.accounts, 6, 6),
    Listing("customers:account-list · the table, by HTMX", rows.accounts, 5, 5, htmx=True),
    # The account page: its overview, and each tab, whole and as HTMX asks for it.
    # The overview counts each tab's figures: one query each of them for the
    # community tab's (its events, in all and this year) and escalations' aggregate.
    Listing("customers:account-detail", rows.account_page, 14, 14),
    Listing(
        "customers:account-detail · the overview, by HTMX", rows.account_page, 13, 13, htmx=True
    ),
    _tab("contacts", _local(rows.contacts), 6),
    _tab("opportunities", _local(rows.opportunities), 6),
    _tab("success-plans", _local(rows.success_plans), 7),
    _tab("cases", _local(rows.cases), 7),
    _tab("requests", _local(rows.requests), 7),
    _tab("meetings", rows.account_meetings, 8),
    _tab("timeline", rows.timeline_entries, 6),
    _tab("history", rows.account_page, 10),
    _tab("community", content_rows.account_community_events, 8),
    _tab("escalations", _local(rows.escalations), 6),
    Listing("escalations:list", rows.escalations, 5, 5),
    Listing(
        "customers:account-tab · timeline · older entries, by HTMX",
        rows.timeline_entries,
        6,
        6,
        lambda s: f"before={rows.newest_entry(s)}",
        htmx=True,
    ),
    Listing("cases:list", rows.cases, 4, 4),
    Listing("cases:list · an account's", _local(rows.cases), 5, 5, _account, htmx=True),
    Listing("cases:list · an opportunity's", _local(rows.cases), 5, 5, _opportunity, htmx=True),
    Listing("ctas:list", _ctas, 5, 5),
    Listing("ctas:list · the late ones", rows.late_work, 5, 5, lambda s: "show=late"),
    # One query of them the meeting panel's (the CTA's calls, with their checklists counted).
    Listing("ctas:detail · the CSEs to assign it to", rows.members, 11, 8),
    Listing("ctas:detail · the account's earlier engagements", rows.earlier_engagements, 11, 8),
    Listing("ctas:playbooks", rows.playbooks, 4, 4),
    Listing("ctas:playbook", rows.playbook_steps, 5, 5),
    Listing("engagements:list", rows.mixed_requests, 5, 5),
    Listing("engagements:list · the late ones", rows.late_work, 5, 5, lambda s: "late=1"),
    Listing("engagements:list · an account's", _local(rows.requests), 6, 6, _account, htmx=True),
    # One query more than before surveys: the panel of the surveys about the request.
    Listing("engagements:detail · the CSEs suggested", rows.members, 15, 9),
    Listing("engagements:detail · its surveys", rows.request_surveys, 15, 9),
    _whole_board("", "", 8),
    # Lanes: one more query than the cells need, finding who else holds a card
    # (an EXISTS per person outside the team, not a count of every card).
    _whole_board("lanes per CSE", "lanes=cse", 13),
    _whole_board("CTAs, lanes per region", "kind=ctas&lanes=region", 9),
    _board("review", 4),
    _board("started", 4),
    _board("closed", 4),
    _board("open", 4, kind="ctas"),
    _board("in_progress", 4, kind="ctas"),
    Listing("engagements:capacity", rows.cses_at_work, 7, 7),
    Listing("officehours:list", rows.office_hours, 6, 6),
    Listing("followups:questions", rows.further_questions, 7, 7),
    Listing("catalog:list", rows.offerings, 4, 4),
    Listing("campaigns:list", rows.campaigns, 4, REFUSED),
    # The audience's counts are one query however many accounts match; the sample and
    # the excluded are capped (20 and 50).
    Listing("campaigns:detail · its audience", rows.campaign_audience, 19, REFUSED),
    Listing("people:team", rows.members, 6, 6),
    Listing("people:tokens", rows.tokens, 4, 4),
    Listing("content:library", content_rows.content_items, 5, 5),
    Listing("content:item", content_rows.item_bugs, 7, 7),
    # The manager's own queue (the account owner owns no content: theirs stays empty).
    Listing("content:queue", content_rows.managers_bugs, 5, 4),
    Listing(
        "content:queue · another owner's",
        content_rows.item_bugs,
        6,
        REFUSED,
        lambda s: f"owner={s.cast.cse.pk}",
    ),
    Listing("timeline:account", rows.timeline_entries, 5, 5, htmx=True),
    # The KPIs: each dashboard a query or so per KPI, whatever it counts.
    Listing("kpis:dashboard", rows.kpi_work, 26, REFUSED),
    Listing("kpis:mine", rows.kpi_work, 24, REFUSED),
    *(
        Listing(f"kpis:rows · {key}", rows.kpi_work, pin, REFUSED)
        for key, pin in (
            ("green_plans", 5),
            ("deliverables", 5),
            ("csat", 5),
            ("docs_updated", 5),
            ("volume_by_offering", 5),
            ("cta_latency", 5),
            # Fewer than a page of their rows: the page needs no count.
            ("followup_sla", 4),
            ("time_in_state", 5),
            ("rejection_reasons", 5),
            ("capacity", 4),
        )
    ),
    Listing("kpis:qbr", rows.kpi_account_work, 12, 12),
    # The webinars dashboard: a query per KPI, whatever the events and registrations.
    Listing("kpis:webinars", rows.webinar_kpi_work, 9, REFUSED),
    *(
        Listing(f"kpis:webinar-rows · {key}", rows.webinar_kpi_work, 5, REFUSED)
        for key in ("webinar_attendance", "webinar_events", "webinar_survey")
    ),
    _tab("qbr", rows.kpi_account_work, 13),
    Listing(
        "timeline:account · older entries",
        rows.timeline_entries,
        6,
        6,
        lambda s: f"before={rows.newest_entry(s)}",
        htmx=True,
    ),
]

# Every other named URL of the UI, and why it has no entry.
FORM = "a form for one object"
POST = "a POST that changes one object and redirects"
NOT_LISTS = {
    "webinars:new": FORM,
    "webinars:edit": FORM,
    "webinars:lab-template-new": FORM,
    "webinars:lab-template-edit": FORM,
    "webinars:move": POST,
    "webinars:sign-up-for": POST,
    "webinars:file-request": POST,
    "webinars:tick": POST,
    "webinars:attendance": POST,
    "webinars:post-event": POST,
    "webinars:request-move": POST,
    "webinars:register": "one event's registration form",
    "webinars:redeem": "one lab's redemption form",
    "webinars:calendar-ics": "the iCal feed: a document of four months' events",
    "campaigns:new": FORM,
    "campaigns:edit": FORM,
    "campaigns:email-preview": "the email as one account's contact reads it",
    "campaigns:move": POST,
    "campaigns:run": "a POST that runs one campaign and reports what it sent",
    "health:imports": "an upload form beside the latest 20 imports (a fixed count)",
    "health:import-detail": "one import, its first 100 bad rows at most",
    "cases:detail": "one case",
    "cases:create": FORM,
    "ctas:accept": POST,
    "ctas:assign-emails": "the emails of one assignment, swapped in as the CSE is chosen",
    "ctas:outreach": POST,
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
    "escalations:detail": "one escalation; its log holds at most one row per move",
    "escalations:create": FORM,
    "escalations:transition": POST,
    "followups:detail": "one follow-up",
    "followups:send": "a POST that previews or sends one follow-up",
    "followups:answer": POST,
    "followups:ask": FORM,
    "followups:pause": POST,
    "followups:resume": POST,
    "meetings:detail": "one meeting; its checklist is GET /meetings/{meeting_id}/checklist",
    "meetings:book": FORM,
    "meetings:invitation": "one meeting, as iCalendar",
    "meetings:checklist-item": POST,
    "meetings:feed-reset": POST,
    "meetings:held": POST,
    "meetings:schedule": POST,
    "officehours:session-create": POST,
    "officehours:question": "one question",
    "people:member": "one member; their history is capped at 20 changes, their latest "
    "survey answers at 10 (their figures are one count by kind and score)",
    "people:create-token": POST,
    "people:revoke-token": POST,
    "timeline:add-note": "a POST; it answers with timeline:account's first page",
    "customers:plan-create": FORM,
    "customers:plan-edit": FORM,
    "customers:objective-create": FORM,
    "customers:objective-edit": FORM,
    "content:item-new": FORM,
    "content:item-edit": FORM,
    "content:item-move": POST,
    "content:guideline": POST,
    "content:bug-new": FORM,
    "content:bug": "one bug and its few moves",
    "content:bug-move": POST,
    "community:new": FORM,
    "community:edit": FORM,
    "community:archive": POST,
    "kpis:index": "a redirect to the viewer's dashboard",
    "kpis:rows-csv": "the rows of kpis:rows, streamed as CSV in one query",
    "kpis:table-csv": "one KPI's table of the dashboard, as CSV",
    "kpis:webinar-rows-csv": "the rows of kpis:webinar-rows, streamed as CSV in one query",
    "kpis:webinar-table-csv": "one KPI's table of the webinars dashboard, as CSV",
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


def named_or(entry: Listing) -> str:
    """The entry's path, with its parameters: an API path or the URL's pattern."""
    return entry.target if entry.is_api else named_urls()[entry.target]


def _url(entry: Listing, stage: Stage) -> str:
    parameters = {
        "account_id": stage.account.pk,
        "request_id": stage.request.pk,
        "playbook_id": stage.playbook.pk,
        "cta_id": stage.cta.pk,
        "content_item_id": content_rows.stage_item(stage).pk if "content" in entry.target else 0,
        "meeting_id": rows.stage_meeting(stage).pk if "{meeting_id}" in entry.target else 0,
        "webinar_id": rows.stage_webinar(stage).pk if "webinar_id" in named_or(entry) else 0,
        "campaign_id": rows.stage_campaign(stage).pk if "campaign" in entry.target else 0,
        "column": entry.name.rsplit(" · ", 1)[-1],
        "tab": entry.name.split(" · ")[1] if " · " in entry.name else "",
        "key": entry.name.rsplit(" · ", 1)[-1],
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


@pytest.fixture
def rate_counter_in_memory(settings):
    """The public pages' rate limit counts in its own cache, on the database unless Redis
    is set. Its statements change with the minute, not with the rows: the first request
    of a window inserts the counter (7 statements), the others add-then-increment it
    (12), so a window turning between two sizes read as growth on a slow run. The rows'
    queries are what is pinned; the counter gets a memory cache of its own per test."""
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"query-counts-{next(_counter_caches)}",
        },
    }


_counter_caches = itertools.count()


@pytest.mark.parametrize("entry", LISTINGS, ids=lambda e: e.name)
@pytest.mark.usefixtures("rate_counter_in_memory")
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
    for size in entry.sizes:
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
                # Nine in ten of the rows are the account owner's; a page holds 500.
                wanted = min(size * 0.9, settings.API_MAX_PAGE_SIZE)
                assert listed >= wanted, f"{entry.name} as {viewer}: {listed} of {size} rows"

    wrong = []
    for viewer, by_size in asked.items():
        pin = entry.pins()[viewer]
        counts = {size: len(queries) for size, queries in by_size.items()}
        sizes = entry.sizes
        if pin is REFUSED:
            continue
        if len(set(counts.values())) > 1:
            wrong.append(
                f"{viewer}: {counts} queries at {sizes} rows; "
                f"{_growth(by_size[sizes[0]], by_size[sizes[-1]])}"
            )
        elif counts[sizes[0]] != pin:
            wrong.append(f"{viewer}: {counts[sizes[0]]} queries, pinned at {pin}")
    assert not wrong, f"{entry.name}: " + " | ".join(wrong)
