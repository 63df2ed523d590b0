"""The demo's follow-ups and their SLA clocks: the demo CSEs report to Maria (their
manager, told of a breach); a few of each CSE's CTAs had their call held, each
with its follow-up still to send, one per clock state (on time, due soon, breached,
paused); and a customer's further questions after two of them, waiting for the
CSE's answer.

Everything goes through the use cases (booking, logging the call, asking, pausing);
only the moments are moved back afterwards, as if the calls had been held then."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from rhythm.ctas.choices import CtaStatus
from rhythm.ctas.models import Cta
from rhythm.followups import clocks, services
from rhythm.followups.choices import ClockKind
from rhythm.followups.models import FollowUp
from rhythm.meetings import services as meetings
from rhythm.meetings.models import Meeting
from rhythm.people.choices import Role
from rhythm.people.models import User
from rhythm.people.services import calendar_of

# How long ago each call was held: business days on its CSE's calendar, then hours
# later. The follow-up is due 3 business days after the call, so the first runs on
# time, the second is due in two hours (soon), the third is breached; the fourth
# waits, paused.
HELD_AGO = ((0, 0), (3, 2), (4, 0), (1, 0))
QUESTIONS = (
    "Does the dependency cache survive a force-push to the default branch?",
    "Can we cap the shared runners' minutes per group?",
)


def load() -> dict[str, int]:
    created = {"follow-ups": 0, "further questions": 0}
    if FollowUp.objects.exists():
        return created
    manager = User.objects.filter(username="maria.manager").first()
    if manager is not None:
        User.objects.with_role(Role.CSE).filter(manager=None).update(manager=manager)
    now = timezone.now()
    for cse in User.objects.with_role(Role.CSE).order_by("username"):
        worked = (
            Cta.objects.filter(status=CtaStatus.IN_PROGRESS, owner=cse, meetings=None)
            .exclude(case=None)
            .select_related("account__account_owner", "case__contact", "owner")
            .order_by("pk")[: len(HELD_AGO)]
        )
        for position, cta in enumerate(worked):
            days, hours = HELD_AGO[position]
            follow_up = _held_call(cta, days_ago=days, hours_later=hours, now=now)
            created["follow-ups"] += 1
            if position == len(HELD_AGO) - 1:
                clocks.pause(
                    ClockKind.FOLLOW_UP,
                    follow_up,
                    actor=cse,
                    reason="Waiting on their pipeline logs to close the action items.",
                )
            if position < len(QUESTIONS):
                services.ask(
                    follow_up.meeting,
                    actor=cta.account.account_owner or cse,
                    question=QUESTIONS[position],
                    contact=cta.case.contact if cta.case else None,
                )
                created["further questions"] += 1
    return created


def _held_call(cta: Cta, *, days_ago: int, hours_later: int, now) -> FollowUp:
    """The CTA's call, booked and held (through the use cases), then moved back to
    `days_ago` business days on its CSE's calendar with its follow-up's clock."""
    cse = cta.owner
    assert cse is not None and cta.case is not None  # chosen so above
    details = meetings.Details(
        scheduled_at=(now + timedelta(days=1)).replace(tzinfo=None, microsecond=0),
        time_zone="UTC",
        contacts=[cta.case.contact],
        ae=cta.account.account_owner,
        video_url="https://meet.example/rhythm-demo",
    )
    meeting = meetings.book_for_cta(cta, actor=cse, details=details)
    meetings.log_held(
        meeting,
        actor=cse,
        summary=f"Walked through {cta.account.name}'s pipelines and runner fleet.",
        outcome="They try dependency caching on their two slowest projects.",
    )
    calendar = calendar_of(cse)
    held = now
    for _ in range(days_ago):
        held = _business_day_before(calendar, held)
    held += timedelta(hours=hours_later)
    Meeting.objects.filter(pk=meeting.pk).update(held_at=held, scheduled_at=held)
    FollowUp.objects.filter(meeting=meeting).update(
        opened_at=held,
        target_at=calendar.add_days_at(held, 2),
        due_at=calendar.add_days_at(held, 3),
    )
    return FollowUp.objects.select_related("meeting", "cse").get(meeting=meeting)


def _business_day_before(calendar, moment):
    day = moment - timedelta(days=1)
    while not calendar.is_business_day(calendar.local(day).date()):
        day -= timedelta(days=1)
    return day
