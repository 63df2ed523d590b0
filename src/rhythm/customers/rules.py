"""What an account's header says of it: pure decisions, with their reasons.

No database and no clock: the caller passes the rows' values and today's date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from rhythm.customers.choices import HealthStatus

# The handbook weighs a renewal three months away or less heavily (escalations):
# the header marks it.
RENEWAL_SOON_DAYS = 90

# Worst first: a plan is as healthy as its least healthy objective.
_SEVERITY = (HealthStatus.RED, HealthStatus.AMBER, HealthStatus.GREEN)


@dataclass(frozen=True)
class Renewal:
    days: int | None  # from today; negative once it has passed, None without a date
    soon: bool = False
    passed: bool = False

    @property
    def ago(self) -> int | None:
        """Days since it passed."""
        return -self.days if self.passed and self.days is not None else None

    @property
    def colour(self) -> str:
        return "danger" if self.passed else "warning" if self.soon else ""


def renewal(renewal_date: date | None, today: date) -> Renewal:
    if renewal_date is None:
        return Renewal(None)
    days = (renewal_date - today).days
    return Renewal(days, soon=0 <= days <= RENEWAL_SOON_DAYS, passed=days < 0)


def licence_use(used: int, purchased: int) -> int | None:
    """Licences in use as a whole percentage of those bought (over 100 when more
    are used than bought); None when none were bought."""
    if purchased <= 0:
        return None
    return round(used * 100 / purchased)


@dataclass(frozen=True)
class PlanHealth:
    """The health of a success plan (or of all an account's plans): the worst of its
    objectives' statuses, how complete it is (the mean of their progress), how many
    objectives stand at each status, and why."""

    status: HealthStatus | None  # None: no objective yet
    complete: int = 0
    objectives: int = 0
    counts: dict[HealthStatus, int] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()

    @property
    def colour(self) -> str:
        return self.status.colour if self.status else "secondary"

    @property
    def label(self) -> str:
        return self.status.label if self.status else "No objectives"


def plan_health(objectives: Iterable[tuple[str, int]]) -> PlanHealth:
    """`objectives` are (status, progress %) pairs of the active objectives."""
    rows = [(HealthStatus(status), progress) for status, progress in objectives]
    if not rows:
        return PlanHealth(None, reasons=("No objective yet: add one to the success plan.",))
    counts = {s: sum(1 for status, _ in rows if status == s) for s in _SEVERITY}
    worst = next(s for s in _SEVERITY if counts[s])
    complete = round(sum(progress for _, progress in rows) / len(rows))
    total = len(rows)
    if worst == HealthStatus.GREEN:
        said = "Its one objective is green." if total == 1 else f"All {total} objectives are green."
        reasons: tuple[str, ...] = (said,)
    else:
        reasons = tuple(
            f"{counts[s]} of {_objectives(total)} {'is' if counts[s] == 1 else 'are'} "
            f"{s.label.lower()}."
            for s in _SEVERITY
            if s != HealthStatus.GREEN and counts[s]
        )
    return PlanHealth(worst, complete, total, counts, reasons)


def _objectives(n: int) -> str:
    return "1 objective" if n == 1 else f"{n} objectives"


# A title's words, in order, and the role they say (the first match wins: "Head of
# Security" is the security lead, not an executive). Campaigns once matched these
# words in a title; customers' migration 0005 backfilled the roles with a frozen copy.
_TITLE_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("security", "appsec", "ciso"), "security_lead"),
    (("admin", "administrator", "sysadmin"), "admin"),
    (("cto", "cio", "chief", "vp", "vice president", "procurement", "finance"), "economic_buyer"),
    (("head of", "director", "sponsor"), "executive_sponsor"),
    (("devops", "platform", "sre", "infrastructure"), "admin"),
    (("champion", "architect", "staff", "principal"), "technical_champion"),
    (("engineering manager", "developer", "dev lead", "team lead", "tech lead"), "developer_lead"),
)


def role_from_title(title: str) -> str:
    """The contact role a job title says, or "" when it says none."""
    words = f" {' '.join(title.lower().replace('-', ' ').split())} "
    for needles, role in _TITLE_WORDS:
        for needle in needles:
            if f" {needle} " in words or (" " in needle and needle in words):
                return role
    return ""
