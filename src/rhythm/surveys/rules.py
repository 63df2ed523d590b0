"""Surveys' pure decisions: score ranges, what a link may still do, and the KPI math.

No database and no clock: the caller passes `now` and the scores it counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from rhythm.surveys.choices import SurveyKind

# The score each kind asks for, both ends included.
SCALES: dict[str, tuple[int, int]] = {SurveyKind.CSAT: (1, 5), SurveyKind.NPS: (0, 10)}
# NPS's bands (Bain's): 9–10 promote, 7–8 are passive, 0–6 detract.
PROMOTER_FROM, DETRACTOR_UP_TO = 9, 6
# CSAT counts 4 and 5 as satisfied.
SATISFIED_FROM = 4
COMMENT_LIMIT = 2000
# A survey link's secret: 32 random bytes (256 bits), URL-safe base64 of 43 characters.
TOKEN_BYTES = 32


def scale(kind: str) -> tuple[int, int]:
    return SCALES[kind]


def score_problem(kind: str, score: int | None) -> str:
    """Why `score` is no answer to a survey of `kind`, or "" when it is one."""
    low, high = scale(kind)
    if score is None:
        return f"Choose a score from {low} to {high}."
    if not low <= score <= high:
        return f"The score must be from {low} to {high} (it is {score})."
    return ""


class LinkState(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    EXPIRED = "expired"


def link_state(*, answered_at: datetime | None, expires_at: datetime, now: datetime) -> LinkState:
    """What a survey's link may still do: be answered once, before it expires. An
    answered survey says so even after its expiry: the contact's answer counts."""
    if answered_at is not None:
        return LinkState.ANSWERED
    if now >= expires_at:
        return LinkState.EXPIRED
    return LinkState.OPEN


def looks_like_token(token: str) -> bool:
    """Whether `token` could be one of ours, before any lookup (a cheap refusal)."""
    return len(token) == 43 and all(c.isalnum() or c in "-_" for c in token)


# --- KPIs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Kpis:
    """One kind's figures over a set of surveys: how many went out, how many were
    answered, and what the answers say."""

    kind: str
    sent: int
    answered: int
    distribution: dict[int, int]  # every score of the scale -> how many answers gave it
    average: float | None  # CSAT's mean score; None without answers
    satisfied_percent: float | None  # CSAT: share of 4s and 5s
    nps: float | None  # NPS: % promoters − % detractors, −100 … 100
    response_rate: float | None  # answered / sent, in percent; None when none went

    @property
    def promoters(self) -> int:
        return sum(n for s, n in self.distribution.items() if s >= PROMOTER_FROM)

    @property
    def detractors(self) -> int:
        return sum(n for s, n in self.distribution.items() if s <= DETRACTOR_UP_TO)


def distribution(kind: str, scores: Mapping[int, int] | Iterable[int]) -> dict[int, int]:
    """How many answers gave each score of the kind's scale (every score listed)."""
    low, high = scale(kind)
    counts = dict.fromkeys(range(low, high + 1), 0)
    pairs = scores.items() if isinstance(scores, Mapping) else ((s, 1) for s in scores)
    for score, n in pairs:
        if score not in counts:
            raise ValueError(f"{score} is not a {kind} score ({low}–{high}).")
        counts[score] += n
    return counts


def csat_average(counts: Mapping[int, int]) -> float | None:
    total = sum(counts.values())
    return sum(s * n for s, n in counts.items()) / total if total else None


def net_promoter_score(counts: Mapping[int, int]) -> float | None:
    """% promoters (9–10) − % detractors (0–6) of the answers; None without answers."""
    total = sum(counts.values())
    if not total:
        return None
    promoters = sum(n for s, n in counts.items() if s >= PROMOTER_FROM)
    detractors = sum(n for s, n in counts.items() if s <= DETRACTOR_UP_TO)
    return 100 * (promoters - detractors) / total


def response_rate(sent: int, answered: int) -> float | None:
    if answered > sent:
        raise ValueError(f"{answered} answers to {sent} surveys.")
    return 100 * answered / sent if sent else None


def kpis(kind: str, *, sent: int, scores: Mapping[int, int] | Iterable[int]) -> Kpis:
    counts = distribution(kind, scores)
    answered = sum(counts.values())
    satisfied = sum(n for s, n in counts.items() if s >= SATISFIED_FROM)
    is_csat = kind == SurveyKind.CSAT
    return Kpis(
        kind=kind,
        sent=sent,
        answered=answered,
        distribution=counts,
        average=csat_average(counts) if is_csat else None,
        satisfied_percent=(100 * satisfied / answered if answered else None) if is_csat else None,
        nps=net_promoter_score(counts) if not is_csat else None,
        response_rate=response_rate(sent, answered),
    )


# --- Whom an NPS survey goes to --------------------------------------------------------


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def nps_recipients(
    stakeholders: Iterable[tuple[int | None, str, str]],
    contacts: Iterable[tuple[int, str, str]],
) -> list[int]:
    """The contacts (id, email, name) who are the engagement's stakeholders (contact id
    or None, email, name), each once, in the contacts' order: a complex engagement's
    NPS asks the people it was run with, not every contact of the account. A
    stakeholder is matched by their contact row, else their email (case aside); only
    one given with neither is matched by name (case and spacing aside), as before
    stakeholders carried an email."""
    rows, emails, names = set(), set(), set()
    for contact_id, email, name in stakeholders:
        if contact_id is not None:
            rows.add(contact_id)
        elif email.strip():
            emails.add(email.strip().casefold())
        elif name.strip():
            names.add(_name_key(name))
    chosen: list[int] = []
    for contact_id, email, name in contacts:
        matched = (
            contact_id in rows
            or (email.strip().casefold() in emails if email else False)
            or _name_key(name) in names
        )
        if matched and contact_id not in chosen:
            chosen.append(contact_id)
    return chosen
