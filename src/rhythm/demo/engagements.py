"""Demo engagement data: CS Help cases and their CTAs, complex requests on the
board, office hours and a few timeline notes.

Everything here is made through the use cases, by the person who would do it
in the product: the account owner opens a case, a CSE accepts its CTA, a CSM files
a request, the manager qualifies it. So every rule is applied and every CTA,
task, history row, timeline entry and outbox message is the real thing.

Deterministic: a generator of its own (the accounts' draws stay as they were),
rows read in a fixed order, and the CSE qualified for a request is the one the
ranking suggests, which depends on the data alone (started engagements begin on
or before the day the demo is loaded). Loaded once: the demo's cases carry
idempotency keys starting with `demo-case-`; when one exists nothing is made.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from rhythm.cases import services as cases
from rhythm.cases.choices import CaseKind, Priority
from rhythm.cases.models import Case
from rhythm.catalog.models import Offering
from rhythm.ctas import services as ctas
from rhythm.ctas.choices import TaskStatus
from rhythm.ctas.models import Cta, CtaTask
from rhythm.customers.models import Account, Contact, Objective, Opportunity
from rhythm.engagements import services as engagements
from rhythm.engagements.capacity import suggest_cses
from rhythm.engagements.choices import EffortKind, RejectionReason, RequestState
from rhythm.engagements.models import EngagementRequest
from rhythm.engagements.services import TransitionInput
from rhythm.officehours import services as officehours
from rhythm.officehours.choices import Weekday
from rhythm.officehours.models import Question
from rhythm.people.choices import Role
from rhythm.people.models import User
from rhythm.timeline import services as timeline

KEY_PREFIX = "demo-case-"
CASE_COUNT = 40
MANAGER = "maria.manager"

_CHALLENGES = [
    "Pipelines take more than 40 minutes and block merges; the team wants feedback in "
    "under ten minutes before the next release train.",
    "They are moving 1,200 repositories from Bitbucket and Jenkins before the renewal "
    "and need a migration plan that keeps every team shipping.",
    "Security findings pile up unreviewed; they want scanners in every pipeline and a "
    "triage routine the developers will actually follow.",
    "Shared runners are saturated at peak hours and jobs queue for minutes; they ask how "
    "to size and autoscale their fleet.",
    "Leadership asks for DORA metrics every quarter and nobody knows where to start.",
    "The self-managed instance went down twice this quarter; they want a highly "
    "available reference architecture and a runbook.",
    "Product teams plan in three different tools; the PMO wants epics and roadmaps in one place.",
    "Developers ask how to use AI-assisted code review within their compliance rules.",
    "License utilization is low: half the seats are unused and the champion wants an "
    "adoption plan for the remaining teams.",
    "Monitoring of the instance is ad hoc; they want dashboards and alerts before the "
    "user count doubles.",
]

# What a CSM writes for each of the demo's success-plan objectives (data._OBJECTIVES).
_DETAILS: dict[str, tuple[str, list[str], list[str]]] = {
    "Migrate all repositories to GitLab": (
        "Every active repository lives in GitLab, with history, and the old server is retired.",
        ["Repositories migrated: 100%", "No team blocked for more than a day"],
        ["Migration plan by wave", "Pilot migration of two teams", "Cut-over runbook"],
    ),
    "Adopt CI/CD for every product team": (
        "Every product team builds, tests and deploys from GitLab CI/CD.",
        ["Teams on GitLab CI: 100%", "Deployments a week doubled"],
        ["Reference pipeline", "CI/CD templates for the main stacks", "Enablement workshop"],
    ),
    "Shift security scanning left": (
        "Security scanners run in every merge request and findings are triaged weekly.",
        ["Projects with SAST and dependency scanning: 90%", "Critical findings fixed in 14 days"],
        ["Security policy set-up", "Vulnerability triage routine", "Developer session"],
    ),
    "Cut pipeline duration by 30%": (
        "Merge-request pipelines are 30% faster without dropping any test.",
        ["Median pipeline duration -30%", "Queue time under one minute"],
        ["Pipeline efficiency review", "Runner sizing recommendation", "Caching guide"],
    ),
    "Roll out Agile planning to three departments": (
        "Three departments plan their work in GitLab epics, issues and boards.",
        ["Departments planning in GitLab: 3", "Roadmap reviewed monthly"],
        ["Planning hierarchy design", "Board templates", "Train-the-trainer session"],
    ),
    "Reach 80% license utilization": (
        "Four seats in five are in use, with a named champion per team.",
        ["License utilization >= 80%", "Weekly active users +25%"],
        ["Adoption plan by team", "Onboarding webinar", "Usage dashboard"],
    ),
    "Stand up a highly available GitLab instance": (
        "A highly available instance that survives the loss of a node without downtime.",
        ["Availability 99.9% over a quarter", "Recovery time under 30 minutes"],
        ["Reference architecture review", "Failover test", "Operations runbook"],
    ),
    "Introduce AI-assisted code review": (
        "AI-assisted code review in use by the pilot teams, within the compliance rules.",
        ["Pilot teams using AI review: 3", "Review turnaround -20%"],
        ["Pilot plan", "Guardrails and settings review", "Pilot retrospective"],
    ),
}
_GENERIC = (
    "The objective is met on the agreed date.",
    ["Objective progress 100%"],
    ["Engagement plan", "Final read-out"],
)
_RESPONSIBILITIES = [
    "Executive sponsor; signs off on the outcome",
    "Owns the platform and the rollout plan",
    "Coordinates the teams taking part",
    "Security sign-off and policy decisions",
]

# How far each demo request travels through the review workflow, in filing order.
# qualify/complete/close after qualify put the request on a CSE's plate.
_PATHS: list[tuple[str, ...]] = [
    (),
    (),
    ("ask", "answer"),
    ("ask",),
    ("ask",),
    ("reject",),
    ("reject",),
    ("reject", "close"),
    ("withdraw",),
    ("qualify",),
    ("qualify",),
    ("qualify",),
    ("qualify",),
    ("qualify", "complete"),
    ("qualify", "complete"),
    ("qualify", "complete", "close"),
]
_QUESTIONS = [
    (
        "Merge trains with a monorepo",
        "The customer's monorepo has 300 engineers; can merge trains keep main green "
        "without slowing everyone down?",
    ),
    (
        "Runner autoscaling on Kubernetes",
        "Jobs queue at 9am every day. What should they set for concurrency and autoscaling?",
    ),
    (
        "Compliance pipelines for audited projects",
        "The auditors want a scan that developers cannot skip. What is the recommended set-up?",
    ),
    (
        "Importing Jira history",
        "They are moving planning into GitLab; can the Jira history come along?",
    ),
]
_REJECTIONS = [
    (
        RejectionReason.OUT_OF_SCOPE,
        "This is a custom integration build; Professional Services can scope it.",
    ),
    (RejectionReason.DUPLICATE, "The same outcome is covered by the request filed last month."),
    (RejectionReason.NO_CAPACITY, "No CSE has room this quarter; please refile next quarter."),
]


@dataclass
class _Book:
    """The demo's accounts and what hangs off them, read once in a fixed order."""

    accounts: list[Account]
    opportunities: dict[int, list[Opportunity]] = field(default_factory=lambda: defaultdict(list))
    contacts: dict[int, list[Contact]] = field(default_factory=lambda: defaultdict(list))
    objectives: dict[int, list[Objective]] = field(default_factory=lambda: defaultdict(list))


