"""Pure decisions about escalations: no database, no clock, no I/O.

The qualification (DESIGN rule 10, the handbook's "CSE Escalations"): ARR at least
80% of the ceiling of the account's segment ARR range, and LAM above $100,000; a
renewal three months away or less weighs heavily. Here the weight is explicit: with
such a renewal, an account that misses exactly one of the two thresholds by no
more than a margin (10% of that threshold by default) qualifies; one that misses
both, or one by more, does not. Every figure is in the reason beside it.
"""

from __future__ import annotations

import calendar
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import Any
from urllib.parse import urlsplit

from rhythm.core.rules import Move, Workflow
from rhythm.escalations.choices import EscalationKind, EscalationRisk
from rhythm.escalations.choices import EscalationState as S

# --- Qualification ------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """The thresholds a verdict is given (settings.RHYTHM_ESCALATION_*), kept with it."""

    arr_share: int = 80  # percent of the segment's ARR ceiling, at least
    lam_above: Decimal = Decimal("100000")  # dollars, strictly above
    renewal_months: int = 3  # calendar months ahead, at most
    renewal_margin: int = 10  # percent of a threshold a near renewal makes up

    def __post_init__(self) -> None:
        if not 0 < self.arr_share <= 100:
            raise ValueError("The ARR share is a percentage from 1 to 100.")
        if self.lam_above < 0:
            raise ValueError("The LAM threshold is not negative.")
        if self.renewal_months < 0:
            raise ValueError("The renewal horizon is not negative.")
        if not 0 <= self.renewal_margin < 100:
            raise ValueError("The renewal margin is a percentage from 0 to 99.")

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "lam_above": str(self.lam_above)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Thresholds:
        return cls(
            arr_share=int(data["arr_share"]),
            lam_above=Decimal(str(data["lam_above"])),
            renewal_months=int(data["renewal_months"]),
            renewal_margin=int(data["renewal_margin"]),
        )


