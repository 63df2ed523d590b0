"""Pure decisions shared by every app: no database, no clock, no I/O."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import zoneinfo
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

# `holidays` computes each country's public holidays from its rules: a pure
# calculator with no I/O, as a rule may use.
import holidays as public_holiday_calendars

# Delivery retries back off 1, 2, 4, 8 … minutes, capped at an hour, and give up
# after MAX_DELIVERY_ATTEMPTS; `rhythm outbox retry` revives a failed message.
MAX_DELIVERY_ATTEMPTS = 8
TOKEN_PREFIX = "rhy_"


def next_delivery_attempt(attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` failures, or None to give up."""
    if attempts >= MAX_DELIVERY_ATTEMPTS:
        return None
    minutes = min(2 ** max(attempts - 1, 0), 60)
    return now + timedelta(minutes=minutes)


# A claim's worker beats every few seconds (rhythm.core.locks); one quiet for this
# long is dead, and its claims go back in line. Several missed beats, so that a
# worker blocked for a moment on a busy database keeps what it holds.
CLAIM_STALE_AFTER = timedelta(seconds=40)


def claim_is_stale(last_sign_of_life: datetime | None, now: datetime) -> bool:
    """Whether a claim whose worker last showed life then belongs to a dead worker."""
    return last_sign_of_life is None or now - last_sign_of_life > CLAIM_STALE_AFTER


def message_id(idempotency_key: str, domain: str) -> str:
    """The Message-ID header of an outbox message: derived from its idempotency key,
    so that a resend after an unknown outcome is recognisably the same message
    (mail clients and many servers drop the second copy)."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    return f"<rhythm.{digest}@{domain or 'localhost'}>"


def email_domain(address: str) -> str:
    """The domain of an address as written in a header ("Rhythm <r@x.example>")."""
    _, _, domain = address.rpartition("@")
    return domain.strip().rstrip(">").strip().lower()


def parse_worker_id(worker: str) -> tuple[str, int] | None:
    """The (host, pid) of a `host:pid:nonce` worker id, or None for anything else."""
    parts = worker.rsplit(":", 2)
    if len(parts) != 3 or not parts[0] or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1])


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(token: str) -> bool:
    return token.startswith(TOKEN_PREFIX) and 20 <= len(token) <= 100


def token_needs_touch(last_used_at: datetime | None, now: datetime) -> bool:
    """Record last use at most once a minute, so reads do not become writes."""
    return last_used_at is None or now - last_used_at >= timedelta(minutes=1)


def add_business_days(start: date, days: int, holidays: frozenset[date] = frozenset()) -> date:
    """The date `days` business days after `start` (Monday–Friday, minus holidays).

    Zero days from a weekend or holiday rolls forward to the next business day.
    The follow-ups work passes a region's public holidays through `holidays`.
    """
    current = start
    if days == 0:
        while current.weekday() >= 5 or current in holidays:
            current += timedelta(days=1)
        return current
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in holidays:
            remaining -= 1
    return current


# --- A person's business-day calendar -------------------------------------------
# Their working week, their time zone, the public holidays of their country (and
# subdivision) and the company's own holidays. Everything the clocks count (task
# due dates, follow-ups, answers to questions) is counted on the calendar of the
# person who owes the work.

MONDAY_TO_FRIDAY = frozenset(range(5))
WORKDAY_START = time(9, 0)
WORKDAY_END = time(17, 0)


@functools.lru_cache(maxsize=2048)
def public_holidays(country: str, subdivision: str, year: int) -> frozenset[date]:
    """The public holidays of a country (and subdivision) in one year. Computing
    them costs `holidays` a few milliseconds; they are asked for on every due date,
    so each (country, subdivision, year) is computed once per process."""
    if not country:
        return frozenset()
    found = public_holiday_calendars.country_holidays(
        country, subdiv=subdivision or None, years=year
    )
    return frozenset(found)


@dataclass(frozen=True)
class BusinessCalendar:
    """The days and hours a person works. Pure: the holidays of the company come in
    as dates, those of the country are computed (`public_holidays`)."""

    working_days: frozenset[int] = MONDAY_TO_FRIDAY  # Monday = 0
    zone: tzinfo = UTC
    country: str = ""
    subdivision: str = ""
    company_holidays: frozenset[date] = frozenset()
    day_start: time = WORKDAY_START
    day_end: time = WORKDAY_END

    def __post_init__(self) -> None:
        if not self.working_days:
            raise ValueError("A working week needs at least one working day.")
        if self.day_end <= self.day_start:
            raise ValueError("A working day ends after it starts.")

    def is_holiday(self, day: date) -> bool:
        return day in self.company_holidays or day in public_holidays(
            self.country, self.subdivision, day.year
        )

    def is_business_day(self, day: date) -> bool:
        return day.weekday() in self.working_days and not self.is_holiday(day)

    def next_business_day(self, day: date) -> date:
        """`day` itself if it is a business day, else the next one."""
        for _ in range(3660):  # ten years: a calendar with no business day is a bug
            if self.is_business_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError("This calendar has no business day in ten years.")

    def add_days(self, start: date, days: int) -> date:
        """The date `days` business days after `start`; zero days from a day off
        rolls forward to the next business day (as `add_business_days`)."""
        if days < 0:
            raise ValueError("Count business days forward.")
        if days == 0:
            return self.next_business_day(start)
        current = start
        for _ in range(days):
            current = self.next_business_day(current + timedelta(days=1))
        return current

    def days_between(self, start: date, end: date) -> int:
        """Business days after `start` up to and including `end` (0 when `end` is not
        after `start`), as `business_days_between`."""
        count, day = 0, start + timedelta(days=1)
        while day <= end:
            count += self.is_business_day(day)
            day += timedelta(days=1)
        return count

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def today(self, now: datetime) -> date:
        """The date it is for this person at `now`."""
        return self.local(now).date()

    def add_days_at(self, moment: datetime, days: int) -> datetime:
        """`days` business days after `moment`, at the same time on the person's wall
        clock: across a summer-time change it is an hour more or less in UTC."""
        local = self.local(moment)
        day = self.add_days(local.date(), days)
        return datetime.combine(day, local.time().replace(fold=0), tzinfo=self.zone).astimezone(
            moment.tzinfo or UTC
        )

    def _hours_of(self, day: date) -> tuple[datetime, datetime]:
        return (
            datetime.combine(day, self.day_start, tzinfo=self.zone),
            datetime.combine(day, self.day_end, tzinfo=self.zone),
        )

    def due_in_working_hours(self, start: datetime, hours: float) -> datetime:
        """When `hours` of working time after `start` are spent: counted on the
        person's working days between `day_start` and `day_end` on their wall clock,
        so a clock started late on Friday runs on Monday morning. The answer is in
        the person's zone."""
        if hours < 0:
            raise ValueError("Count working hours forward.")
        remaining = timedelta(hours=hours)
        moment = self.local(start)
        day = moment.date()
        while True:
            if self.is_business_day(day):
                opens, closes = self._hours_of(day)
                begin = max(moment, opens)
                if begin < closes:
                    left_today = closes - begin
                    if remaining <= left_today:
                        return self.local(begin + remaining)
                    remaining -= left_today
            day += timedelta(days=1)
            moment = datetime.combine(day, time(0), tzinfo=self.zone)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """The working time (on the person's days and hours) from `start` to `end`."""
        total = timedelta()
        if end <= start:
            return total
        day, last = self.local(start).date(), self.local(end).date()
        while day <= last:
            if self.is_business_day(day):
                opens, closes = self._hours_of(day)
                begin, finish = max(start, opens), min(end, closes)
                if finish > begin:
                    total += finish - begin
            day += timedelta(days=1)
        return total


