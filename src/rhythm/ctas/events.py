"""What happens to calls to action (core.events)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.urls import reverse

from rhythm.core.events import Entry, Event, event, local_field
from rhythm.core.rules import Wording


class RaisedCta(NamedTuple):
    id: int
    account_id: int
    name: str
    case_id: int | None


@event
@dataclass(frozen=True)
class CtasRaised(Event):
    """CTAs were raised: one with its case or request, or thousands by the
    reconciliation (one event for the batch, so its timeline lines go in bulk)."""

    name = "cta.raised"
    ctas: list[RaisedCta]
    playbook: str  # "" when raised without one
    source: str
    actor: Any

    def timeline(self) -> Iterator[Entry]:
        body = f"Playbook {self.playbook}." if self.playbook else ""
        link = reverse("ctas:detail", args=[0]).removesuffix("0/")  # one reverse per batch
        for cta in self.ctas:
            yield Entry(
                account_id=cta.account_id,
                kind="cta",
                title=f"CTA raised: {cta.name}",
                body=body,
                actor=self.actor,
                link=f"{link}{cta.id}/",
            )


@event
@dataclass(frozen=True)
class CtaAccepted(Event):
    """A CSE accepted the CTA, or a manager assigned (or reassigned) it."""

    name = "cta.accepted"
    cta: Any
    cse: Any
    actor: Any
    previous: Any  # the CSE it was taken from, if any
    # What the assigning manager wrote into the emails it sends, by email name
    # (ctas.notifications); an email not named goes as drafted.
    wording: Mapping[str, Wording] = local_field(default_factory=dict)

    @property
    def assigned(self) -> bool:
        return self.actor.pk != self.cse.pk

    def timeline(self) -> Iterator[Entry]:
        cta = self.cta
        yield Entry(
            account_id=cta.account_id,
            kind="cta",
            title=f"{self.actor} assigned {cta.name} to {self.cse}"
            if self.assigned
            else f"{self.cse} accepted {cta.name}",
            actor=self.actor,
            link=cta.get_absolute_url(),
        )


@event
@dataclass(frozen=True)
class CtaClosed(Event):
    """The CTA was closed, by its owner, a manager, or with its engagement request."""

    name = "cta.closed"
    cta: Any
    actor: Any
    reason: str
    wording: Mapping[str, Wording] = local_field(default_factory=dict)

    def timeline(self) -> Iterator[Entry]:
        cta = self.cta
        yield Entry(
            account_id=cta.account_id,
            kind="cta",
            title=f"CTA closed: {cta.name}",
            body=self.reason,
            actor=self.actor,
            link=cta.get_absolute_url(),
        )


@event
@dataclass(frozen=True)
class OutreachSent(Event):
    """The CTA's outreach email was written to the outbox, in its owner's name."""

    name = "cta.outreach_sent"
    cta: Any
    actor: Any
    message: Any  # the outbox message

    def timeline(self) -> Iterator[Entry]:
        cta, message = self.cta, self.message
        yield Entry(
            account_id=cta.account_id,
            kind="cta",
            title=f"Outreach sent: {message.subject}",
            body=f"To {', '.join(message.to)}"
            + (f", {', '.join(message.cc)} in copy" if message.cc else "")
            + f", for {cta.name}.",
            actor=self.actor,
            link=cta.get_absolute_url(),
        )
