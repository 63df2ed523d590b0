"""A full board, quickly: `fill(n)` adds n engagement requests and n CTAs to the
database, spread over every column and the team's CSEs, written in bulk;
`server_seconds(user)` times the board page as the server renders it.

    from bench import board
    board.fill(300)                                  # on the demo, or any database with a team
    board.server_seconds(User.objects.get(username="maria.manager"), "lanes=cse")

Rows are written as the services leave them (a request with its stakeholder, its
transitions from filing and, once started, its CTA; a CSE-help case whose CTA and
tasks the real reconciliation raises), so the board, the capacity computation and
the pages behind the cards read them as they would read the real thing. Ages, due
dates and owners vary, so that late cards, aging cards and CSEs over their limit
all show. Imported after Django is set up (tests, `rhythm shell`, a bench child).
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rhythm.cases.choices import CaseStatus
from rhythm.cases.models import Case
from rhythm.catalog.models import Offering
from rhythm.ctas import services as ctas
from rhythm.ctas.choices import CtaSource, CtaStatus
from rhythm.ctas.models import Cta
from rhythm.customers.models import Account, Contact, Objective, Opportunity, SuccessPlan
from rhythm.engagements.choices import RequestState
from rhythm.engagements.models import EngagementRequest, Stakeholder, Transition
from rhythm.people.choices import Role
from rhythm.people.models import User

S = RequestState
# How a board's requests spread over its columns, in tenths of fifty.
REQUEST_MIX = [
    (S.REVIEW, 10),
    (S.CLARIFICATION, 4),
    (S.STARTED, 17),
    (S.COMPLETE, 5),
    (S.REJECTED, 3),
    (S.CLOSED, 11),
]
CTA_MIX = [(CtaStatus.OPEN, 18), (CtaStatus.IN_PROGRESS, 22), (CtaStatus.CLOSED, 10)]
# The states each request passed through to reach its own, from its filing.
PATHS = {
    S.REVIEW: [S.REVIEW],
    S.CLARIFICATION: [S.REVIEW, S.CLARIFICATION],
    S.REJECTED: [S.REVIEW, S.REJECTED],
    S.STARTED: [S.REVIEW, S.STARTED],
    S.COMPLETE: [S.REVIEW, S.STARTED, S.COMPLETE],
    S.CLOSED: [S.REVIEW, S.STARTED, S.COMPLETE, S.CLOSED],
}
ASSIGNED = {S.STARTED, S.COMPLETE, S.CLOSED}
TOPICS = [
    "CI for the platform team",
    "Security scanning rollout",
    "Runner fleet autoscaling",
    "Migration from Jenkins",
    "DORA metrics for leadership",
    "HA reference architecture",
    "Agile planning with epics",
    "Duo code suggestions pilot",
]


@dataclass(frozen=True)
class Filled:
    requests: int
    ctas: int


def _spread(mix: Sequence[tuple[str, int]], n: int) -> list[str]:
    """n states in the mix's proportions, interleaved (not one column after another)."""
    weights = sum(w for _, w in mix)
    counts = [n * w // weights for _, w in mix]
    counts[0] += n - sum(counts)
    pool = [state for (state, _), count in zip(mix, counts, strict=True) for _ in range(count)]
    return pool[::2] + pool[1::2]


def _team() -> tuple[list[User], User, User | None]:
    cses = list(User.objects.active().with_role(Role.CSE).order_by("pk"))
    manager = User.objects.active().with_role(Role.CSE_MANAGER).order_by("pk").first()
    csm = User.objects.active().with_role(Role.CSM).order_by("pk").first()
    if not cses or manager is None:
        raise RuntimeError("fill() needs a team: at least one CSE and one CSE manager.")
    return cses, manager, csm


@transaction.atomic
def fill(
    n: int = 300,
    *,
    accounts: Sequence[Account] | None = None,
    request_mix: Sequence[tuple[str, int]] = REQUEST_MIX,
    cta_mix: Sequence[tuple[str, int]] = CTA_MIX,
) -> Filled:
    """n requests and n CTAs (of CSE-help cases) on `accounts` in turn (default: the
    active accounts that have a CSM), with the team's CSEs in turn as their owners,
    over the columns as the mixes say (default: a board's, every column full)."""
    cses, manager, any_csm = _team()
    homes = list(accounts) if accounts is not None else _default_accounts()
    if not homes:
        raise RuntimeError("fill() needs accounts to put cards on.")
    on = [homes[i % len(homes)] for i in range(n)]
    furnished = _furnish({a.pk: a for a in on}.values())
    now = timezone.now()
    requests = _requests(on, furnished, cses, manager, any_csm, now, request_mix)
    made = _ctas(on, furnished, cses, now, cta_mix)
    return Filled(requests, made)


def _default_accounts() -> list[Account]:
    return list(Account.objects.active().filter(csm__isnull=False).order_by("pk"))


def _furnish(accounts) -> dict[int, tuple[Contact, Opportunity, Objective]]:
    """A contact, an open opportunity and a success-plan objective on each account,
    those it has or new ones."""
    accounts = list(accounts)
    ids = [a.pk for a in accounts]
    contacts = {c.account_id: c for c in Contact.objects.active().filter(account_id__in=ids)}
    opportunities = {
        o.account_id: o
        for o in Opportunity.objects.active().filter(account_id__in=ids, is_open=True)
    }
    objectives = {
        o.success_plan.account_id: o
        for o in Objective.objects.active()
        .filter(success_plan__account_id__in=ids)
        .select_related("success_plan")
    }
    serial = itertools.count(Opportunity.objects.count() + 1)
    bare_contacts = [a for a in accounts if a.pk not in contacts]
    for c in Contact.objects.bulk_create(
        Contact(account=a, name="Grace Hopper", email=f"grace.{a.pk}@customer.example")
        for a in bare_contacts
    ):
        contacts[c.account_id] = c
    for o in Opportunity.objects.bulk_create(
        Opportunity(
            account=a,
            crm_id=f"BOARD-OPP-{next(serial)}-{a.pk}",
            name="Premium expansion",
            owner=a.account_owner,
        )
        for a in accounts
        if a.pk not in opportunities
    ):
        opportunities[o.account_id] = o
    plans = SuccessPlan.objects.bulk_create(
        SuccessPlan(account=a, name="FY success plan") for a in accounts if a.pk not in objectives
    )
    for o in Objective.objects.bulk_create(
        Objective(success_plan=p, title="Adopt GitLab CI across teams") for p in plans
    ):
        objectives[o.success_plan.account_id] = o
    return {pk: (contacts[pk], opportunities[pk], objectives[pk]) for pk in ids}


def _requests(on, furnished, cses, manager, any_csm, now: datetime, mix) -> int:
    states = _spread(mix, len(on))
    owners = itertools.cycle(cses)
    offering_ids = list(Offering.objects.active().order_by("position").values_list("pk", flat=True))
    today = timezone.localdate(now)
    rows = []
    seen: set[int] = set()
    for i, (account, state) in enumerate(zip(on, states, strict=True)):
        again = account.pk in seen  # its objective has an open request: a duplicate, said why
        seen.add(account.pk)
        waited = timedelta(hours=3 + (i * 37) % (24 * 40))  # up to forty days in its state
        # Every fifth request waiting in review is past its target start: late.
        start = today + timedelta(days=(-3 if i % 5 == 0 else 4 + i % 30))
        if state in (S.STARTED, S.COMPLETE, S.CLOSED):
            start = today - timedelta(days=7 + i % 60)
        rows.append(
            EngagementRequest(
                title=f"{TOPICS[i % len(TOPICS)]} #{i + 1}",
                account=account,
                objective=furnished[account.pk][2],
                offering_id=offering_ids[i % len(offering_ids)] if offering_ids else None,
                effort_kind="duration",
                duration_weeks=4 + i % 9,
                hours_per_week=Decimal(2 + i % 5),
                target_start_date=start,
                outcome="Every team builds on GitLab CI.",
                metrics=["Pipelines under 10 minutes"],
                deliverables=["Reference pipeline"],
                state=state,
                state_changed_at=now - waited,
                requested_by=account.csm or any_csm or manager,
                assigned_cse=next(owners) if state in ASSIGNED else None,
                duplicate_reason="Another team of the same account." if again else "",
            )
        )
    made = EngagementRequest.objects.bulk_create(rows)
    Stakeholder.objects.bulk_create(
        Stakeholder(request=r, name="Ana Costa", role_title="VP Eng", responsibilities="Sponsor")
        for r in made
    )
    Transition.objects.bulk_create(
        Transition(
            request=r,
            from_state=path[i - 1] if i else "",
            to_state=to,
            actor=r.requested_by if i == 0 or to == S.REVIEW else manager,
            assigned_cse=r.assigned_cse if to == S.STARTED else None,
            at=r.state_changed_at - timedelta(days=len(path) - 1 - i),
        )
        for r in made
        for path in [PATHS[S(r.state)]]
        for i, to in enumerate(path)
    )
    Cta.objects.bulk_create(
        Cta(
            name=f"{r.account.name} - CSE Engagement: {r.title}"[:255],
            account=r.account,
            request=r,
            type="CSE Engagement",
            reason="Complex CSE engagement",
            owner=r.assigned_cse,
            status=CtaStatus.IN_PROGRESS if r.state == S.STARTED else CtaStatus.CLOSED,
            source=CtaSource.REQUEST,
            accepted_at=now,
            closed_at=None if r.state == S.STARTED else now,
            due_date=r.target_start_date + timedelta(weeks=r.duration_weeks or 1),
        )
        for r in made
        if r.state in ASSIGNED
    )
    # Requests changed at different times, as a board's do (bulk_create stamps them all now).
    for bucket in range(10):
        EngagementRequest.objects.filter(pk__in=[r.pk for r in made[bucket::10]]).update(
            updated_at=now - timedelta(hours=bucket * 7)
        )
    return len(made)


def _ctas(on, furnished, cses, now: datetime, mix) -> int:
    offering = Offering.objects.active().order_by("position").first()
    firsts = {a.pk: i for i, a in reversed(list(enumerate(on)))}
    cases = Case.objects.bulk_create(
        Case(
            kind="cse_help",
            account=account,
            opportunity=furnished[account.pk][1],
            contact=furnished[account.pk][0],
            offering=offering,
            challenges="Pipelines take 40 minutes and block merges.",
            opened_by=account.account_owner or cses[0],
            priority=("low", "medium", "high", "urgent")[i % 4],
            # A second open case on the opportunity for the offering says why (the rule).
            duplicate_reason="" if firsts[account.pk] == i else "Another team of the account.",
        )
        for i, account in enumerate(on)
    )
    ctas.reconcile()  # raises their CTAs and tasks, as the four-hourly batch would
    ids = dict(Cta.objects.filter(case__in=cases).values_list("case_id", "pk"))
    statuses = _spread(mix, len(cases))
    owners = itertools.cycle(cses)
    today = timezone.localdate(now)
    groups: dict[tuple, list[int]] = {}
    for i, (case, status) in enumerate(zip(cases, statuses, strict=True)):
        owner = None if status == CtaStatus.OPEN else next(owners)
        raised = now - timedelta(hours=2 + (i * 29) % (24 * 21))
        due = today + timedelta(days=-(1 + i % 4) if i % 6 == 0 else 2 + i % 12)
        groups.setdefault((status, owner, raised.date(), due), []).append(ids[case.pk])
    for (status, owner, raised_on, due), pks in groups.items():
        stamp = datetime.combine(raised_on, now.timetz())
        Cta.objects.filter(pk__in=pks).update(
            status=status,
            owner=owner,
            raised_at=stamp,
            updated_at=stamp,
            due_date=due,
            accepted_at=None if status == CtaStatus.OPEN else stamp + timedelta(hours=1),
            closed_at=stamp + timedelta(days=1) if status == CtaStatus.CLOSED else None,
        )
    # The cases follow their CTAs (cases.services.follow_cta, in bulk here).
    follows = {CtaStatus.IN_PROGRESS: CaseStatus.ACCEPTED, CtaStatus.CLOSED: CaseStatus.CLOSED}
    for cta_status, case_status in follows.items():
        Case.objects.filter(Q(cta__status=cta_status), pk__in=[c.pk for c in cases]).update(
            status=case_status
        )
    return len(cases)


def server_seconds(user: User, query: str = "", rounds: int = 5) -> float:
    """The median time the board page takes to render for `user` (in this process,
    through the middleware, as the server does it), after one warm-up."""
    client = Client()
    client.force_login(user)
    url = reverse("engagements:board") + (f"?{query}" if query else "")
    client.get(url)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return statistics.median(times)
