"""Pure decisions about CS Help cases: no database, no clock, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rhythm.cases.choices import CaseKind
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


# --- Duplicates ---------------------------------------------------------------

DUPLICATE_REASON_MAX_LENGTH = 2000
# A case is open until it is closed: another one on the same need while it is
# open is probably a duplicate of it.
CLOSED_STATUSES = frozenset({S.CLOSED})


@dataclass(frozen=True)
class EarlierCase:
    """A case already on the opportunity, as the duplicate rule needs it."""

    id: int
    kind: str
    offering_id: int | None
    offering_name: str
    status: str


@dataclass(frozen=True)
class Duplicates:
    """Whether a new case repeats an open one; `first` is the oldest it repeats."""

    first: EarlierCase | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def duplicate(self) -> bool:
        return self.first is not None


def may_duplicate(kind: str, offering_id: int | None) -> bool:
    """Whether a new case is subject to the duplicate rule at all (see duplicate_cases)."""
    return kind == CaseKind.CSE_HELP and offering_id is not None


def duplicate_cases(
    *, kind: str, offering_id: int | None, earlier: Sequence[EarlierCase]
) -> Duplicates:
    """Whether a new case on an opportunity repeats a case still open on it.

    A CSE-help case repeats an earlier CSE-help case on the same opportunity for
    the same offering whose status is not closed: the customer's need is already
    being answered, and a second CTA would send a second CSE to the same call.
    The person may still open it, saying why (the service asks for a reason).

    An escalation is not subject to the rule, either way. It has no offering to
    compare (one it names is optional context, not a need a CTA answers); each is
    a separate ticket or risk that a CSE manager qualifies on its own; and asking
    for a reason would slow exactly the case that must not wait. So a second
    escalation is never a duplicate, and an open escalation never makes a
    CSE-help case one.

    `earlier`: the cases on the opportunity (open ones at least), in any order.
    """
    if not may_duplicate(kind, offering_id):
        return Duplicates()
    repeated = sorted(
        (
            case
            for case in earlier
            if case.kind == CaseKind.CSE_HELP
            and case.offering_id == offering_id
            and case.status not in CLOSED_STATUSES
        ),
        key=lambda case: case.id,
    )
    if not repeated:
        return Duplicates()
    return Duplicates(
        first=repeated[0],
        reasons=[
            f"Case #{case.id} ({case.offering_name}) is still open on this opportunity."
            for case in repeated
        ],
    )


def duplicate_reason_problem(reason: str, *, duplicate: bool) -> str | None:
    """Why the reason given for filing a duplicate is refused, or None: one is
    needed, and kept to a readable length. Filing what is no duplicate needs none,
    and whatever was sent is not kept."""
    if not duplicate:
        return None
    if not reason.strip():
        return "Say why you open another case: it is shown on the case, for the CSE who takes it."
    if len(reason) > DUPLICATE_REASON_MAX_LENGTH:
        return f"At most {DUPLICATE_REASON_MAX_LENGTH} characters; this has {len(reason)}."
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
