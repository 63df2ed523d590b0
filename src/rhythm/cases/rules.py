"""Pure decisions about CS Help cases: no database, no clock, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field

from rhythm.cases.choices import CaseStatus as S
from rhythm.core.rules import Move, Workflow

CHALLENGES_MAX_LENGTH = 1000


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: list[str] = field(default_factory=list)


def cse_eligibility(
    *, segment_name: str, segment_eligible: bool, account_archived: bool, opportunity_open: bool
) -> Eligibility:
    """Whether an opportunity's account may ask for CSE help, and why not."""
    reasons = []
    if not segment_eligible:
        reasons.append(f"Accounts in the {segment_name} segment do not qualify for CSE engagement.")
    if account_archived:
        reasons.append("The account is archived.")
    if not opportunity_open:
        reasons.append("The opportunity is closed.")
    return Eligibility(eligible=not reasons, reasons=reasons)


def challenges_problem(text: str) -> str | None:
    """Why the Challenges/Pain Points text is refused, or None. Counted in characters."""
    if not text or not text.strip():
        return "Describe the customer's challenges: the CSE prepares from it."
    if len(text) > CHALLENGES_MAX_LENGTH:
        return f"At most {CHALLENGES_MAX_LENGTH} characters; this has {len(text)}."
    return None


# --- The case's workflow ------------------------------------------------------
# A CSE-help case follows its CTA: accepted when a CSE takes the CTA, closed with
# it. Nobody moves a case by hand; the CTA's moves do (cases.subscribers).

FOLLOWS_CTA = "its_cta"

WORKFLOW = Workflow(
    noun="case",
    moves={
        (S.OPEN, S.ACCEPTED): Move("accept", frozenset({FOLLOWS_CTA})),
        (S.OPEN, S.CLOSED): Move("close", frozenset({FOLLOWS_CTA})),
        (S.ACCEPTED, S.CLOSED): Move("close", frozenset({FOLLOWS_CTA})),
    },
    states=dict(S.choices),
    party_labels={FOLLOWS_CTA: "its CTA"},
)
