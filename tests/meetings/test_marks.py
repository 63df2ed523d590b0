"""A checklist item past its due time is marked late; a spot call is booked on its
CSE's zone, and the page says it."""

from datetime import UTC, datetime, timedelta

from django.test import Client
from django.utils import timezone

from rhythm.meetings import services as meetings
from rhythm.meetings.models import ChecklistItem
from tests.factories import AccountFactory
from tests.followups.test_followups import _book, cta  # noqa: F401  (a fixture)


def _page(user, meeting) -> str:
    client = Client()
    client.force_login(user)
    return client.get(meeting.get_absolute_url()).content.decode()


def test_a_checklist_item_past_its_due_time_is_marked_late(cast, cta):  # noqa: F811
    meeting = _book(cta)
    first, second, *_ = meeting.checklist.order_by("position")
    ChecklistItem.objects.filter(pk__in=[first.pk, second.pk]).update(
        due_at=timezone.now() - timedelta(hours=1)
    )
    meetings.set_checklist_item(second, done=True, actor=cast.cse)
    page = _page(cast.cse, meeting)
    assert page.count('data-testid="late"') == 1  # the open one, not the done one
    first.refresh_from_db()
    assert first.late and not ChecklistItem.objects.get(pk=second.pk).late


def test_a_spot_call_is_booked_on_its_cses_zone(cast):
    cse = cast.cse
    cse.time_zone = "Europe/Berlin"
    cse.save()
    account = AccountFactory(account_owner=cast.account_owner, csm=cast.csm)
    wall_clock = datetime.combine(timezone.now().date() + timedelta(days=3), datetime.min.time())
    meeting = meetings.schedule_spot_meeting(
        account=account,
        topic="Runners",
        cse=cse,
        actor=cast.csm,
        scheduled_at=wall_clock.replace(hour=15),
    )
    assert meeting.time_zone == "Europe/Berlin"
    meeting.refresh_from_db()
    assert meeting.scheduled_at.astimezone(UTC).hour in {13, 14}  # 15:00 in Berlin
    assert "booked in Europe/Berlin" in _page(cse, meeting)