def working_days_problem(days: Sequence[object]) -> str | None:
    """What is wrong with a working week given as weekday numbers (Monday = 0)."""
    if not isinstance(days, list | tuple) or not days:
        return "Give at least one working day (0 = Monday … 6 = Sunday)."
    if any(not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 6 for d in days):
        return "Working days are numbers from 0 (Monday) to 6 (Sunday)."
    if len(set(days)) != len(days):
        return "Give each working day once."
    return None


def zone_named(name: str | None) -> zoneinfo.ZoneInfo | None:
    """A person's time zone by its name; None for a blank or unknown one, which the
    caller reads as the server's zone (UTC)."""
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def next_weekly(weekday: int, at: time, zone: tzinfo, now: datetime) -> datetime:
    """The next time a weekly slot (Monday = 0, `at` on the host's wall clock in
    `zone`) starts at or after `now`, as an aware datetime in `zone`.

    Counted on that date's own offset, so a slot across a summer-time change is
    the same wall-clock time for its host and moves for everyone else."""
    today = now.astimezone(zone).date()
    day = today + timedelta(days=(weekday - today.weekday()) % 7)
    start = datetime.combine(day, at, tzinfo=zone)
    if start < now:
        start = datetime.combine(day + timedelta(days=7), at, tzinfo=zone)
    return start


# --- Workflows ----------------------------------------------------------------
# One helper under every state machine: a table of allowed moves, each with the
# parties who may make it and what it needs; a verdict with its reasons. The
# database side (the lock, the 409, the append-only log) is core.workflow.


