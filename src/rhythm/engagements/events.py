"""What happens to complex engagement requests (core.events)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rhythm.core.events import Entry, Event, event
from rhythm.engagements.choices import RequestState

# How the timeline says each move, by the state it reached.
_SAID = {
    RequestState.CLARIFICATION: "asked for clarification",
    RequestState.REJECTED: "rejected",
    RequestState.COMPLETE: "completed",
    RequestState.CLOSED: "closed",
}


@event
@dataclass(frozen=True)
class RequestFiled(Event):
    """A CSM filed a complex engagement request; it waits in Review."""

    name = "request.filed"
    request: Any
    transition: Any

    def timeline(self) -> Iterator[Entry]:
        request = self.request
        yield Entry(
            account_id=request.account_id,
            kind="request",
            title=f"Engagement request filed: {request.title}",
            body=request.outcome,
            actor=self.transition.actor,
            link=request.get_absolute_url(),
        )


@event
@dataclass(frozen=True)
class RequestMoved(Event):
    """A request moved through the review workflow (its Transition says how)."""

    name = "request.moved"
    request: Any
    transition: Any

    def timeline(self) -> Iterator[Entry]:
        request, move = self.request, self.transition
        target = RequestState(move.to_state)
        if target == RequestState.REVIEW:
            said = "answered" if move.from_state == RequestState.CLARIFICATION else "reviewed"
        elif target == RequestState.STARTED:
            said = f"qualified and assigned {request.assigned_cse}"
        else:
            said = _SAID[target]
        yield Entry(
            account_id=request.account_id,
            kind="transition",
            title=f"{move.actor} {said}: {request.title}",
            body=move.reason,
            actor=move.actor,
            link=request.get_absolute_url(),
        )


@event
@dataclass(frozen=True)
class RequestCompleted(Event):
    """The CSE marked the engagement complete (announced beside its RequestMoved,
    which writes the timeline line): what the customer is asked about afterwards,
    such as the NPS survey, hangs on this."""

    name = "request.completed"
    request: Any
    transition: Any
