"""The issue's "done when", walked through the API as an integration would."""

import pytest
from django.core import mail

from rhythm.core.models import OutboundMessage
from tests.engagements_fixtures import TARGET_START

DOC = "https://docs.example/runbooks/ci-caching"


@pytest.fixture
def success_plan_objective(objective):
    return objective


def test_case_to_cta_to_outreach(
    api,
    cast,
    account,
    opportunity,
    contact,
    offering,
    covering_cse,
    django_capture_on_commit_callbacks,
):
    ae, cse = api(cast.account_owner), api(covering_cse)
    body = {
        "opportunity": opportunity.pk,
        "kind": "cse_help",
        "offering": offering.pk,
        "contact": contact.pk,
        "challenges": "Their monorepo pipelines take 40 minutes.",
        "priority": "high",
    }
    first = ae.post("/cases", body, **{"Idempotency-Key": "case-walk-1"})
    assert first.status_code == 201, first.content
    retry = ae.post("/cases", body, **{"Idempotency-Key": "case-walk-1"})
    assert retry.status_code == 200 and retry.json()["id"] == first.json()["id"]
    assert retry["Idempotent-Replayed"] == "true"
    # The same key with another case in it is a mistake, not a retry: refused.
    reused = ae.post(
        "/cases", {**body, "challenges": "Something else"}, **{"Idempotency-Key": "case-walk-1"}
    )
    assert reused.status_code == 422
    assert reused.json()["errors"][0]["field"] == "idempotency_key"
    assert reused.json()["errors"][0]["rule"] == "key_reused"

    ctas = ae.get("/ctas", case=first.json()["id"]).json()
    assert ctas["count"] == 1
    cta = ctas["items"][0]
    assert cta["name"] == f"{account.name} - Ad-Hoc CSE Engagement Request"
    assert cta["playbook"] == "One-Off CSE Outreach" and cta["owner"] is None

    with django_capture_on_commit_callbacks(execute=True):
        accepted = cse.post(f"/ctas/{cta['id']}/accept", {})
    with django_capture_on_commit_callbacks(execute=True):
        again = cse.post(f"/ctas/{cta['id']}/accept", {})
    assert accepted.status_code == 200 and again.status_code == 200
    assert accepted.json()["owner"] == covering_cse.pk
    # Accepting drafts the outreach in the CSE's name; sending it (as drafted) and
    # sending it again write one email.
    draft = cse.get(f"/ctas/{cta['id']}/outreach").json()
    assert draft["state"] == "draft" and draft["email"]["cc"] == [cast.account_owner.email]
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert cse.post(f"/ctas/{cta['id']}/outreach", {}).status_code == 200
    assert OutboundMessage.objects.filter(idempotency_key=f"cta-outreach:{cta['id']}").count() == 1
    assert [m.cc for m in mail.outbox] == [[cast.account_owner.email]]


def test_case_errors_name_their_fields(api, cast, opportunity, contact):
    response = api(cast.account_owner).post(
        "/cases",
        {"opportunity": opportunity.pk, "contact": contact.pk, "challenges": "é" * 1001},
    )
    assert response.status_code == 422
    fields = {e["field"]: e["rule"] for e in response.json()["errors"]}
    assert fields == {"offering": "required", "challenges": "max_length"}


def test_complex_request_through_review_to_closed(api, cast, account, objective, covering_cse):
    csm, manager, cse = api(cast.csm), api(cast.manager), api(covering_cse)
    filed = csm.post(
        "/requests",
        {
            "account": account.pk,
            "objective": objective.pk,
            "effort_kind": "duration",
            "duration_weeks": 4,
            "hours_per_week": "5",
            "target_start_date": TARGET_START.isoformat(),
            "outcome": "Three teams on GitLab CI",
            "metrics": ["Pipelines under 10 minutes"],
            "deliverables": ["Reference pipeline"],
            "stakeholders": [
                {"name": "Ana", "role_title": "VP Eng", "responsibilities": "Sponsor"}
            ],
        },
    )
    assert filed.status_code == 201, filed.content
    rid = filed.json()["id"]
    path = f"/requests/{rid}/transitions"

    assert (
        manager.post(path, {"to": "clarification", "reason": "Which runners?"}).status_code == 200
    )
    assert csm.post(path, {"to": "review", "reason": "Linux, self-managed"}).status_code == 200
    suggestions = manager.get(f"/requests/{rid}/suggestions").json()
    assert suggestions[0]["cse"] == covering_cse.pk and suggestions[0]["reasons"]

    refused = csm.post(path, {"to": "started", "cse": covering_cse.pk})
    assert refused.status_code == 403

    qualified = manager.post(path, {"to": "started", "cse": suggestions[0]["cse"]})
    assert qualified.status_code == 200 and qualified.json()["assigned_cse"] == covering_cse.pk
    cta_id = qualified.json()["cta"]

    stale = manager.post(path, {"to": "started", "cse": covering_cse.pk})
    assert stale.status_code == 409 and stale.json()["current_state"] == "started"

    unanswered = cse.post(path, {"to": "complete"})
    assert unanswered.status_code == 422
    assert [e["field"] for e in unanswered.json()["errors"]] == ["deliverables", "doc_url"]
    answers = [{"achieved": True, "on_time": True}] * len(qualified.json()["deliverables"])
    half = cse.post(
        path,
        {"to": "complete", "deliverables": [{"achieved": True}, *answers[1:]], "doc_url": DOC},
    )
    assert half.status_code == 422
    assert [e["field"] for e in half.json()["errors"]] == ["deliverables.0.on_time"]
    no_link = cse.post(path, {"to": "complete", "deliverables": answers, "doc_url": "runbook"})
    assert no_link.status_code == 422
    assert [(e["field"], e["rule"]) for e in no_link.json()["errors"]] == [("doc_url", "invalid")]
    completed = cse.post(path, {"to": "complete", "deliverables": answers, "doc_url": DOC})
    assert completed.status_code == 200, completed.content
    assert completed.json()["doc_url"] == DOC
    assert [o["achieved"] for o in completed.json()["deliverable_outcomes"]] == [True] * len(
        answers
    )
    shown = csm.get(path.removesuffix("/transitions")).json()["deliverable_outcomes"]
    assert [(o["achieved"], o["on_time"]) for o in shown] == [(True, True)] * len(answers)
    closed = cse.post(path, {"to": "closed"})
    assert closed.json()["state"] == "closed"
    assert csm.get(f"/ctas/{cta_id}").json()["status"] == "closed"
    states = [t["to_state"] for t in closed.json()["transitions"]]
    assert states == ["review", "clarification", "review", "started", "complete", "closed"]