@dataclass(frozen=True)
class Move:
    """One allowed move: its action's name, who may make it (party names), and
    what it needs, as field -> the prompt shown when it is missing."""

    action: str
    parties: frozenset[str]
    needs: Mapping[str, str] = field(default_factory=dict)
    label: str = ""


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    # "conflict": no such move from the current state (409); "forbidden": not this
    # person's move (403); "invalid": something the move needs is missing (422).
    problem: str = ""
    field_name: str = ""
    reasons: list[str] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)  # "invalid": field -> what to give


@dataclass(frozen=True)
class Workflow:
    """A state machine as data: `moves[(from, to)]`; anything not listed is refused.

    `noun` names the thing that moves ("request"), `states` labels the states,
    `party_labels` names the parties in refusals."""

    noun: str
    moves: Mapping[tuple[str, str], Move]
    states: Mapping[str, str]
    party_labels: Mapping[str, str]

    def moves_from(self, state: str) -> list[tuple[str, Move]]:
        return [(to, move) for (frm, to), move in self.moves.items() if frm == state]

    def moves_for(self, state: str, parties: AbstractSet[str]) -> list[tuple[str, Move]]:
        """The moves from `state` that `parties` may make, in the table's order: what a
        person is offered (a refused drag on the board lists these)."""
        return [(to, move) for to, move in self.moves_from(state) if parties & move.parties]

    def check(
        self, current: str, target: str, parties: AbstractSet[str], given: Mapping[str, object]
    ) -> Verdict:
        """May `parties` move the thing from `current` to `target`, with `given`?"""
        move = self.moves.get((current, target))
        if move is None:
            allowed = ", ".join(self.states[to] for to, _ in self.moves_from(current))
            return Verdict(
                False,
                "conflict",
                "to",
                [
                    f"A {self.noun} in {self.states[current]} cannot move to "
                    f"{self.states.get(target, target)}; "
                    + (f"it may move to {allowed}." if allowed else "it moves no further.")
                ],
            )
        if not parties & move.parties:
            who = " or ".join(self.party_labels[p] for p in sorted(move.parties))
            return Verdict(
                False, "forbidden", "to", [f"Only {who} may {move.action} this {self.noun}."]
            )
        missing = {
            name: prompt
            for name, prompt in move.needs.items()
            if not str(given.get(name) or "").strip()
        }
        if missing:
            # Every missing part at once, each with its field.
            return Verdict(False, "invalid", next(iter(missing)), list(missing.values()), missing)
        return Verdict(True)


def time_in_states(changes: Sequence[tuple[str, datetime]], now: datetime) -> dict[str, timedelta]:
    """Total time spent in each state, from the (to_state, at) rows in order."""
    totals: dict[str, timedelta] = {}
    for (state, entered), nxt in zip(changes, [*changes[1:], None], strict=True):
        left = nxt[1] if nxt else now
        totals[state] = totals.get(state, timedelta()) + (left - entered)
    return totals


# --- Aging --------------------------------------------------------------------
# Work past its due date, or waiting in a state longer than the team's norm
# (settings.RHYTHM_AGING_NORMS, in business days), is marked wherever it is listed.


def business_days_between(start: date, end: date, holidays: frozenset[date] = frozenset()) -> int:
    """Business days after `start` up to and including `end` (0 when `end` is not
    after `start`): Monday to Wednesday is 2, Friday to Monday is 1."""
    if end <= start:
        return 0
    weeks, extra = divmod((end - start).days, 7)
    days = weeks * 5 + sum(1 for n in range(1, extra + 1) if (start.weekday() + n) % 7 < 5)
    return days - sum(1 for day in holidays if start < day <= end and day.weekday() < 5)


def aging_cutoff(today: date, norm: int, holidays: frozenset[date] = frozenset()) -> date:
    """The first day a piece of work may have entered its state and not be aging
    today: it ages when it entered before this day (more than `norm` business days
    ago). Lets a list ask the database for what ages without reading every row."""
    day = today
    while business_days_between(day - timedelta(days=1), today, holidays) <= norm:
        day -= timedelta(days=1)
    return day


@dataclass(frozen=True)
class Aging:
    """Whether a piece of work is overdue (past its due date) or aging (longer in its
    state than the norm), with the reasons a person reads."""

    overdue: bool = False
    aging: bool = False
    reasons: list[str] = field(default_factory=list)
    # How late, in business days: past the due date, or past the norm (the larger),
    # so the latest can be listed first.
    days: int = 0
    waiting_reason: str = ""  # the reason about the norm, when aging

    @property
    def waiting_only(self) -> Aging:
        """Only the wait past the norm: for a page that marks the due date itself
        (docs/ui.md's {% due %})."""
        if not self.aging:
            return ON_TIME
        return Aging(aging=True, reasons=[self.waiting_reason], waiting_reason=self.waiting_reason)

    @property
    def late(self) -> bool:
        return self.overdue or self.aging

    @property
    def label(self) -> str:
        return "Overdue" if self.overdue else "Aging" if self.aging else ""

    def __bool__(self) -> bool:
        return self.late


