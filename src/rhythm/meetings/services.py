"""Use cases for customer meetings. Every change is announced (meetings.events), and
the account timeline logs each one."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from rhythm.core import events
from rhythm.meetings import rules
from rhythm.meetings.choices import MeetingKind, MeetingStatus
from rhythm.meetings.events import MeetingHeld, MeetingScheduled, MeetingSetUp
from rhythm.meetings.models import Meeting


def _ahead(scheduled_at: datetime) -> datetime:
    """A call's time, aware, and not in the past."""
    if timezone.is_naive(scheduled_at):
        scheduled_at = timezone.make_aware(scheduled_at)
    if scheduled_at < timezone.now():
        raise ValidationError(
            {
                "scheduled_at": ValidationError(
                    "The time has passed: give one ahead, or log the call as held.",
                    code="past",
                )
            }
        )
    return scheduled_at


@transaction.atomic
def schedule_spot_meeting(
    *, account, topic: str, cse, actor, participants=(), scheduled_at: datetime | None = None
) -> Meeting:
    """A spot engagement's one call: named `CSE: <topic>`, the CSE among its participants."""
    if scheduled_at is not None:
        scheduled_at = _ahead(scheduled_at)
    meeting = Meeting.objects.create(
        account=account,
        name=rules.spot_meeting_name(topic),
        kind=MeetingKind.SPOT,
        cse=cse,
        scheduled_at=scheduled_at,
        created_by=actor,
    )
    meeting.participants.set({cse, actor, *participants})
    events.publish(MeetingSetUp(meeting, actor))
    return meeting


def may_run(meeting: Meeting, actor) -> bool:
    return rules.runs_the_call(
        meeting_cse_id=meeting.cse_id,
        actor_id=actor.pk,
        is_manager=actor.manages_cses,
    )


def _locked_for(meeting: Meeting, actor) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not may_run(meeting, actor):
        raise PermissionDenied(f"Only {meeting.cse} (the meeting's CSE) or a manager runs it.")
    return meeting


@transaction.atomic
def log_held(meeting: Meeting, *, actor, notes: str = "") -> Meeting:
    """Log the call as held, once. A call held before its booked time was moved
    forward: its time becomes now, so the KPIs count it when it happened."""
    meeting = _locked_for(meeting, actor)
    if meeting.status == MeetingStatus.HELD:
        raise ValidationError(
            {"status": ValidationError("The call is logged as held already.", code="held")}
        )
    now = timezone.now()
    if meeting.scheduled_at is not None and meeting.scheduled_at > now:
        meeting.scheduled_at = now
    meeting.status = MeetingStatus.HELD
    meeting.held_at = now
    if notes:
        meeting.notes = notes
    meeting.save(update_fields=["status", "held_at", "scheduled_at", "notes", "updated_at"])
    events.publish(MeetingHeld(meeting, actor, notes))
    return meeting


@transaction.atomic
def schedule(meeting: Meeting, *, actor, scheduled_at: datetime | None) -> Meeting:
    """Set or move the call's time, until it is held."""
    meeting = _locked_for(meeting, actor)
    if scheduled_at is None:
        raise ValidationError(
            {
                "scheduled_at": ValidationError(
                    "Give the date and time of the call.", code="required"
                )
            }
        )
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(
            {
                "scheduled_at": ValidationError(
                    "The call was held already; its time can no longer change.", code="held"
                )
            }
        )
    scheduled_at = _ahead(scheduled_at)
    moved = meeting.scheduled_at is not None
    meeting.scheduled_at = scheduled_at
    meeting.save(update_fields=["scheduled_at", "updated_at"])
    events.publish(MeetingScheduled(meeting, actor, moved))
    return meeting
