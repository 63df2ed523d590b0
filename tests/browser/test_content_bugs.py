"""A CSE reports a severe bug on a lab's exercise step; the lab's owner finds it at
the top of their queue and in their email, triages it and fixes it; the reporter
hears of the fix."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from rhythm.content.models import Bug
from rhythm.core.models import OutboundMessage
from rhythm.people.choices import Role
from tests.content_fixtures import bug, lab_template
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def _sign_in(page: Page, user) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign in")).to_have_count(0)


def test_a_severe_bug_goes_to_the_owners_queue_and_is_fixed(page: Page):
    owner = UserFactory(
        username="martin.cse",
        first_name="Martin",
        last_name="Brummer",
        email="martin@rhythm.example",
        roles=[Role.CSE],
    )
    reporter = UserFactory(
        username="priya.cse",
        first_name="Priya",
        last_name="Shah",
        email="priya@rhythm.example",
        roles=[Role.CSE],
    )
    lab = lab_template(owner, "CI/CD Hands-on Lab")
    bug(lab, owner, severity="low", title="Typo in exercise 1")  # already in the queue
    page.set_viewport_size({"width": 1366, "height": 900})

    # Priya reports it from the lab's page, with the bug template's fields.
    _sign_in(page, reporter)
    page.goto(lab.get_absolute_url())
    page.get_by_test_id("report-bug").click()
    form = page.get_by_test_id("bug-form")
    form.get_by_label("What is wrong").fill("Job stays pending in exercise 3")
    form.get_by_label("Exercise step").check()
    form.get_by_role("button", name="Report the bug").click()
    # Bad input is refused beside its fields, and nothing is written.
    expect(form.locator('[data-rule="required"]')).to_have_count(4)
    expect(form).to_contain_text("Say which exercise and step")
    assert not Bug.objects.filter(reported_by=reporter).exists()
    form.get_by_label("Which slide or step").fill("Exercise 3, step 2")
    form.get_by_label("What you expected").fill("The pipeline starts on the lab runner.")
    form.get_by_label("What happened instead").fill("The job stays pending: no runner.")
    form.get_by_label("Critical", exact=False).check()
    form.get_by_label("Screenshot link").fill("https://drive.example/pending.png")
    form.get_by_role("button", name="Report the bug").click()
    expect(page.get_by_test_id("bug-title")).to_have_text("Job stays pending in exercise 3")
    expect(page.get_by_test_id("bug-owner")).to_have_text("Martin Brummer")
    expect(page.get_by_test_id("bug-status")).to_have_text("Reported")

    # The owner's email.
    email = OutboundMessage.objects.get(to=[owner.email], subject__startswith="Severe bug")
    assert "Exercise 3, step 2" in email.body_text and "Critical" in email.body_text

    # Martin's queue: the critical one above the low one, read in one step.
    _sign_in(page, owner)
    page.goto("/content/queue/")
    rows = page.get_by_test_id("queue-row")
    expect(rows).to_have_count(2)
    layout = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=queue-row]')].map(r => ({
            title: r.querySelector('a').textContent.trim(),
            top: r.getBoundingClientRect().top,
            width: r.getBoundingClientRect().width,
        }))"""
    )
    assert [row["title"] for row in layout] == [
        "Job stays pending in exercise 3",
        "Typo in exercise 1",
    ]
    assert layout[0]["top"] < layout[1]["top"] and layout[0]["width"] > 600

    # Triage, then fix with what was done.
    rows.first.get_by_role("link", name="Job stays pending in exercise 3").click()
    page.get_by_test_id("bug-move-triaged").get_by_role("button", name="Triage").click()
    expect(page.get_by_test_id("bug-status")).to_have_text("Triaged")
    fix = page.get_by_test_id("bug-move-fixed")
    fix.get_by_role("button", name="Mark fixed").click()
    expect(page.get_by_test_id("move-errors")).to_contain_text("Say what was fixed")
    page.get_by_test_id("bug-move-fixed").get_by_label("Say what was fixed").fill(
        "The lab runner carries the 'lab' tag again."
    )
    page.get_by_test_id("bug-move-fixed").get_by_role("button", name="Mark fixed").click()
    expect(page.get_by_test_id("bug-status")).to_have_text("Fixed")
    expect(page.get_by_test_id("bug-transition")).to_have_count(2)
    told = OutboundMessage.objects.get(to=[reporter.email])
    assert "the 'lab' tag again" in told.body_text
    # The two refusals answered 422 on purpose; nothing else went wrong.
    problems = page.problems  # type: ignore[attr-defined]
    assert [p for p in problems if not p.startswith("422 ") and "status of 422" not in p] == []
