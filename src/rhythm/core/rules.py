"""Pure decisions shared by every app: no database, no clock, no I/O."""

from __future__ import annotations

import hashlib
import zoneinfo
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

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


def zone_named(name: str | None) -> zoneinfo.ZoneInfo | None:
    """A person's time zone by its name; None for a blank or unknown one, which the
    caller reads as the server's zone (UTC)."""
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


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
