"""What happens to CS Help cases (core.events)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rhythm.cases.choices import CaseKind
from rhythm.core.events import Entry, Event, event


@event
@dataclass(frozen=True)
class CaseOpened(Event):
    """An account owner opened a CS Help case on an opportunity."""

    name = "case.opened"
    case: Any
    actor: Any

    def timeline(self) -> Iterator[Entry]:
        case = self.case
        yield Entry(
            account_id=case.account_id,
            kind="case",
            title=f"{CaseKind(case.kind).label} case opened on {case.opportunity.name}",
            body=case.challenges,
            actor=self.actor,
            link=case.get_absolute_url(),
        )


@event
@dataclass(frozen=True)
class CaseMoved(Event):
    """A case moved with its CTA (accepted, closed); the CTA's entry tells it on the
    timeline."""

    name = "case.moved"
    case: Any
    from_state: str
    to_state: str
    actor: Any
