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


@event
@dataclass(frozen=True)
class QuestionAsked(Event):
    """A customer's further question, for the CSE who held the call."""

    name = "followup.question_asked"
    question: Any
    actor: Any

    def timeline(self) -> Iterator[Entry]:
        question = self.question
        yield Entry(
            account_id=question.account_id,
            kind="followup",
            title=f"Further question after {question.meeting.name}, for {question.cse}",
            body=question.question,
            actor=self.actor,
            link=question.meeting.get_absolute_url(),
        )


@event
@dataclass(frozen=True)
class QuestionAnswered(Event):
    """The CSE answered a further question, on time or late."""

    name = "followup.question_answered"
    question: Any
    actor: Any

    def timeline(self) -> Iterator[Entry]:
        question = self.question
        yield Entry(
            account_id=question.account_id,
            kind="followup",
            title=f"Further question after {question.meeting.name} answered "
            f"{'on time' if question.on_time else 'late'}",
            body=question.answer,
            actor=self.actor,
            link=question.meeting.get_absolute_url(),
        )


def _clock_title(kind: str, item: Any) -> str:
    what = "Follow-up of" if kind == "follow_up" else "Question after"
    return f"{what} {item.meeting.name}"


@event
@dataclass(frozen=True)
class ClockPaused(Event):
    """An SLA clock waits on the customer: its due time stops."""

    name = "followup.clock_paused"
    kind: str
    item: Any
    actor: Any

    def timeline(self) -> Iterator[Entry]:
        yield Entry(
            account_id=self.item.account_id,
            kind="followup",
            title=f"{_clock_title(self.kind, self.item)}: clock paused",
            body=self.item.pause_reason,
            actor=self.actor,
            link=self.item.meeting.get_absolute_url(),
        )


@event
@dataclass(frozen=True)
class ClockResumed(Event):
    """An SLA clock runs again, its due time moved on by the working time it waited."""

    name = "followup.clock_resumed"
    kind: str
    item: Any
    actor: Any
    paused_at: Any

    def timeline(self) -> Iterator[Entry]:
        yield Entry(
            account_id=self.item.account_id,
            kind="followup",
            title=f"{_clock_title(self.kind, self.item)}: clock resumed, due "
            f"{self.item.due_at:%d %b %Y %H:%M %Z}",
            actor=self.actor,
            link=self.item.meeting.get_absolute_url(),
        )
