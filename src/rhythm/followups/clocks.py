"""SLA clocks (issue 12, item 6): a follow-up to send and a further question to
answer each run to a due time on their CSE's calendar.

The scan (followups.tasks, every 15 minutes) tells the CSE when a clock is due
soon or breached, and on breach their manager too, through the outbox. Each alert
has its own idempotency key (rules.alert_key): two workers scanning at the same
moment write one email, and a later scan writes nothing more. A clock waiting on
the customer is paused with a reason; resuming moves its due time on by the working
time the pause took. Its services are this app's, split from services.py for size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from rhythm.core import events
from rhythm.core import services as core_services
from rhythm.core.models import OutboundMessage
from rhythm.core.rules import BusinessCalendar
from rhythm.followups import rules
from rhythm.followups.choices import ClockKind, ClockState, FollowUpStatus
from rhythm.followups.events import ClockPaused, ClockResumed
from rhythm.followups.models import FollowUp, FurtherQuestion
from rhythm.people import services as people_services
from rhythm.people.choices import Role
from rhythm.people.models import CompanyHoliday, User

# How far ahead a clock may be due and still be "due soon": 4 working hours can span
# a long weekend and a week of holidays, never a fortnight. Clocks due later are on
# time without asking their calendar.
SOON_HORIZON = timedelta(days=14)

MODELS: dict[str, Any] = {ClockKind.FOLLOW_UP: FollowUp, ClockKind.QUESTION: FurtherQuestion}


@dataclass(frozen=True)
class Clock:
    """One running clock as the lists show it."""

    kind: ClockKind
    item: Any  # the FollowUp or FurtherQuestion
    state: ClockState
    due_at: datetime
    zone: tzinfo  # the CSE's: the clock runs on their calendar

    @property
    def id(self) -> int:
        return self.item.pk

    @property
    def owner(self) -> User:
        return self.item.cse

    @property
    def account(self) -> Any:
        return self.item.account

    @property
    def title(self) -> str:
        what = (
            "Send the follow-up of"
            if self.kind == ClockKind.FOLLOW_UP
            else "Answer a question after"
        )
        return f"{what} {self.item.meeting.name}"

    @property
    def url(self) -> str:
        if self.kind == ClockKind.FOLLOW_UP:
            return self.item.get_absolute_url()
        return f"{reverse('followups:questions')}#question-{self.item.pk}"


def soon_hours() -> float:
    return float(settings.RHYTHM_CLOCK_DUE_SOON_HOURS)


class Calendars:
    """The CSEs' calendars for one list or scan: the company's holidays read once (one
    query), each person's calendar built once."""

    def __init__(self) -> None:
        by_region: dict[str, set] = defaultdict(set)
        for day, region in CompanyHoliday.objects.active().values_list("date", "region"):
            by_region[region].add(day)
        self._everyone = frozenset(by_region.pop("", set()))
        self._regions = {
            region: frozenset(days) | self._everyone for region, days in by_region.items()
        }
        self._built: dict[int, BusinessCalendar] = {}

    def of(self, user: User) -> BusinessCalendar:
        if user.pk not in self._built:
            company = self._regions.get(user.region, self._everyone)
            self._built[user.pk] = people_services.calendar_of(user, company=company)
        return self._built[user.pk]

    def clock(self, kind: ClockKind, item, now: datetime) -> Clock:
        calendar = self.of(item.cse)
        state = rules.clock_state(
            calendar, now=now, due_at=item.due_at, paused=item.paused, soon_hours=soon_hours()
        )
        return Clock(kind, item, state, item.due_at, calendar.zone)


def _running(kind: str, queryset):
    """The clocks still running of one kind: follow-ups not sent, questions not answered."""
    if kind == ClockKind.FOLLOW_UP:
        return queryset.filter(status=FollowUpStatus.OPEN)
    return queryset.filter(answered_at__isnull=True)