def load(today: date, seed: int) -> dict[str, int]:
    """The demo's engagements, once; an empty count when they are already there."""
    created = {
        "cases": 0,
        "engagement requests": 0,
        "office-hours sessions": 0,
        "office-hours questions": 0,
    }
    if Case.objects.filter(idempotency_key__startswith=KEY_PREFIX).exists():
        return created
    rng = random.Random(f"{seed}:engagements")
    book = _book()
    if not book.accounts:
        return created
    offerings = list(Offering.objects.active().order_by("position", "name"))
    cses = list(
        User.objects.active()
        .with_role(Role.CSE)
        .prefetch_related("covered_segments")
        .order_by("username")
    )
    manager = User.objects.active().filter(username=MANAGER).first()

    opened = _cases(rng, book, offerings)
    created["cases"] = len(opened)
    _work_ctas(rng, opened, cses, manager)
    if manager is not None:
        created["engagement requests"] = _requests(rng, today, book, offerings, manager)
    sessions, questions = _office_hours(rng, today, book, cses)
    created["office-hours sessions"], created["office-hours questions"] = sessions, questions
    _notes(book, opened)
    return created


def _book() -> _Book:
    accounts = list(
        Account.objects.active()
        .filter(crm_id__startswith="DEMO-")
        .select_related("segment", "account_owner", "csm")
        .order_by("crm_id")
    )
    book = _Book(accounts)
    for opportunity in (
        Opportunity.objects.active()
        .filter(account__in=accounts, is_open=True)
        .select_related("account__segment")
        .order_by("crm_id")
    ):
        book.opportunities[opportunity.account_id].append(opportunity)
    for contact in (
        Contact.objects.active()
        .filter(account__in=accounts)
        .order_by("account_id", "name", "email", "title", "phone", "pk")
    ):
        book.contacts[contact.account_id].append(contact)
    for objective in (
        Objective.objects.active()
        .filter(success_plan__account__in=accounts, success_plan__archived_at__isnull=True)
        .select_related("success_plan")
        .order_by("title", "pk")
    ):
        book.objectives[objective.success_plan.account_id].append(objective)
    return book


