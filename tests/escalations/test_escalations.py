"""Escalations through the API and the services: raised with a verdict kept as given,
each broken rule a 422 naming its field, the lifecycle on the workflow helper, the
outbox and Slack told, the selector campaigns use."""

from datetime import timedelta
from decimal import Decimal

import pytest
import responses
from django.test import override_settings
from django.utils import timezone

from rhythm.core.choices import DeliveryStatus
from rhythm.core.models import EventDelivery, OutboundMessage
from rhythm.escalations import services
from rhythm.escalations.choices import EscalationState
from rhythm.escalations.models import Escalation
from rhythm.timeline.models import TimelineEntry
from tests.core.test_api_auth_and_errors import assert_error
from tests.escalations.helpers import (
    ACCOUNT_ESCALATION,
    SUPPORT_ESCALATION,
    escalation_case,
    qualifying_account,
)
from tests.factories import AccountFactory

SLACK = "https://hooks.slack.example/services/T000/B000/XXXX"


@pytest.fixture
def account(cast):
    return qualifying_account(cast)


def _raise(api, user, body, **headers):
    return api(user).post("/escalations", body, **headers)


def test_raising_from_an_escalation_case_keeps_the_verdict_with_its_figures(api, cast, account):
    case = escalation_case(cast, account)
    response = _raise(api, cast.account_owner, {**ACCOUNT_ESCALATION, "case": case.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["case"] == case.pk and body["account"] == account.pk
    assert body["state"] == "raised" and body["verdict"] == "qualifies"
    texts = [r["text"] for r in body["verdict_detail"]["reasons"]]
    assert texts[0] == "ARR $412,000 is 82.4% of the $500,000 ceiling of Mid-Market: meets ≥ 80%"
    assert texts[1] == "LAM $250,000: meets > $100,000"
    assert body["verdict_detail"]["inputs"]["arr"] == "412000.00"
    assert body["verdict_detail"]["thresholds"]["arr_share"] == 80
    assert [t["to_state"] for t in body["transitions"]] == ["raised"]
    # The timeline says it; the account team and the managers are told.
    assert TimelineEntry.objects.filter(account=account, kind="escalation").count() == 1
    message = OutboundMessage.objects.get(idempotency_key=f"escalation:{body['id']}:raised")
    assert set(message.to) >= {cast.account_owner.email, cast.csm.email, cast.manager.email}
    assert "82.4% of the $500,000 ceiling" in message.body_text


def test_a_retry_with_the_same_key_returns_the_first_escalation(api, cast, account):
    body = {**SUPPORT_ESCALATION, "account": account.pk}
    first = _raise(api, cast.csm, body, **{"Idempotency-Key": "k-1"})
    again = _raise(api, cast.csm, body, **{"Idempotency-Key": "k-1"})
    assert first.status_code == 201 and again.status_code == 200, again.content
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Escalation.objects.count() == 1


def test_a_support_escalation_without_its_ticket_names_each_missing_field(api, cast, account):
    response = _raise(api, cast.csm, {"kind": "support", "account": account.pk})
    body = assert_error(response, 422)
    assert {e["field"] for e in body["errors"]} == {"ticket_reference", "ticket_url", "impact"}
    assert {e["rule"] for e in body["errors"]} == {"required"}
    assert not Escalation.objects.exists() and not OutboundMessage.objects.exists()


def test_an_account_escalation_needs_its_risk_and_a_valid_link(api, cast, account):
    response = _raise(
        api,
        cast.csm,
        {"kind": "account", "account": account.pk, "impact": "x", "feature_request_url": "nope"},
    )
    body = assert_error(response, 422)
    assert {(e["field"], e["rule"]) for e in body["errors"]} == {
        ("risk", "required"),
        ("feature_request_url", "invalid"),
    }


def test_a_cse_help_case_is_not_escalated_and_a_case_only_once(api, cast, account, case_data):
    from rhythm.cases import services as cases

    help_case = cases.open_case(cast.account_owner, case_data).case
    refused = _raise(api, cast.account_owner, {**ACCOUNT_ESCALATION, "case": help_case.pk})
    assert_error(refused, 422, field="case", rule="not_escalation")
    case = escalation_case(cast, account)
    assert (
        _raise(api, cast.account_owner, {**ACCOUNT_ESCALATION, "case": case.pk}).status_code == 201
    )
    twice = _raise(api, cast.account_owner, {**ACCOUNT_ESCALATION, "case": case.pk})
    assert_error(twice, 422, field="case", rule="unique")


def test_an_account_one_may_not_see_is_refused_by_name(api, cast):
    elsewhere = AccountFactory()  # owned by nobody of the cast
    response = _raise(api, cast.account_owner, {**ACCOUNT_ESCALATION, "account": elsewhere.pk})
    assert_error(response, 422, field="account", rule="invalid")


def test_a_change_of_thresholds_never_rewrites_a_past_verdict(api, cast, account):
    first = services.raise_escalation(cast.csm, {**ACCOUNT_ESCALATION, "account": account.pk})
    with override_settings(RHYTHM_ESCALATION_ARR_SHARE=90):
        later = services.raise_escalation(
            cast.csm, {**ACCOUNT_ESCALATION, "account": account.pk}
        ).escalation
        past = api(cast.csm).get(f"/escalations/{first.escalation.pk}").json()
    assert past["verdict"] == "qualifies"
    assert past["verdict_detail"]["thresholds"]["arr_share"] == 80
    assert later.verdict == "does_not_qualify"
    assert "misses ≥ 90%" in later.given_verdict.reasons[0].text


def test_a_near_renewal_weighs_and_says_so(cast):
    account = qualifying_account(
        cast, arr=Decimal("380000"), renewal_date=timezone.localdate() + timedelta(days=30)
    )
    escalation = services.raise_escalation(
        cast.csm, {**ACCOUNT_ESCALATION, "account": account.pk}
    ).escalation
    verdict = escalation.given_verdict
    assert escalation.qualifies and verdict.renewal_weighed
    assert verdict.reasons[-1].text.startswith("The renewal weighs: ARR at 76% misses 80%")


# --- The lifecycle ----------------------------------------------------------------------


def _move(api, user, escalation_id, **body):
    return api(user).post(f"/escalations/{escalation_id}/transitions", body)


def test_a_manager_approves_then_the_account_team_runs_it_to_closed(api, cast, account):
    escalation = services.raise_escalation(
        cast.account_owner, {**ACCOUNT_ESCALATION, "account": account.pk}
    ).escalation
    assert_error(_move(api, cast.csm, escalation.pk, to="approved", reason="Yes"), 403)
    assert_error(_move(api, cast.manager, escalation.pk, to="approved"), 422, field="reason")
    approved = _move(
        api, cast.manager, escalation.pk, to="approved", reason="Renewal risk is real."
    )
    assert approved.status_code == 200, approved.content
    assert approved.json()["decided_by"] == cast.manager.pk
    stale = _move(api, cast.manager, escalation.pk, to="declined", reason="No.")
    assert stale.status_code == 409 and stale.json()["current_state"] == "approved"
    conflict = _move(api, cast.account_owner, escalation.pk, to="active", expected_state="raised")
    assert conflict.status_code == 409
    for user, to, reason in (
        (cast.account_owner, "active", ""),
        (cast.csm, "resolved", "Fix shipped in 17.4."),
        (cast.csm, "closed", ""),
    ):
        moved = _move(api, user, escalation.pk, to=to, reason=reason)
        assert moved.status_code == 200, moved.content
    body = moved.json()
    assert [t["to_state"] for t in body["transitions"]] == [
        "raised",
        "approved",
        "active",
        "resolved",
        "closed",
    ]
    assert body["transitions"][1]["actor"] == cast.manager.pk
    assert body["transitions"][3]["reason"] == "Fix shipped in 17.4."
    keys = set(
        OutboundMessage.objects.filter(
            idempotency_key__startswith=f"escalation:{escalation.pk}:"
        ).values_list("idempotency_key", flat=True)
    )
    assert len(keys) == 5  # raised, and one per move


def test_approving_against_the_verdict_needs_a_written_justification(api, cast):
    account = qualifying_account(cast, lam=Decimal("60000"))
    escalation = services.raise_escalation(
        cast.csm, {**ACCOUNT_ESCALATION, "account": account.pk}
    ).escalation
    assert not escalation.qualifies
    refused = _move(api, cast.manager, escalation.pk, to="approved", reason="Strategic logo.")
    assert_error(refused, 422, field="justification", rule="required")
    approved = _move(
        api,
        cast.manager,
        escalation.pk,
        to="approved",
        reason="Strategic logo.",
        justification="The CTO asked us directly; expansion to 2,000 seats hangs on it.",
    )
    assert approved.status_code == 200, approved.content
    body = approved.json()
    assert body["justification"].startswith("The CTO asked us directly")
    assert body["transitions"][-1]["justification"] == body["justification"]
    declined_one = services.raise_escalation(
        cast.csm, {**ACCOUNT_ESCALATION, "account": account.pk}
    ).escalation
    declined = _move(api, cast.manager, declined_one.pk, to="declined", reason="LAM too small.")
    assert declined.status_code == 200 and declined.json()["justification"] == ""


def test_open_escalations_are_raised_approved_or_active(cast, account):
    other = qualifying_account(cast)
    raised = services.raise_escalation(cast.csm, {**ACCOUNT_ESCALATION, "account": account.pk})
    declined = services.raise_escalation(cast.csm, {**ACCOUNT_ESCALATION, "account": other.pk})
    services.transition(
        declined.escalation,
        cast.manager,
        services.MoveInput(to=EscalationState.DECLINED, reason="Too small."),
    )
    assert set(services.open_escalation_account_ids().values_list("account_id", flat=True)) == {
        account.pk
    }
    assert list(Escalation.objects.open()) == [raised.escalation]
    assert (
        AccountFactory._meta.model.objects.filter(
            pk__in=services.open_escalation_account_ids()
        ).count()
        == 1
    )


# --- Slack: after commit, durably, off by default ------------------------------------------


def test_slack_is_off_by_default(cast, account, django_capture_on_commit_callbacks):
    with responses.RequestsMock() as slack, django_capture_on_commit_callbacks(execute=True):
        services.raise_escalation(cast.csm, {**ACCOUNT_ESCALATION, "account": account.pk})
    assert len(slack.calls) == 0
    assert EventDelivery.objects.get(event="escalation.raised").status == DeliveryStatus.DELIVERED


@override_settings(RHYTHM_SLACK_WEBHOOK_URL=SLACK)
def test_slack_hears_each_escalation_once_after_commit(
    cast, account, django_capture_on_commit_callbacks
):
    with responses.RequestsMock() as slack:
        slack.post(SLACK, body="ok")
        with django_capture_on_commit_callbacks(execute=True):
            escalation = services.raise_escalation(
                cast.csm, {**ACCOUNT_ESCALATION, "account": account.pk}
            ).escalation
        with django_capture_on_commit_callbacks(execute=True):
            services.transition(
                escalation, cast.manager, services.MoveInput(to="approved", reason="Go.")
            )
        assert len(slack.calls) == 2
        raised_text = slack.calls[0].request.body.decode()
        assert "Account escalation" in raised_text and account.name in raised_text
        assert "is now approved" in slack.calls[1].request.body.decode()
    assert set(EventDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}


@override_settings(RHYTHM_SLACK_WEBHOOK_URL=SLACK)
def test_a_slack_outage_is_retried_and_never_undoes_the_escalation(
    cast, account, django_capture_on_commit_callbacks
):
    with responses.RequestsMock() as slack:
        slack.post(SLACK, status=503)
        with django_capture_on_commit_callbacks(execute=True):
            raised = services.raise_escalation(
                cast.csm, {**ACCOUNT_ESCALATION, "account": account.pk}
            )
        assert len(slack.calls) == 1
    delivery = EventDelivery.objects.get(event="escalation.raised")
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert "503" in delivery.last_error
    assert Escalation.objects.filter(pk=raised.escalation.pk).exists()
