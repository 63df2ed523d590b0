"""The timeline hears every domain event and writes the lines the event describes,
in the transaction of the change (core.events)."""

from __future__ import annotations

from rhythm.core.events import Event, subscribe
from rhythm.timeline import services


@subscribe(Event)
def write_timeline(event: Event) -> None:
    services.record_entries(list(event.timeline()))