def test_request_errors_name_their_fields(api, cast, account):
    response = api(cast.csm).post(
        "/requests",
        {
            "account": account.pk,
            "objective": 999999,
            "effort_kind": "duration",
            "target_start_date": TARGET_START.isoformat(),
            "outcome": "x",
            "metrics": ["m"],
            "deliverables": ["d"],
            "stakeholders": [{"name": "A", "role_title": "B", "responsibilities": "C"}],
        },
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"objective", "duration_weeks"}


def test_request_rules_are_named_all_at_once_through_the_api(api, cast, account, objective):
    from datetime import date, timedelta

    from rhythm.engagements.models import EngagementRequest

    response = api(cast.csm).post(
        "/requests",
        {
            "account": account.pk,
            "objective": objective.pk,
            "effort_kind": "one_off",
            "target_start_date": (date.today() - timedelta(days=3)).isoformat(),
            "outcome": "   ",
            "metrics": [],
            "deliverables": ["d"],
            "stakeholders": [{"name": "A", "role_title": "", "responsibilities": "C"}],
        },
    )
    assert response.status_code == 422
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert set(errors) == {
        "target_start_date",
        "outcome",
        "metrics",
        "stakeholders.0.role_title",
    }
    assert errors["target_start_date"]["rule"] == "past"
    assert not EngagementRequest.objects.exists()


def test_capacity_hours_read_with_one_decimal(api, cast, covering_cse):
    rows = api(cast.manager).get("/capacity", weeks=2).json()
    mine = next(row for row in rows if row["cse"] == covering_cse.pk)
    assert all(
        isinstance(h, str) and h.count(".") == 1 and len(h.split(".")[1]) == 1
        for h in mine["weeks"]
    ), mine["weeks"]


# --- Duplicates ---------------------------------------------------------------


def test_a_second_case_answers_422_naming_duplicate_reason_and_linking_the_first(
    api, cast, opportunity, contact, offering
):
    ae = api(cast.account_owner)
    body = {
        "opportunity": opportunity.pk,
        "offering": offering.pk,
        "contact": contact.pk,
        "challenges": "Their monorepo pipelines take 40 minutes.",
    }
    first = ae.post("/cases", body, **{"Idempotency-Key": "dup-1"})
    assert first.status_code == 201 and first.json()["duplicate_reason"] == ""
    # A retry of the first is its replay, not a duplicate of it.
    retry = ae.post("/cases", body, **{"Idempotency-Key": "dup-1"})
    assert retry.status_code == 200 and retry.json()["id"] == first.json()["id"]

    refused = ae.post("/cases", body, **{"Idempotency-Key": "dup-2"})
    assert refused.status_code == 422
    (error,) = refused.json()["errors"]
    assert (error["field"], error["rule"]) == ("duplicate_reason", "duplicate")
    assert f"Case #{first.json()['id']} (Streamline Your CI Workflows)" in error["message"]
    assert f"/cases/{first.json()['id']}/" in error["message"]
    assert ae.get("/cases").json()["count"] == 1

    # The refused key created nothing, so it may carry the corrected request.
    opened = ae.post(
        "/cases", {**body, "duplicate_reason": "The platform team."}, **{"Idempotency-Key": "dup-2"}
    )
    assert opened.status_code == 201, opened.content
    assert opened.json()["duplicate_reason"] == "The platform team."
    assert ae.get(f"/cases/{opened.json()['id']}").json()["duplicate_reason"] == (
        "The platform team."
    )


def test_a_second_request_answers_422_naming_duplicate_reason_and_linking_the_first(
    api, cast, account, objective
):
    csm = api(cast.csm)
    body = {
        "account": account.pk,
        "objective": objective.pk,
        "effort_kind": "one_off",
        "target_start_date": TARGET_START.isoformat(),
        "outcome": "Pipelines under 10 minutes.",
        "metrics": ["Median pipeline time"],
        "deliverables": ["Reference pipeline"],
        "stakeholders": [{"name": "Ana", "role_title": "VP Eng", "responsibilities": "Sponsor"}],
    }
    first = csm.post("/requests", body)
    assert first.status_code == 201 and first.json()["duplicate_reason"] == ""
    refused = csm.post("/requests", body)
    assert refused.status_code == 422
    (error,) = refused.json()["errors"]
    assert (error["field"], error["rule"]) == ("duplicate_reason", "duplicate")
    assert f"Request #{first.json()['id']} (Adopt CI) is still open" in error["message"]
    assert f"/engagements/{first.json()['id']}/" in error["message"]
    assert csm.get("/requests").json()["count"] == 1
    filed = csm.post("/requests", {**body, "duplicate_reason": "Phase two."})
    assert filed.status_code == 201 and filed.json()["duplicate_reason"] == "Phase two."
