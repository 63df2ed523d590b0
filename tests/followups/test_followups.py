"""Follow-ups: opened as a call is logged, due on the CSE's business-day calendar,
sent once with the AE in copy, ticking the CTA's task and sending CSAT surveys."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rhythm.cases import services as cases
from rhythm.core.models import OutboundMessage
from rhythm.ctas import services as ctas
from rhythm.ctas.choices import TaskStatus
from rhythm.followups import rules, services
from rhythm.followups.models import FollowUp
from rhythm.meetings import services as meetings
from rhythm.people.services import calendar_of
from rhythm.surveys.models import Survey
from tests.engagements_fixtures import TARGET_START  # noqa: F401  (the fixtures' module)

PARTS = {
    "summary": "Pipelines take 40 minutes; caching the dependencies halves it.",
    "action_items": "You: turn on the cache. Us: review the runner sizes by Friday.",
    "resources": "https://docs.example/caching",
    "invitation": "Any question, reply to this email: I answer within a business day.",
}


@pytest.fixture
def cta(cast, case_data, covering_cse):
    cta = cases.open_case(cast.account_owner, case_data).case.cta
    ctas.accept(cta, cse=covering_cse, actor=covering_cse)
    cta.refresh_from_db()
    return cta


def _book(cta, *, ae=True):
    account = cta.account
    starts = (timezone.now() + timedelta(days=5)).replace(tzinfo=None, microsecond=0)
    details = meetings.Details(
        scheduled_at=starts,
        time_zone="UTC",
        contacts=list(account.contacts.all()),
        ae=account.account_owner if ae else None,
    )
    return meetings.book_for_cta(cta, actor=cta.owner, details=details)


def _held(cta, **kwargs):
    meeting = _book(cta, **kwargs)
    meetings.log_held(meeting, actor=cta.owner, summary="Caching.", outcome="They try caching.")
    return FollowUp.objects.get(meeting=meeting)


def _task(cta):
    return next(t for t in cta.tasks.all() if ctas.rules.is_follow_up_task(t.title))


def test_logging_the_call_opens_a_follow_up_due_in_three_business_days(cast, cta):
    follow_up = _held(cta)
    calendar = calendar_of(cast.cse)
    held = follow_up.meeting.held_at
    assert follow_up.cse == cast.cse and follow_up.opened_at == held
    assert follow_up.due_at == calendar.add_days_at(held, 3)
    assert follow_up.target_at == calendar.add_days_at(held, 2)
    assert follow_up.summary == "Caching."  # drafted from the call's log
    assert not follow_up.sent


def _thursday_before_a_friday_holiday(country: str) -> date:
    """The first Thursday ahead whose Friday is a public holiday of `country`."""
    today = timezone.now().date()
    found = holidays.country_holidays(country, years=[today.year, today.year + 1, today.year + 2])
    friday = min(d for d in found if d > today + timedelta(days=7) and d.weekday() == 4)
    return friday - timedelta(days=1)


def test_the_due_date_skips_the_cses_public_holiday_and_the_weekend(cast, cta):
    cse = cast.cse
    cse.holiday_country, cse.holiday_subdivision, cse.time_zone = "GB", "", "Europe/London"
    cse.save()
    meeting = _book(cta)
    thursday = _thursday_before_a_friday_holiday("GB")
    london = ZoneInfo("Europe/London")
    with time_machine.travel(
        datetime.combine(thursday, datetime.min.time().replace(hour=15), london), tick=False
    ):
        meetings.log_held(meeting, actor=cse)
    follow_up = FollowUp.objects.get(meeting=meeting)
    # Counted here from `holidays` itself: weekdays that are no holiday of GB.
    off = holidays.country_holidays("GB", years=[thursday.year, thursday.year + 1])
    day, counted = thursday, 0
    while counted < 3:
        day += timedelta(days=1)
        counted += day.weekday() < 5 and day not in off
    assert follow_up.due_at.astimezone(london).date() == day
    assert follow_up.due_at.astimezone(london).hour == 15
    assert day - thursday >= timedelta(days=5)  # Friday, Saturday and Sunday skipped


def test_sending_goes_once_with_the_ae_in_copy_ticks_the_task_and_sends_csat(cast, cta):
    follow_up = _held(cta)
    contacts = [c for c in follow_up.meeting.contacts.all() if c.email]
    assert contacts
    sent = services.send(follow_up, actor=cast.cse, parts=PARTS)
    again = services.send(follow_up, actor=cast.cse, parts=PARTS)
    assert sent.sent and again.sent_at == sent.sent_at and sent.on_time is True
    messages = OutboundMessage.objects.filter(idempotency_key=services.outbox_key(follow_up))
    assert messages.count() == 1
    message = messages.get()
    assert message.to == [c.email for c in contacts]
    assert message.cc == [cast.account_owner.email]
    for _, label in rules.PARTS:
        assert label in message.body_text
    assert PARTS["action_items"] in message.body_text
    task = _task(cta)
    assert task.status == TaskStatus.DONE and task.completed_by == cast.cse
    assert task.note == "Follow-up sent on time: They try caching."
    surveys = Survey.objects.filter(subject_id=follow_up.pk, kind="csat")
    assert sorted(s.contact_id for s in surveys) == sorted(c.pk for c in contacts)
    assert all(s.cse == cast.cse for s in surveys)


def test_without_an_ae_on_the_call_the_accounts_owner_is_copied(cast, cta):
    follow_up = services.send(_held(cta, ae=False), actor=cast.cse, parts=PARTS)
    assert follow_up.message.cc == [cast.account_owner.email]


def test_a_follow_up_sent_after_its_due_time_is_late(cast, cta):
    follow_up = _held(cta)
    later = follow_up.due_at + timedelta(minutes=1)
    sent = services.send(follow_up, actor=cast.cse, parts=PARTS, now=later)
    assert sent.on_time is False
    assert _task(cta).note.startswith("Follow-up sent late")


@pytest.mark.parametrize("empty", rules.PART_NAMES)
def test_an_empty_part_is_refused_naming_it_and_nothing_is_sent(cast, cta, empty):
    follow_up = _held(cta)
    with pytest.raises(ValidationError) as refused:
        services.send(follow_up, actor=cast.cse, parts={**PARTS, empty: "  "})
    assert list(refused.value.error_dict) == [empty]
    assert dict(rules.PARTS)[empty] in refused.value.messages[0]
    follow_up.refresh_from_db()
    assert not follow_up.sent
    assert not OutboundMessage.objects.filter(idempotency_key=services.outbox_key(follow_up))
    assert not Survey.objects.filter(subject_id=follow_up.pk).exists()
    assert _task(cta).status == TaskStatus.OPEN


def test_only_the_calls_cse_or_a_manager_sends_it(cast, cta):
    follow_up = _held(cta)
    with pytest.raises(PermissionDenied):
        services.send(follow_up, actor=cast.account_owner, parts=PARTS)
    assert services.send(follow_up, actor=cast.manager, parts=PARTS).sent


def test_the_preview_is_the_email_that_goes(cast, cta):
    follow_up = _held(cta)
    draft = services.preview(follow_up, PARTS)
    sent = services.send(follow_up, actor=cast.cse, parts=PARTS)
    assert (draft.subject, draft.body, draft.cc) == (
        sent.message.subject,
        sent.message.body_text,
        sent.message.cc,
    )


def test_the_greeting_names_each_contact_by_first_name():
    assert rules.greeting(["Grace Hopper"]) == "Grace"
    assert rules.greeting(["Grace Hopper", "Alan Turing", "Ada"]) == "Grace, Alan and Ada"
    assert rules.greeting([]) == "all"
