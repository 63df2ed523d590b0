"""Booking a customer call from a CTA or a request, its checklist, the CTA's call
tasks ticking, the invitation and the feed, and logging the call."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from rhythm.cases import services as cases
from rhythm.ctas import services as ctas
from rhythm.ctas.choices import TaskStatus
from rhythm.engagements import services as engagement_services
from rhythm.meetings import rules, services
from rhythm.meetings.models import ChecklistTemplateItem
from rhythm.timeline.models import TimelineEntry
from tests.engagements.helpers import move
from tests.engagements.test_services import STAKEHOLDERS
from tests.engagements_fixtures import TARGET_START
from tests.factories import ContactFactory

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def cta(cast, case_data, covering_cse):
    cta = cases.open_case(cast.account_owner, case_data).case.cta
    ctas.accept(cta, cse=covering_cse, actor=covering_cse)
    return cta


def _in_days(days: int, hour: int = 10) -> datetime:
    """A wall-clock time in Paris, `days` ahead (naive: the zone says where)."""
    day = timezone.now().astimezone(PARIS).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0)


def _details(account, **changes) -> services.Details:
    values = {
        "scheduled_at": _in_days(5),
        "time_zone": "Europe/Paris",
        "duration_minutes": 45,
        "contacts": list(account.contacts.all()),
        "ae": account.account_owner,
        "video_url": "https://meet.example/abc",
        "notes_url": "https://docs.example/notes",
        "deck_url": "https://docs.example/deck",
        **changes,
    }
    return services.Details(**values)


def _task(cta, stage: str):
    return next(t for t in cta.tasks.all() if t.title.startswith(ctas.rules.MEETING_TASKS[stage]))


def test_booking_from_a_cta_copies_the_checklist_and_ticks_schedule(cast, cta):
    meeting = services.book_for_cta(cta, actor=cast.cse, details=_details(cta.account))
    assert meeting.scheduled_at == _in_days(5).replace(tzinfo=PARIS)
    assert meeting.time_zone == "Europe/Paris" and meeting.cse == cast.cse
    assert meeting.ae == cast.account_owner and meeting.cta == cta
    items = list(meeting.checklist.order_by("position"))
    assert [i.title for i in items] == [t for t, _, _ in rules.CHECKLIST]
    for item in items:
        assert item.due_at == meeting.scheduled_at - timedelta(minutes=item.due_before_minutes)
    assert [i.shows_account_facts for i in items].count(True) == 1
    assert _task(cta, "scheduled").status == TaskStatus.DONE
    assert _task(cta, "prepared").status == TaskStatus.OPEN


def test_a_call_in_the_past_is_refused_naming_the_field(cast, cta):
    with pytest.raises(ValidationError) as refused:
        services.book_for_cta(
            cta, actor=cast.cse, details=_details(cta.account, scheduled_at=_in_days(-1))
        )
    assert list(refused.value.error_dict) == ["scheduled_at"]
    assert "passed" in refused.value.messages[0]
    assert not cta.meetings.exists()


def test_every_bad_detail_is_named_at_once(cast, cta):
    stranger = ContactFactory()
    details = _details(
        cta.account, time_zone="Mars/Olympus", duration_minutes=5, contacts=[stranger]
    )
    with pytest.raises(ValidationError) as refused:
        services.book_for_cta(cta, actor=cast.cse, details=details)
    assert set(refused.value.error_dict) == {"time_zone", "duration_minutes", "contacts"}


def test_only_the_ctas_owner_or_a_manager_books(cast, cta):
    with pytest.raises(PermissionDenied):
        services.book_for_cta(cta, actor=cast.csm, details=_details(cta.account))
    assert services.book_for_cta(cta, actor=cast.manager, details=_details(cta.account))


def test_an_unaccepted_cta_has_no_call_yet(cast, case_data):
    cta = cases.open_case(cast.account_owner, case_data).case.cta
    with pytest.raises(ValidationError) as refused:
        services.book_for_cta(cta, actor=cast.manager, details=_details(cta.account))
    assert "cta" in refused.value.error_dict


def test_the_checklist_done_ticks_prepare_and_holding_ticks_hold(cast, cta):
    meeting = services.book_for_cta(cta, actor=cast.cse, details=_details(cta.account))
    items = list(meeting.checklist.all())
    for item in items[:-1]:
        services.set_checklist_item(item, done=True, actor=cast.cse)
    assert _task(cta, "prepared").status == TaskStatus.OPEN
    services.set_checklist_item(items[-1], done=True, actor=cast.cse)
    meeting.refresh_from_db()
    assert meeting.prepared_at is not None
    assert _task(cta, "prepared").status == TaskStatus.DONE
    with pytest.raises(PermissionDenied):
        services.set_checklist_item(items[0], done=False, actor=cast.csm)
    services.log_held(
        meeting, actor=cast.cse, summary="Pipelines reviewed.", outcome="Split the monorepo."
    )
    assert _task(cta, "held").status == TaskStatus.DONE
    entry = TimelineEntry.objects.filter(account=cta.account, title__contains="held").get()
    assert "(CSE Engagement)" in entry.title
    for words in ("Pipelines reviewed.", "Split the monorepo.", str(cast.cse), "(AE)"):
        assert words in entry.body
    for contact in meeting.contacts.all():
        assert contact.name in entry.body


def test_held_before_the_booked_time_keeps_both_times(cast, cta):
    meeting = services.book_for_cta(cta, actor=cast.cse, details=_details(cta.account))
    held = services.log_held(meeting, actor=cast.cse)
    assert held.held_at < held.scheduled_at


def test_an_admins_edit_of_the_template_applies_to_later_meetings(cast, cta):
    ChecklistTemplateItem.objects.create(position=99, title="Bring coffee", due_before_minutes=5)
    first = services.book_for_cta(cta, actor=cast.cse, details=_details(cta.account))
    ChecklistTemplateItem.objects.filter(title="Bring coffee").update(title="Bring tea")
    assert first.checklist.filter(title="Bring coffee").exists()
    second = services.book_for_cta(cta, actor=cast.cse, details=_details(cta.account))
    assert second.checklist.filter(title="Bring tea").exists()


def test_moving_the_call_moves_its_checklist(cast, cta):
    meeting = services.book_for_cta(cta, actor=cast.cse, details=_details(cta.account))
    services.schedule(
        meeting, actor=cast.cse, scheduled_at=_in_days(8, hour=15), time_zone="Europe/Paris"
    )
    meeting.refresh_from_db()
    for item in meeting.checklist.all():
        assert item.due_at == meeting.scheduled_at - timedelta(minutes=item.due_before_minutes)


def test_the_research_item_shows_the_accounts_own_figures_as_the_account_page_does(
    client, cast, cta
):
    account = cta.account
    account.arr, account.employees = Decimal("1075446.00"), 12500
    account.licenses_used, account.licenses_purchased = 2320, 3584
    account.save()
    meeting = services.book_for_cta(cta, actor=cast.cse, details=_details(account))
    client.force_login(cast.cse)
    html = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    facts = html[html.index('data-testid="account-facts"') :].split("</dl>", 1)[0]
    assert "<dd>2,320 of 3,584 used</dd>" in facts
    assert "<dd>12,500</dd>" in facts
    assert "<dd>$1,075,446</dd>" in facts


def test_the_invitation_parses_with_its_zone_attendees_and_links(client, cast, cta):
    meeting = services.book_for_cta(cta, actor=cast.cse, details=_details(cta.account))
    client.force_login(cast.cse)
    response = client.get(reverse("meetings:invitation", args=[meeting.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == meeting.scheduled_at
    assert event.decoded("DTSTART").tzinfo.key == "Europe/Paris"
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=45)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    attendees = {str(a).lower(): a.params["ROLE"] for a in event.get("ATTENDEE")}
    assert attendees[f"mailto:{cast.account_owner.email}".lower()] == "OPT-PARTICIPANT"
    for contact in meeting.contacts.all():
        assert attendees[f"mailto:{contact.email}".lower()] == "REQ-PARTICIPANT"
    assert "https://meet.example/abc" in event["DESCRIPTION"]


def test_the_feed_lists_the_cses_calls_until_its_address_is_reset(client, cast, cta):
    meeting = services.book_for_cta(cta, actor=cast.cse, details=_details(cta.account))
    url = reverse("meetings:feed", args=[services.feed_token(cast.cse)])
    calendar = icalendar.Calendar.from_ical(client.get(url).content)  # no sign-in
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [
        f"meeting-{meeting.pk}@127.0.0.1:8000"
    ]
    services.reset_feed(cast.cse)
    assert client.get(url).status_code == 404
    tampered = url.replace(".ics", "x.ics")
    assert client.get(tampered).status_code == 404
    fresh = reverse("meetings:feed", args=[services.feed_token(cast.cse)])
    assert client.get(fresh).status_code == 200


@pytest.fixture
def started_request(cast, account, objective, covering_cse):
    data = {
        "account": account.pk,
        "objective": objective.pk,
        "title": "CI adoption for three product teams",
        "effort_kind": "duration",
        "duration_weeks": 6,
        "hours_per_week": 6,
        "target_start_date": TARGET_START,
        "outcome": "Every product team runs its pipeline on GitLab CI.",
        "metrics": ["Pipelines under 10 minutes"],
        "deliverables": ["Reference .gitlab-ci.yml"],
    }
    request = engagement_services.file_request(cast.csm, data, STAKEHOLDERS)
    move(request, cast.manager, "started", cse=covering_cse.pk)
    request.refresh_from_db()
    return request


def test_booking_from_a_complex_request(cast, started_request):
    account = started_request.account
    meeting = services.book_for_request(
        started_request, actor=started_request.assigned_cse, details=_details(account)
    )
    assert meeting.request == started_request and meeting.kind == "engagement"
    assert meeting.checklist.count() == len(rules.CHECKLIST)