@dataclass(frozen=True)
class Inputs:
    """The account's figures on the day the verdict is given."""

    arr: Decimal
    lam: Decimal
    segment_name: str
    segment_ceiling: Decimal
    renewal_date: date | None
    today: date

    def as_json(self) -> dict[str, Any]:
        return {
            "arr": str(self.arr),
            "lam": str(self.lam),
            "segment_name": self.segment_name,
            "segment_ceiling": str(self.segment_ceiling),
            "renewal_date": self.renewal_date.isoformat() if self.renewal_date else None,
            "today": self.today.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Inputs:
        renewal = data.get("renewal_date")
        return cls(
            arr=Decimal(data["arr"]),
            lam=Decimal(data["lam"]),
            segment_name=data["segment_name"],
            segment_ceiling=Decimal(data["segment_ceiling"]),
            renewal_date=date.fromisoformat(renewal) if renewal else None,
            today=date.fromisoformat(data["today"]),
        )


ARR, LAM, RENEWAL, WEIGHT = "arr", "lam", "renewal", "renewal_weight"


@dataclass(frozen=True)
class Reason:
    """One criterion: whether it is met, and the sentence with its figures."""

    code: str  # ARR, LAM, RENEWAL or WEIGHT
    met: bool
    text: str


@dataclass(frozen=True)
class Verdict:
    qualifies: bool
    summary: str
    reasons: list[Reason] = field(default_factory=list)
    # The renewal made up for a threshold the account narrowly missed.
    renewal_weighed: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "qualifies": self.qualifies,
            "summary": self.summary,
            "renewal_weighed": self.renewal_weighed,
            "reasons": [asdict(r) for r in self.reasons],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Verdict:
        return cls(
            qualifies=bool(data["qualifies"]),
            summary=data["summary"],
            renewal_weighed=bool(data.get("renewal_weighed")),
            reasons=[Reason(**r) for r in data["reasons"]],
        )


def money(value: Decimal) -> str:
    """$412,000 for whole dollars, $99,999.50 otherwise: never rounded up to a
    threshold it misses."""
    if value == value.to_integral_value():
        return f"${value:,.0f}"
    return f"${value:,.2f}"


def percent(value: Decimal) -> str:
    """A share to one decimal, cut rather than rounded (79.96% reads 79.9%, not 80%),
    without a trailing .0."""
    cut = value.quantize(Decimal("0.1"), rounding=ROUND_FLOOR)
    text = f"{cut:f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


def day_text(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later; the month's last day when it has no
    such day (30 Nov + 3 months is 28 Feb, or 29 Feb in a leap year)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def renewal_horizon(today: date, months: int) -> date:
    """The last day a renewal counts as "`months` months away or less": the same day
    of the month `months` calendar months after today (add_months). A renewal on
    that day is within; the day after is not."""
    return add_months(today, months)


def renewal_is_near(renewal: date | None, today: date, months: int) -> bool:
    """Whether the renewal is ahead (today included) and on or before the horizon."""
    return renewal is not None and today <= renewal <= renewal_horizon(today, months)


def _arr_meets(arr: Decimal, ceiling: Decimal, share: Decimal) -> bool:
    # arr / ceiling >= share / 100, without dividing.
    return ceiling > 0 and arr * 100 >= share * ceiling


def qualify(inputs: Inputs, thresholds: Thresholds = Thresholds()) -> Verdict:
    """The verdict on an escalation of this account, with each reason and its figures."""
    share = Decimal(thresholds.arr_share)
    margin = Decimal(thresholds.renewal_margin)
    arr, lam, ceiling = inputs.arr, inputs.lam, inputs.segment_ceiling
    segment = inputs.segment_name

    # ARR against the segment's ceiling.
    arr_met = _arr_meets(arr, ceiling, share)
    if ceiling <= 0:
        arr_text = (
            f"ARR {money(arr)}: the {segment} segment has no ARR ceiling to compare with: "
            f"misses ≥ {thresholds.arr_share}%"
        )
    else:
        arr_text = (
            f"ARR {money(arr)} is {percent(arr * 100 / ceiling)} of the {money(ceiling)} "
            f"ceiling of {segment}: "
            + (
                f"meets ≥ {thresholds.arr_share}%"
                if arr_met
                else f"misses ≥ {thresholds.arr_share}% ({money(share * ceiling / 100)})"
            )
        )
    # LAM above its threshold.
    lam_met = lam > thresholds.lam_above
    lam_text = (
        f"LAM {money(lam)}: {'meets' if lam_met else 'misses'} > {money(thresholds.lam_above)}"
    )
    # The renewal.
    horizon = renewal_horizon(inputs.today, thresholds.renewal_months)
    near = renewal_is_near(inputs.renewal_date, inputs.today, thresholds.renewal_months)
    months = f"{thresholds.renewal_months} month{'s' if thresholds.renewal_months != 1 else ''}"
    renewal = inputs.renewal_date
    if renewal is None:
        renewal_text = "No renewal date on record: nothing weighs"
    else:
        away = (renewal - inputs.today).days
        if away < 0:
            renewal_text = f"Renewal on {day_text(renewal)} has passed: nothing weighs"
        elif near:
            renewal_text = (
                f"Renewal on {day_text(renewal)}, {away} day{'s' if away != 1 else ''} away: "
                f"within {months} (on or before {day_text(horizon)}), weighs heavily"
            )
        else:
            renewal_text = (
                f"Renewal on {day_text(renewal)}, {away} days away: more than {months} "
                f"(after {day_text(horizon)})"
            )
    reasons = [
        Reason(ARR, arr_met, arr_text),
        Reason(LAM, lam_met, lam_text),
        Reason(RENEWAL, near, renewal_text),
    ]

    if arr_met and lam_met:
        summary = "Qualifies: ARR and LAM meet their thresholds."
        if near:
            summary = "Qualifies: ARR and LAM meet their thresholds, and the renewal is near."
        return Verdict(True, summary, reasons)

    missed = [name for name, met in (("ARR", arr_met), ("LAM", lam_met)) if not met]
    if not near or len(missed) == 2:
        why = (
            "ARR and LAM miss their thresholds"
            if len(missed) == 2
            else f"{missed[0]} misses its threshold"
        )
        if near:
            reasons.append(
                Reason(
                    WEIGHT,
                    False,
                    f"The renewal makes up for one threshold missed by at most "
                    f"{thresholds.renewal_margin}%, not for both",
                )
            )
        return Verdict(False, f"Does not qualify: {why}.", reasons)

    # One threshold missed, the renewal near: within the margin it is made up.
    if missed == ["ARR"]:
        floor_share = share * (100 - margin) / 100
        made_up = _arr_meets(arr, ceiling, floor_share)
        detail = (
            f"ARR at {percent(arr * 100 / ceiling) if ceiling > 0 else 'no share'} misses "
            f"{thresholds.arr_share}% by "
            + ("at most" if made_up else "more than")
            + f" the {thresholds.renewal_margin}% margin (≥ {percent(floor_share)}, "
            f"{money(floor_share * ceiling / 100)})"
        )
    else:
        floor_lam = thresholds.lam_above * (100 - margin) / 100
        made_up = lam > floor_lam
        detail = (
            f"LAM {money(lam)} misses {money(thresholds.lam_above)} by "
            + ("at most" if made_up else "more than")
            + f" the {thresholds.renewal_margin}% margin (> {money(floor_lam)})"
        )
    reasons.append(
        Reason(
            WEIGHT,
            made_up,
            f"The renewal weighs: {detail}: " + ("made up" if made_up else "not made up"),
        )
    )
    if made_up:
        return Verdict(
            True,
            f"Qualifies on the renewal's weight: {missed[0]} narrowly misses its threshold.",
            reasons,
            renewal_weighed=True,
        )
    return Verdict(
        False,
        f"Does not qualify: {missed[0]} misses its threshold by more than the renewal makes up.",
        reasons,
    )


def weighting_text(thresholds: Thresholds) -> str:
    """The thresholds and the renewal's weight, as the verdict's panel states them."""
    months = thresholds.renewal_months
    plural = "s" if months != 1 else ""
    return (
        f"ARR ≥ {thresholds.arr_share}% of the ceiling of the account's segment; "
        f"LAM > {money(thresholds.lam_above)}; a renewal {months} month{plural} "
        f"away or less (on or before the same day {months} months ahead) weighs: it makes up "
        f"for one of the two missed by at most {thresholds.renewal_margin}% of its threshold."
    )


# --- What an escalation says ----------------------------------------------------------

TICKET_REFERENCE_MAX_LENGTH = 100
URL_MAX_LENGTH = 500
IMPACT_MAX_LENGTH = 4000
REASON_MAX_LENGTH = 4000
LINKS = ("ticket_url", "bug_url", "feature_request_url")


def url_problem(value: str) -> str | None:
    """Why a link is refused, or None: an http(s) address with a host."""
    if len(value) > URL_MAX_LENGTH:
        return f"At most {URL_MAX_LENGTH} characters; this has {len(value)}."
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        return "Enter a full web address, starting with https://."
    return None


def details_problems(kind: str, details: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Every field an escalation of `kind` gets wrong, as field -> (message, rule)."""
    problems: dict[str, tuple[str, str]] = {}
    if kind not in EscalationKind.values:
        return {"kind": (f"One of {', '.join(EscalationKind.values)}.", "invalid_choice")}
    get = {name: (details.get(name) or "").strip() for name in (*LINKS, "ticket_reference")}
    impact = (details.get("impact") or "").strip()
    risk = (details.get("risk") or "").strip()
    if kind == EscalationKind.SUPPORT:
        if not get["ticket_reference"]:
            problems["ticket_reference"] = (
                "A support escalation is about an existing ticket: give its reference.",
                "required",
            )
        if not get["ticket_url"]:
            problems["ticket_url"] = (
                "A support escalation is about an existing ticket: give its URL.",
                "required",
            )
        if not impact:
            problems["impact"] = (
                "Describe the very high business impact the ticket causes the customer.",
                "required",
            )
    else:
        if not risk:
            problems["risk"] = (
                "Say what the problem puts at risk: a critical use case, other vendors, "
                "churn or contraction.",
                "required",
            )
        elif risk not in EscalationRisk.values:
            problems["risk"] = (f"One of {', '.join(EscalationRisk.values)}.", "invalid_choice")
        if not impact:
            problems["impact"] = ("Describe the impact on the customer.", "required")
    if len(get["ticket_reference"]) > TICKET_REFERENCE_MAX_LENGTH:
        problems["ticket_reference"] = (
            f"At most {TICKET_REFERENCE_MAX_LENGTH} characters; this has "
            f"{len(get['ticket_reference'])}.",
            "max_length",
        )
    for name in LINKS:
        if get[name] and name not in problems:
            problem = url_problem(get[name])
            if problem:
                problems[name] = (problem, "invalid")
    if len(impact) > IMPACT_MAX_LENGTH:
        problems["impact"] = (
            f"At most {IMPACT_MAX_LENGTH} characters; this has {len(impact)}.",
            "max_length",
        )
    return problems


# --- Approval and the lifecycle -------------------------------------------------------

MANAGER, ACCOUNT_TEAM = "manager", "account_team"
OPEN_STATES = frozenset({S.RAISED, S.APPROVED, S.ACTIVE})

WORKFLOW = Workflow(
    noun="escalation",
    moves={
        (S.RAISED, S.APPROVED): Move(
            "approve",
            frozenset({MANAGER}),
            {"reason": "Say why you approve it: the account team reads it."},
            "Approve",
        ),
        (S.RAISED, S.DECLINED): Move(
            "decline",
            frozenset({MANAGER}),
            {"reason": "Say why you decline it: the account team reads it."},
            "Decline",
        ),
        (S.APPROVED, S.ACTIVE): Move("start", frozenset({MANAGER, ACCOUNT_TEAM}), {}, "Start work"),
        (S.ACTIVE, S.RESOLVED): Move(
            "resolve",
            frozenset({MANAGER, ACCOUNT_TEAM}),
            {"reason": "Say how it was resolved."},
            "Mark resolved",
        ),
        (S.RESOLVED, S.CLOSED): Move("close", frozenset({MANAGER, ACCOUNT_TEAM}), {}, "Close"),
        (S.DECLINED, S.CLOSED): Move("close", frozenset({MANAGER}), {}, "Close"),
    },
    states=dict(S.choices),
    party_labels={MANAGER: "a CSE manager", ACCOUNT_TEAM: "the account team"},
)


def justification_problem(target: str, qualifies: bool, justification: str) -> str | None:
    """Approving what the verdict says does not qualify needs a written justification."""
    if target != S.APPROVED or qualifies:
        return None
    if not justification.strip():
        return (
            "The verdict says it does not qualify: write why you approve it anyway "
            "(escalations are used sparingly)."
        )
    if len(justification) > REASON_MAX_LENGTH:
        return f"At most {REASON_MAX_LENGTH} characters; this has {len(justification)}."
    return None


# --- Fiscal quarters (the form's "this segment has had N this quarter") ---------------


def fiscal_quarter_start(day: date, start_month: int) -> date:
    """The first day of the fiscal quarter `day` is in, the fiscal year starting on
    the first of `start_month` (settings.RHYTHM_FISCAL_YEAR_START_MONTH)."""
    if not 1 <= start_month <= 12:
        raise ValueError("A fiscal year starts in a month from 1 to 12.")
    months_in = (day.month - start_month) % 12
    back = months_in % 3
    return add_months(day.replace(day=1), -back)


def fiscal_quarter_bounds(day: date, start_month: int) -> tuple[date, date]:
    """[first day, first day of the next quarter) of `day`'s fiscal quarter."""
    start = fiscal_quarter_start(day, start_month)
    return start, add_months(start, 3)


def fiscal_quarter_label(day: date, start_month: int) -> str:
    """ "Q4 FY2027": the quarter and the fiscal year, named by the calendar year it
    ends in (as followups.rules.fiscal_quarter names it)."""
    months_in = (day.month - start_month) % 12
    year = day.year + (1 if start_month > 1 and day.month >= start_month else 0)
    return f"Q{months_in // 3 + 1} FY{year}"