def _narrowed(queryset, state: ClockState | None, now: datetime):
    """What the database can decide of a state; due soon and on time are finished on
    each CSE's calendar."""
    if state == ClockState.PAUSED:
        return queryset.filter(paused_at__isnull=False)
    if state is None:
        return queryset
    queryset = queryset.filter(paused_at__isnull=True)
    if state == ClockState.BREACHED:
        return queryset.filter(due_at__lt=now)
    if state == ClockState.DUE_SOON:
        return queryset.filter(due_at__gte=now, due_at__lte=now + SOON_HORIZON)
    return queryset.filter(due_at__gte=now)


def clocks(
    viewer: User | None,
    *,
    owner: int | None = None,
    state: ClockState | None = None,
    now: datetime | None = None,
) -> list[Clock]:
    """The running clocks the viewer may see (everyone's for None: the scan), of one
    owner and in one state if asked, by due time: three queries whatever their number
    (the follow-ups, the questions, the company's holidays)."""
    now = now or timezone.now()
    calendars = Calendars()
    found: list[Clock] = []
    for kind, model in MODELS.items():
        rows = model.objects.all() if viewer is None else model.objects.visible_to(viewer)
        rows = _narrowed(_running(kind, rows), state, now)
        if owner is not None:
            rows = rows.filter(cse_id=owner)
        rows = rows.select_related("cse", "cse__manager", "account", "meeting")
        for item in rows.order_by("due_at", "pk"):
            clock = calendars.clock(ClockKind(kind), item, now)
            if state is None or clock.state == state:
                found.append(clock)
    found.sort(key=lambda clock: (clock.due_at, clock.kind, clock.id))
    return found


def clock_of(kind: ClockKind, item, *, now: datetime | None = None) -> Clock:
    """One item's clock as it stands."""
    return Calendars().clock(kind, item, now or timezone.now())


# --- The scan --------------------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    key: str
    to: list[str]
    subject: str
    body: str


def _managers_of(cse: User, fallback: list[User]) -> list[User]:
    """Whom a breach of `cse`'s clock goes up to: their manager, or (nobody named) the
    team's CSE managers, so a breach is never told to no one."""
    manager = cse.manager
    if manager is not None and manager.is_active:
        return [manager]
    return fallback


def _alerts(clock: Clock, managers: list[User]) -> Iterable[Alert]:
    item, kind = clock.item, str(clock.kind)
    due = f"{clock.due_at.astimezone(clock.zone):%a %d %b %Y, %H:%M %Z}"
    link = f"{settings.SITE_URL}{clock.url}"
    what = f"{clock.title} ({clock.account.name})"
    cse = clock.owner
    if clock.state == ClockState.DUE_SOON and cse.email:
        yield Alert(
            rules.alert_key(kind, item.pk, "due_soon"),
            [cse.email],
            f"Due soon: {what}",
            f"Due {due}, within {soon_hours():g} of your working hours.\n\n{link}\n",
        )
    if clock.state != ClockState.BREACHED:
        return
    if cse.email:
        yield Alert(
            rules.alert_key(kind, item.pk, "breached"),
            [cse.email],
            f"Breached: {what}",
            f"It was due {due} and is still open.\n\n{link}\n",
        )
    to = [m.email for m in managers if m.email and m.pk != cse.pk]
    if to:
        yield Alert(
            rules.alert_key(kind, item.pk, "breached_manager"),
            to,
            f"Breached for {cse}: {what}",
            f"{cse}'s clock was due {due} and is still open.\n\n{link}\n",
        )


@dataclass(frozen=True)
class ScanResult:
    due_soon: int
    breached: int
    written: int  # alerts this scan wrote (others were written before, or by the other worker)


