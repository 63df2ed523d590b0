"""Pure decisions about CS Help cases: no database, no clock, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field

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
