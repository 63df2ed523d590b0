"""A logged call opens its follow-up, in the transaction that logs it: the meetings
app never writes a follow-up."""

from __future__ import annotations

from rhythm.core.events import subscribe
from rhythm.followups import services
from rhythm.meetings.events import MeetingHeld


@subscribe(MeetingHeld)
def call_logged(event: MeetingHeld) -> None:
    services.open_for_meeting(event.meeting, actor=event.actor)