ON_TIME = Aging()


def _days(n: int) -> str:
    return f"{n} business day{'s' if n != 1 else ''}"


def aging(
    *,
    today: date,
    waiting: str = "",
    entered: date | None = None,
    norm: int | None = None,
    due: date | None = None,
    due_what: str = "Due",
    holidays: frozenset[date] = frozenset(),
) -> Aging:
    """Overdue when `due` has passed; aging when it has waited in its state since
    `entered` for more than `norm` business days (`waiting` says how, as a person
    would: "In review"). Work that is done (the caller passes no state and no due
    date) is on time."""
    reasons, days = [], 0
    overdue = due is not None and due < today
    if overdue:
        assert due is not None
        days = business_days_between(due, today, holidays)
        when = f"{_days(days)} ago" if days else "passed"
        reasons.append(f"{due_what} {due:%a} {due.day} {due:%b}, {when}")
    stale = False
    if waiting and entered is not None and norm is not None:
        spent = business_days_between(entered, today, holidays)
        if spent > norm:
            stale = True
            days = max(days, spent - norm)
            reasons.append(f"{waiting} for {_days(spent)}; the norm is {norm}")
    if not reasons:
        return ON_TIME
    return Aging(
        overdue=overdue,
        aging=stale,
        reasons=reasons,
        days=days,
        waiting_reason=reasons[-1] if stale else "",
    )


# --- Emails a person reads before they go -----------------------------------------

SUBJECT_MAX_LENGTH = 255  # the outbox's column
BODY_MAX_LENGTH = 20_000


def plain_text(text: str) -> str:
    """A body as a browser's textarea or an API client sends it, as the outbox keeps
    it: Unix line ends, no trailing spaces, one final line end."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def one_line(subject: str) -> str:
    """A subject on one line, as a mail header must be."""
    return " ".join(subject.split())


@dataclass(frozen=True)
class Wording:
    """The words a sender gave an email: None keeps the drafted subject or body."""

    subject: str | None = None
    body: str | None = None

    def problems(self) -> dict[str, str]:
        return wording_problems(self.subject, self.body)


AS_DRAFTED = Wording()


@dataclass(frozen=True)
class EmailDraft:
    """An email as it would go: its recipients and its words, composed from its
    templates; shown to the sender, edited by them, then written to the outbox."""

    key: str  # the outbox's idempotency key: one message per key, however often sent
    to: tuple[str, ...]
    subject: str
    body_text: str
    body_html: str = ""
    cc: tuple[str, ...] = ()
    reply_to: tuple[str, ...] = ()
    from_email: str = ""

    def edited(self, wording: Wording = AS_DRAFTED) -> EmailDraft:
        """The draft in the sender's words. A part left out (None) stays as drafted; a
        body they changed goes as they wrote it, its HTML made from its text (the
        drafted HTML may say what they took out)."""
        draft = self
        if wording.subject is not None:
            draft = dataclasses.replace(draft, subject=one_line(wording.subject))
        body = wording.body
        if body is not None and plain_text(body) != plain_text(self.body_text):
            draft = dataclasses.replace(draft, body_text=plain_text(body), body_html="")
        return draft

    def same_words(self, subject: str, body_text: str) -> bool:
        """Whether an email with this subject and body says what this draft says."""
        return (one_line(subject), plain_text(body_text)) == (
            one_line(self.subject),
            plain_text(self.body_text),
        )


def wording_problems(subject: str | None, body: str | None) -> dict[str, str]:
    """What is wrong with the words a sender gave (None: kept as drafted), by field."""
    problems = {}
    if subject is not None:
        if not subject.strip():
            problems["subject"] = "Write a subject, or leave the drafted one."
        elif len(one_line(subject)) > SUBJECT_MAX_LENGTH:
            problems["subject"] = (
                f"At most {SUBJECT_MAX_LENGTH} characters; this has {len(one_line(subject))}."
            )
    if body is not None:
        if not body.strip():
            problems["body"] = "Write the email, or leave the drafted text."
        elif len(body) > BODY_MAX_LENGTH:
            problems["body"] = f"At most {BODY_MAX_LENGTH} characters; this has {len(body)}."
    return problems
