"""Who gets what from every URL and every API operation: the permission harness.

The tables live in tests/permissions/<app>.py, one per app (a module there is a
table as soon as it exists). Every named URL of the resolver and every operation
of the OpenAPI document needs a row, or tests/permissions/exempt.py must say why
not: a new endpoint fails here until someone writes down who may use it.

One world (tests/permissions/harness.py) is built once for this module, in a
transaction rolled back at its end; each request runs in a savepoint of its own,
so a write made by one row is gone before the next.
"""

from __future__ import annotations

import functools
import importlib
import json
import pkgutil
import re
from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver, reverse
from huey.contrib.djhuey import HUEY

import tests.permissions
from rhythm.api import api
from rhythm.core import registry
from rhythm.customers.account_page import OVERVIEW
from tests.conftest import make_cast
from tests.core.test_api_auth_and_errors import assert_error
from tests.permissions.exempt import EXEMPT
from tests.permissions.harness import (
    ACCOUNT_PARAMETERS,
    ANONYMOUS,
    STRANGERS,
    Bug,
    Operation,
    Route,
    build_world,
    describe,
    outcome,
)

TABLES = {
    module.name: importlib.import_module(f"tests.permissions.{module.name}")
    for module in pkgutil.iter_modules(tests.permissions.__path__)
    if module.name not in ("harness", "exempt")
}
ROUTES: list[Route] = [row for table in TABLES.values() for row in getattr(table, "ROUTES", [])]
OPERATIONS: list[Operation] = [
    row for table in TABLES.values() for row in getattr(table, "OPERATIONS", [])
]
API_PREFIX = "/api/v1"


# --- What there is: the resolver's URLs, the OpenAPI document's operations ------------


def _walk(patterns, namespace: str, prefix: str, found: dict[str, str]) -> None:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            _walk(pattern.url_patterns, inner, prefix + str(pattern.pattern), found)
        else:
            path = prefix + str(pattern.pattern)
            # Of two patterns of one name, the first is the one served and reversed
            # (urls.py puts its own password reset before Django's).
            found.setdefault(namespace + (pattern.name or f"<unnamed {path}>"), path)


@functools.cache
def named_urls() -> dict[str, str]:
    """Every URL of the project by name (an unnamed one by its path), with its pattern."""
    found: dict[str, str] = {}
    _walk(get_resolver().url_patterns, "", "/", found)
    return found


@functools.cache
def api_operations() -> frozenset[str]:
    paths = api.get_openapi_schema()["paths"]
    return frozenset(
        f"{method.upper()} {path.removeprefix(API_PREFIX)}"
        for path, operations in paths.items()
        for method in operations
    )


def _openapi_path(pattern: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern).removeprefix(API_PREFIX)


def _is_exempt(name: str) -> bool:
    return any(
        e.name == name or (e.name.endswith(":*") and name.startswith(e.name[:-1])) for e in EXEMPT
    )


def test_every_url_has_a_row():
    """A URL nobody has written the rights of down fails here, by name."""
    documented = {key.split(" ", 1)[1] for key in api_operations()}
    rows = {row.name for row in ROUTES}
    missing = []
    for name, pattern in named_urls().items():
        if name in rows or _is_exempt(name):
            continue
        if name.startswith("api:") and _openapi_path(pattern) in documented:
            continue  # an API operation's URL: the operation tables cover it
        missing.append(f"{name} ({pattern})")
    assert not missing, "URLs without a row in tests/permissions/: " + ", ".join(sorted(missing))


def test_every_api_operation_has_a_row():
    rows = {row.key for row in OPERATIONS}
    missing = sorted(api_operations() - rows)
    assert not missing, "API operations without a row in tests/permissions/: " + ", ".join(missing)


def test_every_account_tab_has_a_row():
    """A tab an app brings to the account page is a URL of its own: who may open it
    is written down like any other's."""
    rows = {row.kwargs.get("tab") for row in ROUTES if row.name == "customers:account-tab"}
    tabs = set(registry.account_tabs()) - {OVERVIEW}  # the overview is account-detail's
    assert tabs <= rows, "account tabs without a row: " + ", ".join(sorted(tabs - rows))


def test_every_row_is_about_something_that_exists():
    urls = named_urls()
    stale = [row.name for row in ROUTES if row.name not in urls]
    stale += [row.key for row in OPERATIONS if row.key not in api_operations()]
    keys = [row.label for row in ROUTES] + [row.key for row in OPERATIONS]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    assert not stale and not twice, f"rows for nothing: {stale}; rows given twice: {twice}"


# --- The world ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    # PBKDF2's deliberate slowness costs ~0.2 s per member of the world.
    fast_hashing = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    immediate, HUEY.immediate = HUEY.immediate, True
    try:
        with django_db_blocker.unblock(), fast_hashing:
            built = build_world(make_cast())
        HUEY.immediate = immediate
        yield built
    finally:
        HUEY.immediate = immediate
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _xfail(expected) -> list:
    if isinstance(expected, Bug):
        return [pytest.mark.xfail(strict=True, reason=expected.why)]
    return []


def _should(expected):
    return outcome(expected.should if isinstance(expected, Bug) else expected)


# --- Every URL, every method listed, every role ---------------------------------------


def _url(world, route: Route) -> str:
    pattern = named_urls()[route.name]
    names = re.findall(r"<(?:\w+:)?(\w+)>", pattern)
    parameters = world.parameters()
    parameters |= route.kwargs
    url = reverse(route.name, kwargs={name: parameters[name] for name in names})
    return f"{url}?{route.query(world)}" if route.query else url


