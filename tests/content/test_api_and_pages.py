"""Content over the API and through its pages: create, move, tick, report, work a bug;
every refusal names the field and the rule."""

import pytest
from django.test import Client

from rhythm.content import rules
from rhythm.content.models import Bug
from rhythm.core.models import OutboundMessage
from tests.content_fixtures import BUG, master_deck
from tests.core.test_api_auth_and_errors import assert_error


@pytest.fixture
def deck(cast):
    return master_deck(cast.cse)


def test_an_item_from_creation_to_ready_through_the_api(api, cast):
    cse, manager = api(cast.cse), api(cast.manager)
    created = cse.post(
        "/content-items",
        {"kind": "exercise_project", "title": "CI lab project", "link": "https://gitlab.example/p"},
    )
    assert created.status_code == 201, created.content
    item = created.json()
    assert item["status"] == "draft" and item["owner"] == cast.cse.pk
    assert [g["code"] for g in item["guidelines"]] == [
        g.code for g in rules.guidelines_for("exercise_project")
    ]
    path = f"/content-items/{item['id']}"
    assert cse.post(f"{path}/transitions", {"to": "in_review"}).status_code == 200
    early = manager.post(f"{path}/transitions", {"to": "ready"})
    assert_error(early, 422, field="guidelines", rule="required")
    for g in item["guidelines"]:
        ticked = cse._call("put", f"{path}/guidelines/{g['code']}", {"done": True})
        assert ticked.status_code == 200 and ticked.json()["done"], ticked.content
    stale = manager.post(f"{path}/transitions", {"to": "ready", "expected_state": "draft"})
    assert stale.status_code == 409 and stale.json()["current_state"] == "in_review"
    ready = manager.post(f"{path}/transitions", {"to": "ready", "expected_state": "in_review"})
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    renamed = cse.patch(path, {"title": "CI lab project v2"})
    assert renamed.json()["title"] == "CI lab project v2"
    listed = cse.get("/content-items", status="ready").json()
    assert [i["id"] for i in listed["items"]] == [item["id"]]


def test_bad_items_are_422s_naming_the_field(api, cast, deck):
    cse = api(cast.cse)
    bad_link = cse.post("/content-items", {"kind": "recording", "title": "R", "link": "nowhere"})
    assert_error(bad_link, 422, field="link", rule="invalid_url")
    bad_owner = cse.post(
        "/content-items",
        {"kind": "recording", "title": "R", "link": "https://v.example", "owner": cast.csm.pk},
    )
    assert_error(bad_owner, 422, field="owner", rule="not_a_content_owner")
    unknown = cse._call("put", f"/content-items/{deck.pk}/guidelines/nope", {"done": True})
    assert_error(unknown, 422, field="code", rule="unknown")
    extra = cse.patch(f"/content-items/{deck.pk}", {"kind": "recording"})
    assert_error(extra, 422, field="kind")


def test_anyone_reports_a_bug_and_the_owner_works_it_through_the_api(api, cast, deck):
    ae = api(cast.account_owner)
    first = ae.post(f"/content-items/{deck.pk}/bugs", BUG, **{"Idempotency-Key": "r-1"})
    again = ae.post(f"/content-items/{deck.pk}/bugs", BUG, **{"Idempotency-Key": "r-1"})
    assert first.status_code == 201 and again.status_code == 200, first.content
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    bug = first.json()
    assert bug["severe"] is True and bug["owner"] == cast.cse.pk
    assert OutboundMessage.objects.filter(to=[cast.cse.email]).count() == 1
    queue = api(cast.cse).get("/content-bugs", owner=cast.cse.pk, open="true").json()
    assert [b["id"] for b in queue["items"]] == [bug["id"]]
    moved = api(cast.cse).post(f"/content-bugs/{bug['id']}/transitions", {"to": "fixed"})
    assert moved.status_code == 409  # reported → fixed is no move
    refused = ae.post(f"/content-bugs/{bug['id']}/transitions", {"to": "triaged"})
    assert_error(refused, 403, rule="permission_denied")
    api(cast.cse).post(f"/content-bugs/{bug['id']}/transitions", {"to": "triaged"})
    no_note = api(cast.cse).post(f"/content-bugs/{bug['id']}/transitions", {"to": "fixed"})
    assert_error(no_note, 422, field="reason", rule="required")


def test_a_bad_report_names_each_field(api, cast, deck):
    response = api(cast.csm).post(
        f"/content-items/{deck.pk}/bugs", {**BUG, "severity": "huge", "screenshot_url": "shot.png"}
    )
    body = assert_error(response, 422)
    assert {e["field"] for e in body["errors"]} == {"severity"}  # the schema's enum first
    response = api(cast.csm).post(f"/content-items/{deck.pk}/bugs", {**BUG, "screenshot_url": "x"})
    assert_error(response, 422, field="screenshot_url", rule="invalid_url")
    assert not Bug.objects.exists()


def test_the_pages_report_a_bug_and_show_it_in_the_queue(cast, deck):
    reporter = Client()
    reporter.force_login(cast.csm)
    page = reporter.get(deck.get_absolute_url())
    assert page.status_code == 200 and b'data-testid="guidelines"' in page.content
    form = reporter.get(f"/content/{deck.pk}/bugs/new")
    assert b"Exercise step" in form.content
    refused = reporter.post(f"/content/{deck.pk}/bugs/new", {**BUG, "actual": ""})
    assert refused.status_code == 422 and "Say what happened instead." in refused.content.decode()
    sent = reporter.post(f"/content/{deck.pk}/bugs/new", BUG, follow=True)
    assert sent.status_code == 200 and BUG["expected"].encode() in sent.content
    owner = Client()
    owner.force_login(cast.cse)
    queue = owner.get("/content/queue/")
    assert BUG["title"].encode() in queue.content and b"High" in queue.content
    bug = Bug.objects.get()
    owner.post(f"/content/bugs/{bug.pk}/move", {"to": "triaged", "expected_state": "reported"})
    refused = owner.post(f"/content/bugs/{bug.pk}/move", {"to": "fixed"})
    assert refused.status_code == 422 and b"Say what was fixed" in refused.content
    owner.post(f"/content/bugs/{bug.pk}/move", {"to": "fixed", "reason": "Tag added."})
    bug.refresh_from_db()
    assert bug.status == "fixed"


def test_the_library_lists_and_filters(cast, deck):
    browser = Client()
    browser.force_login(cast.account_owner)
    page = browser.get("/content/", {"kind": "master_deck"})
    assert deck.title.encode() in page.content and b"0 of 9" in page.content
    other = browser.get("/content/", {"kind": "recording"})
    assert deck.title.encode() not in other.content
    assert b"Add content" not in page.content  # an AE reads, the CSE team adds
