"""Slack through a real huey worker: the raise commits, its delivery is queued on
commit, and the worker posts to the (faked) webhook once."""

from __future__ import annotations

import pytest
import responses
from django.test import override_settings

from rhythm.core.choices import DeliveryStatus
from rhythm.core.models import EventDelivery
from rhythm.escalations import services
from tests.conftest import make_cast
from tests.core.test_queue import (  # noqa: F401  (fixtures)
    consumer,
    queue_name,
    real_queue,
    wait_for,
)
from tests.escalations.helpers import ACCOUNT_ESCALATION, qualifying_account

pytestmark = [pytest.mark.queue, pytest.mark.django_db(transaction=True)]

SLACK = "https://hooks.slack.example/services/T000/B000/QUEUE"


@override_settings(RHYTHM_SLACK_WEBHOOK_URL=SLACK)
def test_a_worker_tells_slack_once_after_commit(real_queue):  # noqa: F811
    cast = make_cast()
    account = qualifying_account(cast)
    with responses.RequestsMock() as slack:
        slack.post(SLACK, body="ok")
        services.raise_escalation(cast.csm, {**ACCOUNT_ESCALATION, "account": account.pk})

        def delivered() -> bool:
            return EventDelivery.objects.filter(
                event="escalation.raised", status=DeliveryStatus.DELIVERED
            ).exists()

        # Committed (no test transaction): the delivery waits in the queue (beside the
        # outbox's email), not sent yet.
        assert len(slack.calls) == 0 and not delivered()
        assert real_queue.pending_count() >= 1

        with consumer(real_queue):
            wait_for(delivered, "the worker to deliver the event to Slack")
        assert len(slack.calls) == 1
        assert account.name in slack.calls[0].request.body.decode()
