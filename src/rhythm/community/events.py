"""What happens to community events (core.events): each writes the account's timeline."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rhythm.core.events import Entry, Event, event


def _line(community_event: Any, verb: str, actor: Any) -> Entry:
    names = ", ".join(u.get_full_name() or u.username for u in community_event.contributors.all())
    return Entry(
        account_id=community_event.account_id,
        kind="community",
        title=f"{community_event.get_contribution_display()} at "
        f"{community_event.get_kind_display().lower()} {community_event.name} {verb}",
        body="\n\n".join(
            part
            for part in (
                f"By {names}, {community_event.date:%d %b %Y}." if names else "",
                community_event.details,
                f"Outcome: {community_event.outcome}" if community_event.outcome else "",
            )
            if part
        ),
        actor=actor,
        link=community_event.get_absolute_url(),
    )


@event
@dataclass(frozen=True)
class CommunityEventLogged(Event):
    name = "community.event_logged"
    community_event: Any
    actor: Any

    def timeline(self) -> Iterator[Entry]:
        yield _line(self.community_event, "logged", self.actor)


@event
@dataclass(frozen=True)
class CommunityEventUpdated(Event):
    """Its date, contributors, contribution or outcome changed (the outcome usually
    comes after the event)."""

    name = "community.event_updated"
    community_event: Any
    actor: Any
    changed: list[str]

    def timeline(self) -> Iterator[Entry]:
        if "outcome" in self.changed:
            yield _line(self.community_event, "outcome recorded", self.actor)


@event
@dataclass(frozen=True)
class CommunityEventArchived(Event):
    name = "community.event_archived"
    community_event: Any
    actor: Any