def _covering(cses: list[User], account: Account) -> list[User]:
    return [
        u
        for u in cses
        if account.region in (u.covered_regions or [])
        and any(s.pk == account.segment_id for s in u.covered_segments.all())
    ]


# --- CS Help cases and their CTAs ----------------------------------------------


def _cases(rng: random.Random, book: _Book, offerings: list[Offering]) -> list[Case]:
    """About forty cases, each opened by its account's owner on an open opportunity."""
    if not offerings:
        return []
    # Every priority shows, most cases medium or high, in no visible order.
    priorities = [Priority.MEDIUM] * 4 + [Priority.HIGH] * 2 + [Priority.LOW, Priority.URGENT]
    priorities = rng.sample(priorities * 5, len(priorities) * 5)
    opt_outs = set(rng.sample(range(CASE_COUNT), CASE_COUNT // 5))  # one case in five
    opened: list[Case] = []
    for account in rng.sample(book.accounts, len(book.accounts)):
        if len(opened) == CASE_COUNT:
            break
        owner = account.account_owner
        candidates = book.opportunities[account.pk]
        contacts = book.contacts[account.pk]
        if owner is None or not owner.is_active or not candidates or not contacts:
            continue
        opportunity = rng.choice(candidates)
        if not cases.eligibility(opportunity).eligible:
            continue
        data = {
            "opportunity": opportunity,
            "kind": CaseKind.CSE_HELP,
            "offering": offerings[len(opened) % len(offerings)],
            "contact": rng.choice(contacts).pk,
            "challenges": rng.choice(_CHALLENGES),
            "opt_out_outreach": len(opened) in opt_outs,
            "priority": priorities[len(opened) % len(priorities)],
        }
        key = f"{KEY_PREFIX}{len(opened) + 1}"
        opened.append(cases.open_case(owner, data, idempotency_key=key).case)
    return opened


def _work_ctas(
    rng: random.Random, opened: list[Case], cses: list[User], manager: User | None
) -> None:
    """About half the CTAs accepted (a few assigned by the manager), their outreach
    sent but for the newest; some of those under way, a few done and closed. The
    rest wait in the CTA board's Open column."""
    chosen = sorted(rng.sample(range(len(opened)), len(opened) // 2))
    for turn, index in enumerate(chosen):
        case = opened[index]
        covering = _covering(cses, case.account)
        if not covering:
            continue
        cse = rng.choice(covering)
        assigner = manager if manager is not None and turn % 4 == 3 else cse
        cta = ctas.accept(Cta.objects.get(case=case), cse=cse, actor=assigner)
        stage = turn % 5  # 0: just accepted; 1: outreach sent; 2, 3: call scheduled; 4: closed
        if stage >= 1 and not case.opt_out_outreach:
            # The CSE sends the drafted outreach; a just-accepted CTA's draft waits.
            ctas.send_outreach(cta, actor=cse)
        if stage < 2:
            continue
        tasks = list(CtaTask.objects.filter(cta=cta, status=TaskStatus.OPEN).order_by("position"))
        if stage < 4:
            for task in tasks[:2]:
                ctas.set_task_status(task, status=TaskStatus.DONE, actor=cse)
            continue
        # Closing says what was done; every other closed CTA skipped its last step.
        work = [task for task in tasks if not task.title.startswith("Close")]
        skipped = work[-1:] if turn % 2 else []
        ctas.close(
            cta,
            actor=cse,
            reason="Call held, customer satisfied.",
            done_task_ids=[task.pk for task in work if task not in skipped],
            skip_reason="The customer had what they needed after the call." if skipped else "",
        )


# --- Complex engagement requests -----------------------------------------------


def _requests(
    rng: random.Random, today: date, book: _Book, offerings: list[Offering], manager: User
) -> int:
    """Requests filed by each account's CSM and moved through the review workflow,
    so every column of the board holds cards."""
    filed = 0
    for account in rng.sample(book.accounts, len(book.accounts)):
        if filed == len(_PATHS):
            break
        csm = account.csm
        objectives = book.objectives[account.pk]
        contacts = book.contacts[account.pk]
        if csm is None or not csm.is_active or not objectives or not contacts:
            continue
        path = _PATHS[filed]
        request = _file(
            rng, today, account, csm, objectives, contacts, offerings, started="qualify" in path
        )
        _travel(rng, request, path, csm, manager)
        filed += 1
    return filed


def _file(
    rng: random.Random,
    today: date,
    account: Account,
    csm: User,
    objectives: list[Objective],
    contacts: list[Contact],
    offerings: list[Offering],
    *,
    started: bool,
) -> EngagementRequest:
    objective = rng.choice(objectives)
    outcome, metrics, deliverables = _DETAILS.get(objective.title, _GENERIC)
    one_off = rng.random() < 0.25
    # A request that gets started began on or before today: its load then counts
    # this week whatever the date, and the CSE the ranking suggests stays the same.
    start = (
        today - timedelta(days=rng.randint(0, 28))
        if started
        else today + timedelta(days=rng.randint(7, 45))
    )
    offering = rng.choice(offerings) if offerings else None
    people = rng.sample(contacts, min(len(contacts), rng.randint(1, 3)))
    stakeholders = [
        {
            "name": person.name,
            "role_title": person.title or "Customer stakeholder",
            "responsibilities": _RESPONSIBILITIES[n % len(_RESPONSIBILITIES)],
        }
        for n, person in enumerate(people)
    ]
    return engagements.file_request(
        csm,
        {
            "account": account.pk,
            "objective": objective.pk,
            "offering": offering.pk if offering else None,
            "effort_kind": EffortKind.ONE_OFF if one_off else EffortKind.DURATION,
            "duration_weeks": None if one_off else rng.choice([4, 6, 8, 12]),
            "hours_per_week": Decimal(rng.choice([4, 6, 8, 12])),
            "target_start_date": start,
            "outcome": outcome,
            "metrics": metrics,
            "deliverables": deliverables,
        },
        stakeholders,
        # Filed a month before the demo's today, so that started ones began since.
        filed_on=today - timedelta(days=30),
    )


def _travel(
    rng: random.Random, request: EngagementRequest, path: tuple[str, ...], csm: User, manager
) -> None:
    def move(request: EngagementRequest, actor, to: RequestState, **kw) -> EngagementRequest:
        return engagements.transition(request, actor, TransitionInput(to=to, **kw))

    for step in path:
        if step == "ask":
            request = move(
                request,
                manager,
                RequestState.CLARIFICATION,
                reason="Which teams take part, and who signs off on the outcome? "
                "Please add them as stakeholders.",
            )
        elif step == "answer":
            request = move(
                request,
                csm,
                RequestState.REVIEW,
                reason="Added the platform lead and the sponsor; two teams take part.",
            )
        elif step == "reject":
            code, reason = rng.choice(_REJECTIONS)
            request = move(request, manager, RequestState.REJECTED, reason_code=code, reason=reason)
        elif step == "withdraw":
            request = move(
                request,
                csm,
                RequestState.CLOSED,
                reason="The customer moved the project to next quarter.",
            )
        elif step == "qualify":
            # The manager takes the top suggestion, confirming when it is over capacity.
            top = suggest_cses(request)[0]
            request = move(
                request,
                manager,
                RequestState.STARTED,
                cse=top.user_id,
                confirm_over_capacity=not top.fits_capacity,
                override_reason="" if top.covers else "Nobody covers this account; nearest fit.",
                reason="Qualified: clear objective and agreed success criteria.",
            )
        elif step == "complete":
            request = move(
                request,
                request.assigned_cse,
                RequestState.COMPLETE,
                reason="Deliverables handed over and the success criteria met.",
                deliverables=_outcomes(request),
                **_doc(request),
            )
        elif step == "close":
            request = move(
                request, manager, RequestState.CLOSED, reason="Reviewed with the CSM; closing."
            )


def _doc(request: EngagementRequest) -> dict[str, str]:
    """The doc completing it updated: most link the team's runbook page they wrote;
    one in four (by its id, so every database agrees) updated none, and says why."""
    if request.pk % 4 == 0:
        return {"doc_none_reason": "Covered by the existing CI caching guide; nothing new."}
    return {"doc_url": f"https://handbook.example/cse/runbooks/engagement-{request.pk}"}


def _outcomes(request: EngagementRequest) -> tuple[engagements.DeliverableAnswer, ...]:
    """What the CSE says of each deliverable: mostly achieved on time; on some
    requests (by their title, so every database agrees) the last came late or not."""
    count = len(request.deliverables)
    slip = len(request.title) % 3  # 0: all on time, 1: the last late, 2: the last not done
    return tuple(
        engagements.DeliverableAnswer(
            achieved=not (slip == 2 and last), on_time=not (slip and last)
        )
        for last in (index == count - 1 for index in range(count))
    )


# --- Office hours and notes ----------------------------------------------------

_SESSIONS = [
    ("sam.cse", Weekday.TUESDAY, time(10, 0)),
    ("martin.cse", Weekday.WEDNESDAY, time(14, 0)),
    ("priya.cse", Weekday.THURSDAY, time(11, 0)),
]


def _office_hours(
    rng: random.Random, today: date, book: _Book, cses: list[User]
) -> tuple[int, int]:
    """Three CSEs' weekly office hours; CSMs bring questions to the CSE of their
    account's region: one answered, one turned into a spot call, the rest open."""
    by_name = {u.username: u for u in cses}
    sessions = {}
    for username, weekday, start in _SESSIONS:
        cse = by_name.get(username)
        if cse is None:
            continue
        sessions[cse.region] = officehours.save_session(
            cse,
            {
                "title": f"CSE office hours — {cse.region}",
                "weekday": weekday,
                "start_time": start,
                "duration_minutes": 60,
                "recurring": True,
            },
        )
    asked: list[Question] = []
    for account in rng.sample(book.accounts, len(book.accounts)):
        if len(asked) == len(_QUESTIONS):
            break
        session = sessions.get(account.region)
        if session is None or account.csm is None or not account.csm.is_active:
            continue
        topic, context = _QUESTIONS[len(asked)]
        asked.append(
            officehours.ask(
                account.csm,
                session=session,
                account_id=account.pk,
                topic=topic,
                context=f"{account.name}: {context}",
            )
        )
    if asked:
        first = asked[0]
        officehours.answer(
            first,
            actor=first.session.cse,
            text="Yes: enable merge trains on main with pipelines for merged results; "
            "keep the train short with fast unit jobs and push slow suites to a nightly run.",
        )
    if len(asked) > 1:
        second = asked[1]
        cse = second.session.cse
        call = datetime.combine(today + timedelta(days=2), time(15, 0), ZoneInfo(cse.time_zone))
        officehours.make_spot_engagement(second, actor=cse, scheduled_at=call)
    return len(sessions), len(asked)


def _notes(book: _Book, opened: list[Case]) -> None:
    """Two timeline notes, as a CSM and a CSE would leave them."""
    by_pk = {a.pk: a for a in book.accounts}
    if opened:
        account = by_pk[opened[0].account_id]
        if account.csm is not None:
            timeline.add_note(
                account=account,
                author=account.csm,
                text="QBR prep: the champion is pushing for a faster release cadence.\n"
                "They want a CSE session before the renewal conversation.",
            )
    request = (
        EngagementRequest.objects.filter(
            account__crm_id__startswith="DEMO-", state=RequestState.STARTED
        )
        .select_related("account", "assigned_cse")
        .order_by("account__crm_id")
        .first()
    )
    if request is not None and request.assigned_cse is not None:
        timeline.add_note(
            account=request.account,
            author=request.assigned_cse,
            text="Kick-off held with the platform team.\n"
            "Agreed a weekly check-in and shared the engagement plan.",
        )
