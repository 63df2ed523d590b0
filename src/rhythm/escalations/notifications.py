"""Who hears of an escalation: the account owner, the CSM and the CSE managers by
email (the outbox, in the transaction of the change, once per key), and a Slack
channel when a webhook URL is configured (after commit, durably, once)."""

from __future__ import annotations

from typing import Any

import requests
from django.conf import settings
from django.template.loader import render_to_string

from rhythm.core import services as core_services
from rhythm.core.events import subscribe
from rhythm.escalations.events import EscalationMoved, EscalationRaised
from rhythm.escalations.models import Escalation, EscalationTransition
from rhythm.people.choices import Role
from rhythm.people.models import User

SLACK_TIMEOUT_SECONDS = 10


def _recipients(escalation: Escalation, *also) -> list[str]:
    """The account owner, the CSM, the CSE managers and whoever else is named, each
    address once, in a stable order."""
    account = escalation.account
    people = [account.account_owner, account.csm, *also]
    people += list(User.objects.active().with_role(Role.CSE_MANAGER).order_by("username"))
    seen: dict[str, None] = {}
    for person in people:
        if person is not None and person.email:
            seen.setdefault(person.email, None)
    return list(seen)


def _email(escalation: Escalation, key: str, subject: str, template: str, **context: Any) -> None:
    to = _recipients(escalation, escalation.raised_by, escalation.decided_by)
    if not to:
        return
    body = render_to_string(
        template,
        {
            "escalation": escalation,
            "verdict": escalation.given_verdict,
            "link": settings.SITE_URL + escalation.get_absolute_url(),
            **context,
        },
    )
    core_services.enqueue_email(key=key, to=to, subject=subject, body_text=body)


@subscribe(EscalationRaised)
def tell_raised(event: EscalationRaised) -> None:
    escalation = event.escalation
    _email(
        escalation,
        f"escalation:{escalation.pk}:raised",
        f"Escalation raised for {escalation.account.name}: {escalation.verdict_enum.label.lower()}",
        "escalations/email/raised.txt",
    )


@subscribe(EscalationMoved)
def tell_moved(event: EscalationMoved) -> None:
    escalation, transition = event.escalation, event.transition
    _email(
        escalation,
        f"escalation:{escalation.pk}:moved:{transition.pk}",
        f"Escalation #{escalation.pk} for {escalation.account.name}: "
        f"{escalation.state_enum.label.lower()}",
        "escalations/email/moved.txt",
        transition=transition,
    )


# --- Slack (optional, off by default) ----------------------------------------------


def slack_text(escalation: Escalation, what: str) -> str:
    base = settings.SITE_URL
    verdict = escalation.given_verdict
    return (
        f"*{escalation.kind_enum.label}* for *{escalation.account.name}* {what}\n"
        f"{verdict.summary}\n<{base}{escalation.get_absolute_url()}|Escalation #{escalation.pk}>"
    )


def _post_to_slack(escalation_id: int, what: str) -> None:
    url = settings.RHYTHM_SLACK_WEBHOOK_URL
    if not url:
        return  # Slack is not configured: nothing to tell
    escalation = Escalation.objects.select_related("account").get(pk=escalation_id)
    response = requests.post(
        url, json={"text": slack_text(escalation, what)}, timeout=SLACK_TIMEOUT_SECONDS
    )
    # A refusal or an outage raises: the delivery is retried with back-off.
    response.raise_for_status()


@subscribe(EscalationRaised, durable=True)
def slack_raised(payload: dict[str, Any], key: str) -> None:
    _post_to_slack(payload["escalation"], "was raised")


@subscribe(EscalationMoved, durable=True)
def slack_moved(payload: dict[str, Any], key: str) -> None:
    # The move's own state, not the escalation's now: a later move has its own message.
    move = EscalationTransition.objects.get(pk=payload["transition"])
    _post_to_slack(payload["escalation"], f"is now {move.to_label.lower()}")
