"""Meetings through the API: booking, its refusals (422 naming the field), the
checklist and the feed's address."""

from datetime import timedelta

import icalendar
import pytest
from django.test import Client
from django.utils import timezone

from rhythm.cases import services as cases
from rhythm.ctas import services as ctas
from rhythm.ctas.choices import TaskStatus
from tests.core.test_api_auth_and_errors import assert_error


@pytest.fixture
def cta(cast, case_data, covering_cse):
    cta = cases.open_case(cast.account_owner, case_data).case.cta
    ctas.accept(cta, cse=covering_cse, actor=covering_cse)
    return cta


def _booking(cta_, **changes) -> dict:
    cta = cta_
    return {
        "cta": cta.pk,
        "scheduled_at": (timezone.now() + timedelta(days=4)).replace(microsecond=0).isoformat(),
        "time_zone": "America/New_York",
        "contacts": [c.pk for c in cta.account.contacts.all()],
        "video_url": "https://meet.example/x",
        **changes,
    }


def test_booking_ticking_and_logging_through_the_api(api, cast, cta):
    client = api(cast.cse)
    booked = client.post("/meetings", _booking(cta))
    assert booked.status_code == 201, booked.content
    meeting = booked.json()
    assert meeting["time_zone"] == "America/New_York" and meeting["ae"] == cast.account_owner.pk
    items = client.get(f"/meetings/{meeting['id']}/checklist").json()
    research = [i for i in items if i["account_facts"] is not None]
    assert len(research) == 1
    assert research[0]["account_facts"]["licenses_used"] == cta.account.licenses_used
    for item in items:
        ticked = client.post(f"/meetings/{meeting['id']}/checklist/{item['id']}", {"done": True})
        assert ticked.status_code == 200 and ticked.json()["done"]
    assert client.get(f"/meetings/{meeting['id']}").json()["prepared_at"] is not None
    held = client.post(
        f"/meetings/{meeting['id']}/held", {"summary": "Went well.", "outcome": "Next: runners."}
    )
    assert held.json()["status"] == "held" and held.json()["outcome"] == "Next: runners."
    statuses = {t.title.split(" ")[0]: t.status for t in cta.tasks.all()}
    assert statuses["Schedule"] == statuses["Prepare"] == statuses["Hold"] == TaskStatus.DONE


def test_a_call_in_the_past_is_a_422_naming_the_field(api, cast, cta):
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    response = api(cast.cse).post("/meetings", _booking(cta, scheduled_at=past))
    assert_error(response, 422, "scheduled_at")
    assert not cta.meetings.exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"cta": None}, "cta"),
        ({"time_zone": "Nowhere/Land"}, "time_zone"),
        ({"duration_minutes": 1}, "duration_minutes"),
        ({"video_url": "not a link"}, "video_url"),
    ],
)
def test_bad_bookings_name_their_field(api, cast, cta, changes, field):
    assert_error(api(cast.cse).post("/meetings", _booking(cta, **changes)), 422, field)


def test_the_feed_address_works_until_reset(api, cast, cta):
    client = api(cast.cse)
    client.post("/meetings", _booking(cta))
    url = client.get("/calendar-feed").json()["url"]
    feed = Client().get(url)
    assert len(icalendar.Calendar.from_ical(feed.content).walk("VEVENT")) == 1
    fresh = client.post("/calendar-feed/reset").json()["url"]
    assert fresh != url
    assert Client().get(url).status_code == 404
    assert Client().get(fresh).status_code == 200
