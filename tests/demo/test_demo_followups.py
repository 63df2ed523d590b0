"""The demo's follow-ups: a CSE sees a clock in each state on their home, their
further questions wait for them, and a breach reaches their manager."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from rhythm.followups import clocks
from rhythm.followups.choices import ClockKind, ClockState
from rhythm.followups.models import FollowUp, FurtherQuestion
from rhythm.people.models import User
from tests.demo.conftest import TODAY

pytestmark = pytest.mark.usefixtures("demo", "db")

# Minutes after the demo was loaded (tests/demo/conftest.py's TODAY).
SOON_AFTER = datetime.combine(TODAY, datetime.min.time(), UTC) + timedelta(minutes=5)


def test_the_demo_runs_a_clock_in_every_state():
    running = clocks.clocks(None, now=SOON_AFTER)
    follow_ups = {c.state for c in running if c.kind == ClockKind.FOLLOW_UP}
    assert follow_ups == set(ClockState)
    assert FurtherQuestion.objects.filter(answered_at=None).count() == 7
    manager = User.objects.get(username="maria.manager")
    assert all(f.cse.manager == manager for f in FollowUp.objects.select_related("cse"))


def test_the_scan_tells_the_breached_clocks_manager():
    result = clocks.scan(now=SOON_AFTER)
    assert result.breached >= 1 and result.due_soon >= 1
    assert clocks.scan(now=SOON_AFTER).written == 0  # once


def test_a_demo_cse_sees_their_clocks_on_home():
    cse = FollowUp.objects.order_by("pk").first().cse
    client = Client()
    client.force_login(cse)
    with time_machine.travel(SOON_AFTER):
        page = client.get(reverse("home")).content.decode()
    assert 'data-testid="clock-row"' in page
    assert client.get(reverse("followups:questions")).status_code == 200
