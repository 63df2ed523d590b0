"""What happens to content and its bugs (core.events).

Content belongs to no account, so none of these writes an account's timeline.
`content.bug_reported` carries the severity: the webinars app, above this one,
subscribes to it to warn the DRI of each upcoming event that uses the item when
the bug is severe (content.rules.SEVERE)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rhythm.core.events import Event, event


@event
@dataclass(frozen=True)
class ContentAdded(Event):
    name = "content.item_added"
    item: Any
    actor: Any


@event
@dataclass(frozen=True)
class ContentMoved(Event):
    """A content item moved along its workflow (the transition says from, to, who, why)."""

    name = "content.item_moved"
    item: Any
    transition: Any


@event
@dataclass(frozen=True)
class BugReported(Event):
    """A bug landed in the content owner's queue. `severe` is the rule's verdict
    (critical or high), so that a subscriber decides nothing."""

    name = "content.bug_reported"
    bug: Any
    item: Any
    severity: str
    severe: bool
    actor: Any


@event
@dataclass(frozen=True)
class BugMoved(Event):
    """A bug was triaged, fixed, closed or reopened."""

    name = "content.bug_moved"
    bug: Any
    transition: Any