@pytest.fixture(scope="module")
def http():
    """One client for the module: each new one has WhiteNoise index every static file
    again (~0.1 s), which would be most of the harness's time."""
    return Client()


def _signed_in(http, world, member: str) -> Client:
    http.cookies = SimpleCookie()
    if member != ANONYMOUS:
        http.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[member]
    return http


def _request(http, world, route: Route, method: str, member: str):
    client = _signed_in(http, world, member)
    headers = {"HX-Request": "true"} if route.htmx else {}
    url = _url(world, route)
    if method == "get":
        return client.get(url, headers=headers)
    return client.post(url, route.data(world) if route.data else {}, headers=headers)


ROUTE_CASES = [
    pytest.param(
        route,
        method,
        role,
        expected,
        id=f"{route.label} {method.upper()} {role}",
        marks=_xfail(expected),
    )
    for route in ROUTES
    for method, by_role in route.methods().items()
    for role, expected in by_role.items()
]


@pytest.mark.parametrize(("route", "method", "role", "expected"), ROUTE_CASES)
def test_url(http, world, db, route, method, role, expected):
    response = _request(http, world, route, method, role)
    should = _should(expected)
    assert should.matches(response), (
        f"{method.upper()} {route.name} as {role}: expected {should}, got {describe(response)}"
    )


# --- Every API operation, every role --------------------------------------------------


def _call(http, world, operation: Operation, member: str):
    """As an integration would: a bearer token, a JSON body."""
    http.cookies = SimpleCookie()
    headers = {} if member == ANONYMOUS else {"Authorization": f"Bearer {world.tokens[member]}"}
    path = API_PREFIX + operation.path.format(**world.parameters())
    if operation.method == "get":
        return http.get(path, operation.body(world) if operation.body else None, headers=headers)
    body = json.dumps(operation.body(world) if operation.body else {})
    return http.generic(
        operation.method.upper(), path, body, content_type="application/json", headers=headers
    )


OPERATION_CASES = [
    pytest.param(operation, role, expected, id=f"{operation.key} {role}", marks=_xfail(expected))
    for operation in OPERATIONS
    for role, expected in operation.expected.items()
]


@pytest.mark.parametrize(("operation", "role", "expected"), OPERATION_CASES)
def test_api(http, world, db, operation, role, expected):
    response = _call(http, world, operation, role)
    should = _should(expected)
    assert should.matches(response), (
        f"{operation.key} as {role}: expected {should}, got {describe(response)}: "
        f"{response.content[:300]!r}"
    )
    if response.status_code >= 400:
        assert_error(response, response.status_code)


# --- The account visibility rule: a stranger to the account gets 404 ------------------


def _about_the_account(path: str) -> bool:
    return bool(ACCOUNT_PARAMETERS & set(re.findall(r"[<{](?:\w+:)?(\w+)[>}]", path)))


STRANGER_CASES = [
    pytest.param(
        route,
        method,
        role,
        expected,
        id=f"{route.label} {method.upper()} another {role}",
        marks=_xfail(expected),
    )
    for route in ROUTES
    if route.stranger or _about_the_account(named_urls()[route.name])
    for method in route.methods()
    for role in STRANGERS
    for expected in [(route.stranger or {}).get(method, {}).get(role, 404)]
]
API_STRANGER_CASES = [
    pytest.param(
        operation, role, expected, id=f"{operation.key} another {role}", marks=_xfail(expected)
    )
    for operation in OPERATIONS
    if operation.stranger or _about_the_account(operation.path)
    for role in STRANGERS
    for expected in [(operation.stranger or {}).get(role, 404)]
]


@pytest.mark.parametrize(("route", "method", "role", "expected"), STRANGER_CASES)
def test_url_of_an_account_one_may_not_see(http, world, db, route, method, role, expected):
    response = _request(http, world, route, method, f"stranger_{role}")
    should = _should(expected)
    assert should.matches(response), (
        f"{method.upper()} {route.name} as another {role}: expected {should}, "
        f"got {describe(response)}"
    )


@pytest.mark.parametrize(("operation", "role", "expected"), API_STRANGER_CASES)
def test_api_of_an_account_one_may_not_see(http, world, db, operation, role, expected):
    response = _call(http, world, operation, f"stranger_{role}")
    should = _should(expected)
    assert should.matches(response), (
        f"{operation.key} as another {role}: expected {should}, got {describe(response)}"
    )
    if response.status_code >= 400:
        assert_error(response, response.status_code)


# --- Outside the tables: still answered as they should be to an anonymous visitor -----


@pytest.mark.parametrize("exempt", EXEMPT, ids=lambda e: e.name)
def test_exempt_url_for_an_anonymous_visitor(http, db, exempt):
    url = reverse(exempt.sample or exempt.name, kwargs=exempt.kwargs)
    http.cookies = SimpleCookie()
    response = getattr(http, exempt.method)(url)
    should = outcome(exempt.anonymous)
    assert should.matches(response), f"{exempt.name}: expected {should}, got {describe(response)}"


def test_the_rows_leave_the_world_as_it_was(world, db):
    """Each row's writes are rolled back with its test: the world every row sees is
    the one built (run last, after the rows that accept, close, revoke and archive)."""
    world.cta.refresh_from_db()
    world.account.refresh_from_db()
    world.ae_token.refresh_from_db()
    world.question.refresh_from_db()
    world.request.refresh_from_db()
    assert (world.cta.owner_id, world.cta.status) == (None, "open")
    assert world.account.archived_at is None and world.ae_token.revoked_at is None
    assert (world.question.status, world.request.state) == ("open", "review")
