"""What is late, for a home page: work past its due date or waiting in a state
longer than the team's norm (ctas.rules.cta_aging, engagements.rules.request_aging).

A manager sees the team's, a CSE their own (and their overdue tasks), a CSM the
requests they filed, an account owner the CTAs of the cases they opened. The
database finds them (`late()` asks for exactly what the rules mark), in a fixed
number of queries whatever the data: a count and the oldest few of each kind. The
counts are bounded (core.paging): a manager's counts the team's late work, which
stops at COUNT_AHEAD a kind ("1,000+ CTAs").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rhythm.core.paging import COUNT_AHEAD, bounded_count
from rhythm.core.rules import Aging
from rhythm.ctas.choices import CtaStatus
from rhythm.ctas.models import Cta, CtaTask
from rhythm.engagements.models import EngagementRequest
from rhythm.people.choices import Role

SHOWN = 8


@dataclass(frozen=True)
class LateItem:
    kind: str  # "CTA", "Request", "Task"
    title: str
    url: str
    account: str
    who: Any  # who holds it, if anyone
    aging: Aging


@dataclass
class LateWork:
    whose: str  # "the team's", "yours"
    items: list[LateItem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # kind -> how many
    capped: set[str] = field(default_factory=set)  # the kinds counted past COUNT_AHEAD

    def count(self, kind: str, rows) -> int:
        """Count `rows` as `kind`'s, no further than COUNT_AHEAD; say so when it stops."""
        counted, capped = bounded_count(rows)
        self.counts[kind] = min(counted, COUNT_AHEAD)
        if capped:
            self.capped.add(kind)
        return self.counts[kind]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def total_label(self) -> str:
        """The total as the badge says it: "1,000+" when some kind stopped counting."""
        return f"{self.total:,}{'+' if self.capped else ''}"

    @property
    def summary(self) -> str:
        """ "2 CTAs, 1 request" (or "1,000+ CTAs"): what is late, by kind."""
        return ", ".join(
            f"{count:,}{'+' if kind in self.capped else ''}"
            f" {kind if kind == 'CTA' else kind.lower()}{'s' if count != 1 else ''}"
            for kind, count in self.counts.items()
            if count
        )


def late_work(user, roles: set[Role], today: date) -> LateWork | None:
    """What is late for this person, or None when their role holds no such work."""
    # A CTA that tracks an engagement request is late with it: the request is listed.
    ctas = Cta.objects.visible_to(user).late(today).of_cases()
    requests = EngagementRequest.objects.visible_to(user).active().late(today)
    tasks = None
    if user.manages_cses:
        work = LateWork("the team's")
    elif Role.CSE in roles:
        work = LateWork("yours")
        ctas, requests = ctas.filter(owner=user), requests.filter(assigned_cse=user)
        tasks = (
            CtaTask.objects.visible_to(user)
            .overdue(today)
            .filter(cta__owner=user)
            .exclude(cta__status=CtaStatus.CLOSED)
        )
    elif Role.CSM in roles:
        work = LateWork("yours")
        ctas, requests = ctas.none(), requests.filter(requested_by=user)
    elif Role.ACCOUNT_OWNER in roles:
        work = LateWork("on your cases")
        ctas, requests = ctas.filter(case__opened_by=user), requests.none()
    else:
        return None
    found: list[LateItem] = []
    if work.count("CTA", ctas):
        for cta in ctas.select_related("account", "owner").order_by("raised_at", "id")[:SHOWN]:
            found.append(
                LateItem(
                    "CTA", cta.name, cta.get_absolute_url(), cta.account.name, cta.owner, cta.aging
                )
            )
    if work.count("Request", requests):
        oldest = requests.select_related("account", "assigned_cse").order_by(
            "state_changed_at", "id"
        )
        for r in oldest[:SHOWN]:
            found.append(
                LateItem(
                    "Request",
                    r.title,
                    r.get_absolute_url(),
                    r.account.name,
                    r.assigned_cse,
                    r.aging,
                )
            )
    if tasks is not None and work.count("Task", tasks):
        for task in tasks.select_related("cta__account").order_by("due_date", "id")[:SHOWN]:
            found.append(
                LateItem(
                    "Task",
                    f"{task.title} ({task.cta.name})",
                    task.cta.get_absolute_url(),
                    task.cta.account.name,
                    user,
                    task.aging,
                )
            )
    # The latest first; overdue before merely aging when as late.
    found.sort(key=lambda item: (item.aging.days, item.aging.overdue), reverse=True)
    work.items = found[:SHOWN]
    return work
