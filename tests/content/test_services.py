"""Content's use cases against the real database: an item and its checklist, the
review workflow with its log, a bug in the owner's queue with the owner's email, and
what the events app reads (open_bugs_for, the panel)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from rhythm.content import rules, services, views
from rhythm.content.choices import BugStatus, ContentKind, ContentStatus
from rhythm.content.events import BugReported
from rhythm.content.models import Bug, ContentTransition
from rhythm.core import events
from rhythm.core.events import subscribe
from rhythm.core.models import OutboundMessage
from rhythm.core.workflow import TransitionConflict
from tests.content_fixtures import BUG, bug, lab_template, master_deck


@pytest.fixture
def deck(cast):
    return master_deck(cast.cse)


def _tick_all(item, actor):
    for g in rules.guidelines_for(item.kind):
        services.set_guideline(item, g.code, done=True, actor=actor)


def test_a_new_item_is_a_draft_with_its_kinds_guidelines(cast, deck):
    assert deck.status == ContentStatus.DRAFT and deck.owner == cast.cse
    codes = list(deck.checks.order_by("position").values_list("code", flat=True))
    assert codes == [g.code for g in rules.guidelines_for(ContentKind.MASTER_DECK)]


def test_a_bad_item_names_every_field(cast):
    with pytest.raises(ValidationError) as refused:
        services.add_item(
            cast.cse, {"kind": "", "title": " ", "link": "deck", "owner": cast.csm.pk}
        )
    assert set(refused.value.error_dict) == {"kind", "title", "link", "owner"}
    with pytest.raises(PermissionDenied):
        services.add_item(
            cast.account_owner, {"kind": "recording", "title": "T", "link": "https://x.example"}
        )


def test_the_review_workflow_records_every_move(cast, deck):
    services.move_item(deck, cast.cse, ContentStatus.IN_REVIEW)
    with pytest.raises(PermissionDenied):  # the author does not approve their own
        services.move_item(deck, cast.cse, ContentStatus.READY)
    with pytest.raises(ValidationError) as refused:
        services.move_item(deck, cast.manager, ContentStatus.READY)
    assert refused.value.error_dict["guidelines"][0].message.startswith(
        f"{len(rules.guidelines_for(ContentKind.MASTER_DECK))} of the webinar"
    )
    _tick_all(deck, cast.cse)
    services.move_item(deck, cast.manager, ContentStatus.READY, expected_state="in_review")
    with pytest.raises(TransitionConflict):
        services.move_item(deck, cast.manager, ContentStatus.RETIRED, expected_state="in_review")
    with pytest.raises(ValidationError) as no_reason:
        services.move_item(deck, cast.manager, ContentStatus.RETIRED)
    assert "reason" in no_reason.value.error_dict
    services.move_item(deck, cast.manager, ContentStatus.RETIRED, reason="Replaced by v2.")
    log = list(
        ContentTransition.objects.filter(item=deck).values_list("from_state", "to_state", "actor")
    )
    assert log == [
        ("draft", "in_review", cast.cse.pk),
        ("in_review", "ready", cast.manager.pk),
        ("ready", "retired", cast.manager.pk),
    ]
    deck.refresh_from_db()
    assert deck.status == ContentStatus.RETIRED and deck.history.count() >= 4


def test_sending_back_tells_the_owner(cast, deck):
    services.move_item(deck, cast.cse, ContentStatus.IN_REVIEW)
    services.move_item(
        deck, cast.manager, ContentStatus.DRAFT, reason="The presenter slide is missing."
    )
    message = OutboundMessage.objects.get(idempotency_key__startswith="content-sent-back:")
    assert message.to == [cast.cse.email] and "presenter slide" in message.body_text


def test_a_bug_lands_in_the_owners_queue_and_the_owner_is_emailed_once(cast):
    lab = lab_template(cast.cse)
    reported = services.report_bug(cast.csm, lab, BUG, idempotency_key="k-1")
    again = services.report_bug(cast.csm, lab, BUG, idempotency_key="k-1")
    assert reported.created and not again.created and again.bug == reported.bug
    assert list(services.owner_queue(cast.cse)) == [reported.bug]
    message = OutboundMessage.objects.get(idempotency_key=f"content-bug-reported:{reported.bug.pk}")
    assert message.to == [cast.cse.email]
    assert message.subject == f"Severe bug in {lab.title}: {BUG['title']}"
    assert "Exercise 3, step 2" in message.body_text and BUG["screenshot_url"] in message.body_text


def test_the_queue_lists_the_worst_first(cast, deck):
    low = bug(deck, cast.csm, severity="low")
    critical = bug(deck, cast.account_owner, severity="critical")
    medium = bug(deck, cast.csm, severity="medium")
    assert list(services.owner_queue(cast.cse)) == [critical, medium, low]


def test_a_bug_report_names_every_broken_field_and_writes_nothing(cast, deck):
    with pytest.raises(ValidationError) as refused:
        services.report_bug(cast.csm, deck, {**BUG, "expected": "", "severity": "", "location": ""})
    assert set(refused.value.error_dict) == {"expected", "severity", "location"}
    assert not Bug.objects.exists() and not OutboundMessage.objects.exists()


def test_retired_content_takes_no_new_bug(cast, deck):
    services.move_item(deck, cast.cse, ContentStatus.RETIRED, reason="Old.")
    with pytest.raises(ValidationError) as refused:
        services.report_bug(cast.csm, deck, BUG)
    assert refused.value.error_dict["item"][0].code == "retired"


def test_triage_fix_close_and_the_reporter_hears_of_the_fix(cast, deck):
    found = bug(deck, cast.csm)
    with pytest.raises(PermissionDenied):
        services.move_bug(found, cast.csm, BugStatus.TRIAGED)
    services.move_bug(found, cast.cse, BugStatus.TRIAGED)
    with pytest.raises(ValidationError):
        services.move_bug(found, cast.cse, BugStatus.FIXED)
    services.move_bug(found, cast.cse, BugStatus.FIXED, reason="Runner tag added.")
    fixed = OutboundMessage.objects.get(idempotency_key__startswith="content-bug-moved:")
    assert fixed.to == [cast.csm.email] and "Runner tag added." in fixed.body_text
    services.move_bug(found, cast.csm, BugStatus.CLOSED)  # the reporter's own: no email
    found.refresh_from_db()
    assert found.status == BugStatus.CLOSED and found.closed_at is not None
    assert (
        OutboundMessage.objects.filter(idempotency_key__startswith="content-bug-moved:").count()
        == 1
    )
    assert list(services.owner_queue(cast.cse)) == []


def test_bug_reported_carries_the_severity_for_the_events_app(cast, deck):
    heard = []

    @subscribe(BugReported)
    def listen(event):  # as the webinars app will
        heard.append((event.severity, event.severe, event.payload()))

    try:
        bug(deck, cast.csm, severity="critical")
        bug(deck, cast.csm, severity="low")
    finally:
        events._subscribers[:] = [s for s in events._subscribers if s.handler is not listen]
    assert [(s, severe) for s, severe, _ in heard] == [("critical", True), ("low", False)]
    assert heard[0][2]["item"] == deck.pk and heard[0][2]["severity"] == "critical"


def test_open_bugs_for_items_is_one_query(cast, deck, django_assert_num_queries):
    lab = lab_template(cast.cse)
    first = bug(deck, cast.csm, severity="low")
    second = bug(deck, cast.csm, severity="critical")
    third = bug(lab, cast.csm)
    closed = bug(lab, cast.csm)
    services.move_bug(closed, cast.cse, BugStatus.CLOSED, reason="Duplicate of the first.")
    with django_assert_num_queries(1):
        found = services.open_bugs_for([deck, lab.pk])
        names = {item_id: [b.pk for b in bugs] for item_id, bugs in found.items()}
    assert names == {deck.pk: [second.pk, first.pk], lab.pk: [third.pk]}
    assert services.open_bugs_for([]) == {}


def test_the_panel_an_event_page_shows(cast, deck):
    bug(deck, cast.csm, severity="critical", title="Codes slide shows last month's codes")
    request = RequestFactory().get("/")
    request.user = cast.cse
    html = views.bugs_panel(request, [deck])
    assert "Codes slide shows last month&#x27;s codes" in html and "1 severe" in html
    assert f"/content/{deck.pk}/bugs/new" in html
    request.user = cast.outsider
    assert views.bugs_panel(request, [deck]) == ""
