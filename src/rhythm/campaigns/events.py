"""What happens to campaigns (core.events)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rhythm.core.events import Entry, Event, event


@event
@dataclass(frozen=True)
class CampaignMoved(Event):
    """A campaign was approved, activated, paused, or sent back to draft."""

    name = "campaign.moved"
    campaign: Any
    transition: Any  # a campaign belongs to no one account: no timeline line


@event
@dataclass(frozen=True)
class CampaignSent(Event):
    """A campaign went to an account's contacts (their emails are in the outbox)."""

    name = "campaign.sent"
    send: Any
    contacts: Any  # the contacts written to
    actor: Any

    def timeline(self) -> Iterator[Entry]:
        names = ", ".join(c.name for c in self.contacts)
        yield Entry(
            account_id=self.send.account_id,
            kind="campaign",
            title=f"Campaign “{self.send.campaign.name}” sent to {names}",
            actor=self.actor,
            link=self.send.campaign.get_absolute_url(),
            occurred_at=self.send.sent_at,
        )


@event
@dataclass(frozen=True)
class ContactUnsubscribed(Event):
    """A contact unsubscribed from campaign emails, through the link in one."""

    name = "campaign.unsubscribed"
    unsubscribe: Any

    def timeline(self) -> Iterator[Entry]:
        contact = self.unsubscribe.contact
        yield Entry(
            account_id=contact.account_id,
            kind="campaign",
            title=f"{contact.name} unsubscribed from campaign emails",
            occurred_at=self.unsubscribe.at,
        )
