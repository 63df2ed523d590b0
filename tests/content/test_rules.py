"""Content's pure rules: the guidelines per kind, the bug template's checks, the
workflows' tables."""

from rhythm.content import rules
from rhythm.content.choices import BugStatus, ContentKind, ContentStatus
from tests.content_fixtures import BUG


def test_every_kind_has_guidelines_and_decks_have_the_housekeeping_ones():
    for kind in ContentKind.values:
        assert rules.guidelines_for(kind), kind
    deck = {g.code for g in rules.guidelines_for(ContentKind.MASTER_DECK)}
    assert {"housekeeping_muted", "housekeeping_account", "housekeeping_access_days"} <= deck
    assert "presenter_slide" in deck and "registration_codes_slide" in deck
    project = {g.code for g in rules.guidelines_for(ContentKind.EXERCISE_PROJECT)}
    assert "exercises_run" in project and "presenter_slide" not in project


def test_readiness_names_what_is_left():
    codes = [g.code for g in rules.guidelines_for(ContentKind.RECORDING)]
    assert rules.readiness_note(ContentKind.RECORDING, codes) == ""
    note = rules.readiness_note(ContentKind.RECORDING, codes[1:])
    assert note.startswith("1 of the webinar guidelines")
    assert rules.guidelines_for(ContentKind.RECORDING)[0].text in note


def test_a_complete_report_passes():
    assert rules.bug_problems(BUG) == {}


def test_every_broken_field_is_named_at_once_with_its_rule():
    problems = rules.bug_problems(
        {
            "title": "",
            "place": "exercise_step",
            "location": "",
            "expected": "x" * (rules.TEXT_LIMIT + 1),
            "actual": "",
            "severity": "apocalyptic",
            "screenshot_url": "ftp://nope",
        }
    )
    assert {name: rule for name, (_, rule) in problems.items()} == {
        "title": "required",
        "location": "required",
        "expected": "max_length",
        "actual": "required",
        "severity": "invalid_choice",
        "screenshot_url": "invalid_url",
    }
    assert "Exercise 3, step 2" in problems["location"][0]  # the step's own prompt


def test_a_slide_asks_for_its_number():
    problems = rules.bug_problems({**BUG, "place": "slide", "location": ""})
    assert problems["location"][0] == "Say which slide: its number or its title."


def test_severe_means_critical_or_high():
    assert rules.is_severe("critical") and rules.is_severe("high")
    assert not rules.is_severe("medium") and not rules.is_severe("low")
    assert sorted(rules.SEVERITY_RANK, key=rules.SEVERITY_RANK.get)[0] == "critical"


def test_only_the_owner_sends_for_review_and_another_builder_approves():
    flow = rules.CONTENT_WORKFLOW
    draft, review, ready = ContentStatus.DRAFT, ContentStatus.IN_REVIEW, ContentStatus.READY
    assert flow.check(draft, review, {rules.OWNER}, {}).allowed
    assert flow.check(draft, review, {rules.MAINTAINER}, {}).problem == "forbidden"
    assert flow.check(review, ready, {rules.OWNER}, {"guidelines": "all"}).problem == "forbidden"
    assert flow.check(review, ready, {rules.MAINTAINER}, {}).missing == {
        "guidelines": "Check every webinar guideline before the content is ready."
    }
    assert flow.check(ready, draft, {rules.OWNER}, {}).problem == "conflict"
    assert flow.moves_from(ContentStatus.RETIRED) == []


def test_the_reporter_closes_or_reopens_a_fixed_bug_but_does_not_triage():
    flow = rules.BUG_WORKFLOW
    assert flow.check(BugStatus.REPORTED, BugStatus.TRIAGED, {rules.REPORTER}, {}).problem == (
        "forbidden"
    )
    assert flow.check(BugStatus.FIXED, BugStatus.CLOSED, {rules.REPORTER}, {}).allowed
    reopen = flow.check(BugStatus.FIXED, BugStatus.TRIAGED, {rules.REPORTER}, {})
    assert reopen.missing == {"reason": "Say what is still wrong."}
    fix = flow.check(BugStatus.TRIAGED, BugStatus.FIXED, {rules.OWNER}, {"reason": "New tag."})
    assert fix.allowed


def test_a_link_must_be_a_full_web_address():
    assert rules.link_problem("https://docs.example/deck", required=True) is None
    assert rules.link_problem("", required=True) == ("Give the link.", "required")
    assert rules.link_problem("", required=False) is None
    assert rules.link_problem("docs.example/deck", required=True)[1] == "invalid_url"
