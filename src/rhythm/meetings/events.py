"""What happens to customer meetings (core.events)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from rhythm.core.events import Entry, Event, event
from rhythm.meetings import rules


def _when(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%d %b %Y, %H:%M %Z}"


@event
@dataclass(frozen=True)
class MeetingSetUp(Event):
    """A meeting was set up (a spot engagement's call), with or without its time."""

    name = "meeting.set_up"
    meeting: Any
    actor: Any

    def timeline(self) -> Iterator[Entry]:
        meeting = self.meeting
        yield Entry(
            account_id=meeting.account_id,
            kind="meeting",
            title=f"{meeting.name} ({meeting.timeline_type})",
            body=f"Scheduled for {meeting.scheduled_at:%d %b %Y, %H:%M %Z}."
            if meeting.scheduled_at
            else "",
            actor=self.actor,
            link=meeting.get_absolute_url(),
        )


@event
@dataclass(frozen=True)
class MeetingScheduled(Event):
    """A meeting's time was set, or moved."""

    name = "meeting.scheduled"
    meeting: Any
    actor: Any
    moved: bool

    def timeline(self) -> Iterator[Entry]:
        meeting = self.meeting
        yield Entry(
            account_id=meeting.account_id,
            kind="meeting",
            title=f"{meeting.name} {'moved to' if self.moved else 'scheduled for'} "
            f"{_when(meeting.scheduled_at)}",
            actor=self.actor,
            link=meeting.get_absolute_url(),
        )


@event
@dataclass(frozen=True)
class MeetingHeld(Event):
    """The call was held and logged."""

    name = "meeting.held"
    meeting: Any
    actor: Any
    notes: str  # what was written as the call was logged
    attendees: str = ""  # who was there, as one line

    def timeline(self) -> Iterator[Entry]:
        meeting = self.meeting
        yield Entry(
            account_id=meeting.account_id,
            kind="meeting",
            title=f"{meeting.name} held ({meeting.timeline_type})",
            body=rules.held_entry_body(
                attendees=self.attendees,
                summary=meeting.summary,
                outcome=meeting.outcome,
                notes=self.notes,
            ),
            actor=self.actor,
            link=meeting.get_absolute_url(),
        )


@event
@dataclass(frozen=True)
class MeetingPrepared(Event):
    """Every item of the meeting's preparation checklist is done."""

    name = "meeting.prepared"
    meeting: Any
    actor: Any

    def timeline(self) -> Iterator[Entry]:
        meeting = self.meeting
        yield Entry(
            account_id=meeting.account_id,
            kind="meeting",
            title=f"{meeting.name} prepared: its checklist is done",
            actor=self.actor,
            link=meeting.get_absolute_url(),
        )
