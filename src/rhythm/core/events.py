"""Domain events: a service announces what happened; side effects subscribe.

A service decides and writes, then calls `publish(SomethingHappened(...))` inside
its transaction. Two kinds of subscriber hear it:

- **in the transaction** (`@subscribe(Event)`): the timeline entry, the emails
  written to the outbox. They run at once, inside the publisher's transaction,
  so they commit or roll back with the change they describe.
- **after commit** (`@subscribe(Event, durable=True)`): whatever talks to the
  outside (webhooks, Slack, a search index). Publishing writes one
  `EventDelivery` row per such subscriber in the same transaction; the queue
  feeds each row to its subscriber after commit, once (a conditional UPDATE
  claims it), retrying on failure. These handlers get the event's JSON payload,
  not the event (they may run in another process, later), and a delivery key.
  A worker killed mid-delivery leaves its claim, released after STALE_CLAIM and
  delivered again: at least once, with the same key each time, so the outside
  (a webhook's receiver) can tell a repeat.

The handbook's rules are not events: "a CSE-help case yields one CTA" stays an
explicit call in the case's service, where a reader follows it. Subscribers
carry side effects only, and never make a decision.

Each app declares its events in its own `events.py` (frozen dataclasses, one per
thing that happened); `catalog()` lists them all with their payload fields, and
docs/architecture.md shows that list.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from rhythm.core import rules
from rhythm.core.choices import DeliveryStatus
from rhythm.core.models import EventDelivery

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    """A line an event writes on an account's timeline (the timeline app writes it)."""

    account_id: int
    kind: str  # a code some app declared in its `timeline_kinds`
    title: str
    body: str = ""
    actor: Any = None
    link: str = ""
    occurred_at: datetime | None = None


@dataclass(frozen=True)
class Event:
    """Something that happened, named in the past tense. Subclasses are frozen
    dataclasses whose fields are the payload; a field holding a model row is
    sent as its id."""

    name: ClassVar[str] = ""

    def timeline(self) -> Iterable[Entry]:
        """What the event writes on the account timeline; nothing by default."""
        return ()

    def payload(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in _payload_fields(self)}

    @classmethod
    def payload_fields(cls) -> list[str]:
        return [f.name for f in _payload_fields(cls)]


# A field declared with `local_field()` is for the subscribers in the transaction
# (the words a person wrote into the emails the change sends), not for the outside.
LOCAL = "local"


def local_field(**kwargs: Any) -> Any:
    return dataclasses.field(metadata={LOCAL: True}, **kwargs)


def _payload_fields(event: Any) -> list[dataclasses.Field]:
    return [f for f in dataclasses.fields(event) if not f.metadata.get(LOCAL)]


def _plain(value: Any) -> Any:
    """A payload value as JSON: rows by their id, times as ISO 8601."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


E = TypeVar("E", bound=Event)


@dataclass(frozen=True)
class Subscriber:
    event_type: type[Event]
    handler: Callable[..., None]
    durable: bool

    @property
    def name(self) -> str:
        return f"{self.handler.__module__}.{self.handler.__qualname__}"


_subscribers: list[Subscriber] = []
_events: dict[str, type[Event]] = {}


def event(cls: type[E]) -> type[E]:
    """Register an event class in the catalog (its `name` must be unique)."""
    if not cls.name:
        raise ValueError(f"{cls.__qualname__} needs a name, such as 'case.opened'.")
    known = _events.get(cls.name)
    if known is not None and known.__qualname__ != cls.__qualname__:
        raise ValueError(f"Two events are named {cls.name!r}.")
    _events[cls.name] = cls
    return cls


def subscribe(
    event_type: type[Event] = Event, *, durable: bool = False
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Subscribe the decorated function to `event_type` (and its subclasses; the
    base `Event` hears every event). Call it at import of an app's subscribers
    module, which the app's config lists in `subscribers`."""

    def register(handler: Callable[..., None]) -> Callable[..., None]:
        subscriber = Subscriber(event_type, handler, durable)
        # A module imported twice (tests reloading it) subscribes once.
        if all((s.name, s.event_type) != (subscriber.name, event_type) for s in _subscribers):
            _subscribers.append(subscriber)
        return handler

    return register


def subscribers_of(evt: Event) -> list[Subscriber]:
    return [s for s in _subscribers if isinstance(evt, s.event_type)]


def durable_subscriber(name: str) -> Subscriber | None:
    return next((s for s in _subscribers if s.durable and s.name == name), None)


def publish(*events: Event) -> None:
    """Announce events inside the caller's transaction (outside one is a bug: a
    subscriber's writes would not be atomic with the change they follow)."""
    if not connection.in_atomic_block:
        raise RuntimeError("Publish events inside the transaction of the change they announce.")
    durable: list[tuple[Event, Subscriber]] = []
    for evt in events:
        for subscriber in subscribers_of(evt):
            if subscriber.durable:
                durable.append((evt, subscriber))
            else:
                subscriber.handler(evt)
    if durable:
        _record_deliveries(durable)


def _record_deliveries(pairs: list[tuple[Event, Subscriber]]) -> None:
    """One delivery row per (event, durable subscriber), in the publisher's
    transaction; the queue feeds them after commit."""
    # A real cycle: core.tasks imports this module to deliver what it records.
    from rhythm.core.tasks import deliver_events

    EventDelivery.objects.bulk_create(
        EventDelivery(event=evt.name, payload=evt.payload(), subscriber=sub.name)
        for evt, sub in pairs
    )
    transaction.on_commit(deliver_events)


# A claim older than this belonged to a worker that died mid-delivery.
STALE_CLAIM = timedelta(minutes=5)


def deliver_due(limit: int = 500) -> int:
    """Feed every due delivery to its subscriber, each once; returns how many went."""
    now = timezone.now()
    EventDelivery.objects.filter(
        status=DeliveryStatus.DELIVERING, claimed_at__lt=now - STALE_CLAIM
    ).update(status=DeliveryStatus.PENDING, claimed_at=None)
    due = EventDelivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).values_list("pk", flat=True)[:limit]
    return sum(deliver(pk) for pk in list(due))


def deliver(delivery_id: int) -> bool:
    """Hand one delivery to its subscriber if, and only if, this call wins the claim."""
    now = timezone.now()
    claimed = EventDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(status=DeliveryStatus.DELIVERING, claimed_at=now, attempts=models.F("attempts") + 1)
    if not claimed:
        return False
    delivery = EventDelivery.objects.get(pk=delivery_id)
    subscriber = durable_subscriber(delivery.subscriber)
    try:
        if subscriber is None:
            raise LookupError(f"No subscriber {delivery.subscriber} is installed.")
        subscriber.handler(delivery.payload, f"{delivery.event}:{delivery.pk}")
    except Exception as exc:  # noqa: BLE001 - a subscriber's failure is retried
        retry_at = rules.next_delivery_attempt(delivery.attempts, timezone.now())
        EventDelivery.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.PENDING if retry_at else DeliveryStatus.FAILED,
            next_attempt_at=retry_at or delivery.next_attempt_at,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            claimed_at=None,
        )
        log.warning("event delivery %s to %s failed: %s", delivery_id, delivery.subscriber, exc)
        return False
    EventDelivery.objects.filter(pk=delivery_id).update(
        status=DeliveryStatus.DELIVERED, delivered_at=timezone.now(), last_error=""
    )
    return True


def catalog() -> list[tuple[str, type[Event]]]:
    """Every event of every installed app by name: the list a webhook subscriber
    chooses from."""
    autodiscover_modules("events")
    return sorted(_events.items())
