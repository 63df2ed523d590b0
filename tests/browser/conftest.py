"""Playwright driving Debian's Chromium against pytest-django's live server.

Playwright's own browser download is not used: the tests drive the system's
Chromium (`apt install chromium`). Without it they skip, saying why — unless
RHYTHM_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("RHYTHM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _no_browser(reason: str) -> None:
    if os.environ.get("RHYTHM_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (RHYTHM_REQUIRE_BROWSER=1 makes this a failure)", pytrace=False)
    pytest.skip(f"{reason}; install it with `apt install chromium` to run the browser tests")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        _no_browser(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        _no_browser("the playwright package is not installed")

    # Playwright's sync API keeps an event loop running in this thread, and
    # Django refuses database work from a thread with a running loop. The tests
    # are plain synchronous code, so the guard is lifted while the browser runs.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            try:
                chromium = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
                )
            except Error as exc:
                _no_browser(f"Chromium at {CHROMIUM} did not start: {exc.message.splitlines()[0]}")
            yield chromium
            chromium.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def page(browser, live_server, transactional_db, settings):
    # People are created per test; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Reduced motion: Bootstrap then scrolls without smoothing and transitions end at
    # once, so a page at rest is the page the test reads, whatever the machine's speed.
    context = browser.new_context(base_url=live_server.url, reduced_motion="reduce")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    # Console errors and failed requests: a clean page has none.
    problems: list[str] = []
    tab.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: problems.append(str(exc)))
    tab.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    tab.problems = problems  # type: ignore[attr-defined]
    yield tab
    context.close()
