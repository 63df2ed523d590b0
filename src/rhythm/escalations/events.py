"""What happens to escalations (core.events)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rhythm.core.events import Entry, Event, event
from rhythm.escalations.choices import EscalationKind, EscalationState, VerdictOutcome


@event
@dataclass(frozen=True)
class EscalationRaised(Event):
    """An escalation was raised, with its verdict; a CSE manager decides on it."""

    name = "escalation.raised"
    escalation: Any
    actor: Any

    def timeline(self) -> Iterator[Entry]:
        escalation = self.escalation
        yield Entry(
            account_id=escalation.account_id,
            kind="escalation",
            title=f"{EscalationKind(escalation.kind).label} raised: "
            f"{VerdictOutcome(escalation.verdict).label.lower()}",
            body=escalation.impact,
            actor=self.actor,
            link=escalation.get_absolute_url(),
        )


@event
@dataclass(frozen=True)
class EscalationMoved(Event):
    """An escalation moved on its lifecycle (approved, declined, active, resolved,
    closed); `transition` is its log row, with who, when and why."""

    name = "escalation.moved"
    escalation: Any
    transition: Any

    def timeline(self) -> Iterator[Entry]:
        escalation, transition = self.escalation, self.transition
        body = transition.reason
        if transition.justification:
            body = f"{body}\n\nApproved against the verdict: {transition.justification}"
        yield Entry(
            account_id=escalation.account_id,
            kind="escalation",
            title=f"Escalation #{escalation.pk} "
            f"{EscalationState(transition.to_state).label.lower()}",
            body=body.strip(),
            actor=transition.actor,
            link=escalation.get_absolute_url(),
        )
