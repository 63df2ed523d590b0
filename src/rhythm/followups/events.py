"""What happens to follow-ups (core.events)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rhythm.core.events import Entry, Event, event


@event
@dataclass(frozen=True)
class FollowUpOpened(Event):
    """A call was logged: its follow-up is due."""

    name = "followup.opened"
    follow_up: Any
    actor: Any

    def timeline(self) -> Iterator[Entry]:
        follow_up = self.follow_up
        yield Entry(
            account_id=follow_up.account_id,
            kind="followup",
            title=f"Follow-up of {follow_up.meeting.name} due {follow_up.due_at:%d %b %Y}",
            actor=self.actor,
            link=follow_up.get_absolute_url(),
        )


@event
@dataclass(frozen=True)
class FollowUpSent(Event):
    """The follow-up email went (it is in the outbox), on time or late."""

    name = "followup.sent"
    follow_up: Any
    actor: Any

    def timeline(self) -> Iterator[Entry]:
        follow_up = self.follow_up
        yield Entry(
            account_id=follow_up.account_id,
            kind="followup",
            title=f"Follow-up of {follow_up.meeting.name} sent "
            f"{'on time' if follow_up.on_time else 'late'}",
            body=follow_up.summary,
            actor=self.actor,
            link=follow_up.get_absolute_url(),
        )
