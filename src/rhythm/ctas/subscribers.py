"""A CTA's call tasks follow its customer meetings. The meetings app never writes a
CTA: the CTA's app hears the meeting move and ticks the task through its service."""

from __future__ import annotations

from rhythm.core.events import subscribe
from rhythm.ctas import services
from rhythm.meetings.events import MeetingHeld, MeetingPrepared, MeetingScheduled, MeetingSetUp


@subscribe(MeetingSetUp)
@subscribe(MeetingScheduled)
def meeting_scheduled(event: MeetingSetUp | MeetingScheduled) -> None:
    meeting = event.meeting
    if meeting.cta_id is not None and meeting.scheduled_at is not None:
        services.tick_meeting_task(meeting.cta_id, stage="scheduled", actor=event.actor)


@subscribe(MeetingPrepared)
def meeting_prepared(event: MeetingPrepared) -> None:
    if event.meeting.cta_id is not None:
        services.tick_meeting_task(event.meeting.cta_id, stage="prepared", actor=event.actor)


@subscribe(MeetingHeld)
def meeting_held(event: MeetingHeld) -> None:
    if event.meeting.cta_id is not None:
        services.tick_meeting_task(event.meeting.cta_id, stage="held", actor=event.actor)
