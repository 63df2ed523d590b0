"""What happens to office-hours questions (core.events)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rhythm.core.events import Entry, Event, event


@event
@dataclass(frozen=True)
class QuestionAsked(Event):
    """A CSM brought a question to an office-hours session."""

    name = "question.asked"
    question: Any
    actor: Any

    def timeline(self) -> Iterator[Entry]:
        question = self.question
        yield Entry(
            account_id=question.account_id,
            kind="question",
            title=f"Office-hours question: {question.topic}",
            body=question.context,
            actor=self.actor,
            link=question.get_absolute_url(),
        )


@event
@dataclass(frozen=True)
class QuestionAnswered(Event):
    """The CSE answered the question asynchronously."""

    name = "question.answered"
    question: Any
    actor: Any

    def timeline(self) -> Iterator[Entry]:
        question = self.question
        yield Entry(
            account_id=question.account_id,
            kind="question",
            title=f"{self.actor} answered: {question.topic}",
            body=question.answer,
            actor=self.actor,
            link=question.get_absolute_url(),
        )


@event
@dataclass(frozen=True)
class QuestionTakenToCall(Event):
    """The CSE decided the question needs a call: a spot engagement (its meeting's
    own event writes the timeline line)."""

    name = "question.taken_to_call"
    question: Any
    meeting: Any
    actor: Any
