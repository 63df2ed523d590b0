from collections.abc import Iterator
from dataclasses import dataclass

from rhythm.core.events import Entry, Event, event


@event
@dataclass(frozen=True)
class Pinged(Event):
    name = "throwaway.pinged"
    account_id: int
    text: str

    def timeline(self) -> Iterator[Entry]:
        yield Entry(account_id=self.account_id, kind="ping", title=f"Pinged: {self.text}")