def scan(now: datetime | None = None) -> ScanResult:
    """Tell each CSE of their clocks due soon or breached, and their manager of a breach,
    once per clock and kind. Each alert is its own short transaction keyed in the outbox,
    so a second worker scanning at the same moment writes nothing twice."""
    now = now or timezone.now()
    running = [
        clock
        for state in (ClockState.DUE_SOON, ClockState.BREACHED)
        for clock in clocks(None, state=state, now=now)
    ]
    fallback: list[User] | None = None
    alerts: list[Alert] = []
    for clock in running:
        if clock.owner.manager is None and clock.state == ClockState.BREACHED and fallback is None:
            fallback = list(User.objects.active().with_role(Role.CSE_MANAGER).order_by("pk"))
        alerts += _alerts(clock, _managers_of(clock.owner, fallback or []))
    sent = set(
        OutboundMessage.objects.filter(idempotency_key__in=[a.key for a in alerts]).values_list(
            "idempotency_key", flat=True
        )
    )
    written = 0
    for alert in alerts:
        if alert.key in sent:
            continue
        with transaction.atomic():
            core_services.enqueue_email(
                key=alert.key, to=alert.to, subject=alert.subject, body_text=alert.body
            )
        written += 1
    states = [clock.state for clock in running]
    return ScanResult(states.count(ClockState.DUE_SOON), states.count(ClockState.BREACHED), written)


# --- Pausing ---------------------------------------------------------------------------


def clock_kind(value: str) -> ClockKind:
    try:
        return ClockKind(value)
    except ValueError:
        raise ValidationError(
            {
                "kind": ValidationError(
                    f"A clock is a {' or a '.join(ClockKind.values)}, not {value!r}.",
                    code="invalid_choice",
                )
            }
        ) from None


def may_pause(item, actor: User) -> bool:
    """The clock's CSE pauses and resumes it, or a manager for them."""
    return item.cse_id == actor.pk or actor.manages_cses


def _locked(item_id: int, visible):
    return visible.select_for_update(of=("self",)).select_related("cse", "meeting").get(pk=item_id)


def _done(kind: ClockKind, item) -> bool:
    return item.sent if kind == ClockKind.FOLLOW_UP else item.answered


def _refuse(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


@transaction.atomic
def pause(kind: ClockKind, item, *, actor: User, reason: str, now: datetime | None = None):
    """Stop the clock while the customer owes us something, saying what."""
    item = _locked(item.pk, MODELS[kind].objects)
    if not may_pause(item, actor):
        raise PermissionDenied(f"Only {item.cse} (whose clock it is) or a manager pauses it.")
    problem = rules.pause_problem(reason, paused=item.paused, done=_done(kind, item))
    if problem:
        raise _refuse(*problem)
    item.paused_at, item.pause_reason, item.paused_by = now or timezone.now(), reason.strip(), actor
    item.save(update_fields=["paused_at", "pause_reason", "paused_by", "updated_at"])
    events.publish(ClockPaused(kind, item, actor))
    return item


@transaction.atomic
def resume(kind: ClockKind, item, *, actor: User, now: datetime | None = None):
    """Start the clock again: its due time (and a follow-up's aim) moves on by the
    working time it was paused on the CSE's calendar."""
    item = _locked(item.pk, MODELS[kind].objects)
    if not may_pause(item, actor):
        raise PermissionDenied(f"Only {item.cse} (whose clock it is) or a manager resumes it.")
    if not item.paused:
        raise _refuse("clock", "The clock is running: there is nothing to resume.", "running")
    now = now or timezone.now()
    calendar = people_services.calendar_of(item.cse)
    paused_at = item.paused_at
    fields = ["due_at", "paused_at", "pause_reason", "paused_by", "updated_at"]
    item.due_at = rules.resumed_due(
        calendar, due_at=item.due_at, paused_at=paused_at, resumed_at=now
    )
    if kind == ClockKind.FOLLOW_UP:
        item.target_at = rules.resumed_due(
            calendar, due_at=item.target_at, paused_at=paused_at, resumed_at=now
        )
        fields.append("target_at")
    item.paused_at, item.pause_reason, item.paused_by = None, "", None
    item.save(update_fields=fields)
    events.publish(ClockResumed(kind, item, actor, paused_at))
    return item
