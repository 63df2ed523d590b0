"""Domain events (core.events): subscribers in the transaction commit or roll back
with the change; after-commit subscribers hear each event once."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import transaction

from rhythm.cases import services as cases
from rhythm.cases.events import CaseOpened
from rhythm.cases.models import Case
from rhythm.core import events
from rhythm.core.choices import DeliveryStatus
from rhythm.core.models import EventDelivery
from rhythm.timeline.models import TimelineEntry

HEARD: list[dict] = []
FAILURES: list[str] = []


@events.event
@dataclass(frozen=True)
class Rang(events.Event):
    """An event of the tests' own, heard only by the subscribers below."""

    name = "test.rang"
    account_id: int
    text: str


@events.subscribe(Rang, durable=True)
def remember(payload: dict, key: str) -> None:
    if FAILURES:
        raise ConnectionError(FAILURES.pop())
    assert key.startswith("test.rang:")
    HEARD.append(payload)


@pytest.fixture(autouse=True)
def clean_slate():
    HEARD.clear()
    FAILURES.clear()


def test_publishing_outside_a_transaction_is_refused(transactional_db):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        events.publish(Rang(1, "loose"))


def test_the_timeline_subscriber_rolls_back_with_the_change(cast, case_data):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        cases.open_case(cast.account_owner, case_data)
        assert TimelineEntry.objects.filter(kind="case").count() == 1
        1 / 0  # noqa: B018 - the use case's caller fails after the write
    assert not Case.objects.exists()
    assert not TimelineEntry.objects.exists()


def test_a_durable_subscriber_hears_each_event_once_after_commit(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        events.publish(Rang(7, "hello"))
        assert HEARD == []  # nothing reaches the outside before the commit
    assert HEARD == [{"account_id": 7, "text": "hello"}]
    delivery = EventDelivery.objects.get()
    assert (delivery.event, delivery.status) == ("test.rang", DeliveryStatus.DELIVERED)
    assert events.deliver(delivery.pk) is False  # delivered: a retry sends nothing
    assert events.deliver_due() == 0
    assert len(HEARD) == 1


def test_a_rolled_back_change_leaves_nothing_to_deliver(db):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        events.publish(Rang(7, "never"))
        1 / 0  # noqa: B018
    assert not EventDelivery.objects.exists()


def test_a_failing_subscriber_is_retried_later_not_lost(db, django_capture_on_commit_callbacks):
    FAILURES.append("webhook down")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        events.publish(Rang(3, "again"))
    delivery = EventDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1 and "webhook down" in delivery.last_error
    EventDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)
    assert events.deliver_due() == 1
    assert HEARD == [{"account_id": 3, "text": "again"}]


def test_every_event_has_a_unique_name_and_a_json_payload_shape():
    catalogue = events.catalog()
    names = [name for name, _ in catalogue]
    assert len(names) == len(set(names))
    assert {"case.opened", "cta.raised", "cta.accepted", "cta.closed", "request.moved"} <= set(
        names
    )
    for name, cls in catalogue:
        assert cls.payload_fields(), name


def test_payloads_name_rows_by_their_id(cast, case_data):
    case = cases.open_case(cast.account_owner, case_data).case
    payload = CaseOpened(case, cast.account_owner).payload()
    assert payload == {"case": case.pk, "actor": cast.account_owner.pk}
    assert json.loads(json.dumps(payload)) == payload


def test_the_architecture_page_lists_every_event():
    page = (Path(__file__).resolve().parents[2] / "docs" / "architecture.md").read_text()
    listed = set(re.findall(r"^\| `([a-z_.]+)` \|", page, re.M))
    shipped = {name for name, cls in events.catalog() if cls.__module__.startswith("rhythm.")}
    assert listed == shipped
