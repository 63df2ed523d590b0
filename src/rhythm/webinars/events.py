"""What happens to webinars and labs (core.events). Events belong to no account, so
none writes a timeline line; the emails they cause are in notifications.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rhythm.core.events import Event, event, local_field


@event
@dataclass(frozen=True)
class WebinarMoved(Event):
    """An event was published, delivered, closed or cancelled."""

    name = "webinar.moved"
    webinar: Any
    from_state: str
    to_state: str
    actor: Any


@event
@dataclass(frozen=True)
class WebinarChanged(Event):
    """A published event's title or time changed: its registrants are told."""

    name = "webinar.changed"
    webinar: Any
    changed: list[str]  # the fields, of services.planning.TOLD_REGISTRANTS
    actor: Any


@event
@dataclass(frozen=True)
class SignedUp(Event):
    """A CSE signed up as an event's DRI (host) or Q&A helper."""

    name = "webinar.signed_up"
    webinar: Any
    member: Any
    role: str


@event
@dataclass(frozen=True)
class RegistrationReceived(Event):
    """A visitor registered (or registered again): the link to confirm goes to them.
    The link is known only here, never in the payload."""

    name = "registration.received"
    registration: Any
    url: str = local_field(default="")


@event
@dataclass(frozen=True)
class RegistrationConfirmed(Event):
    """A registrant confirmed: a seat, or a place on the waiting list."""

    name = "registration.confirmed"
    registration: Any
    waitlisted: bool
    url: str = local_field(default="")


@event
@dataclass(frozen=True)
class RegistrationCancelled(Event):
    name = "registration.cancelled"
    registration: Any


@event
@dataclass(frozen=True)
class WaitlistPromoted(Event):
    """A seat freed up and went to the first on the waiting list."""

    name = "registration.promoted"
    registration: Any


@event
@dataclass(frozen=True)
class EnvironmentRequested(Event):
    """The DRI filed the lab's environment request (late or not): the demo
    architects are told."""

    name = "environment.requested"
    request: Any
    actor: Any


@event
@dataclass(frozen=True)
class EnvironmentMoved(Event):
    """A demo architect moved the request on the board; at Ready the DRI is told."""

    name = "environment.moved"
    request: Any
    from_state: str
    to_state: str
    actor: Any


@event
@dataclass(frozen=True)
class CodeRedeemed(Event):
    """An attendee redeemed the lab's production code: their access window began."""

    name = "lab.code_redeemed"
    redemption: Any


@event
@dataclass(frozen=True)
class PostEventSent(Event):
    """The program manager sent the post-event emails (attendees and no-shows)."""

    name = "webinar.post_event_sent"
    webinar: Any
    attendees: int
    no_shows: int
    actor: Any
