"""The demo's escalations: a handful, few as the handbook wants them, in every state,
each with the verdict the account's figures earn. Two come from escalation CS Help
cases their account owners opened; one waits for the manager on a case, so a new
manager sees at once what to decide."""

from __future__ import annotations

from datetime import date

from rhythm.cases import services as cases
from rhythm.cases.choices import CaseKind
from rhythm.customers.models import Account
from rhythm.escalations import services as escalations
from rhythm.escalations.models import Escalation
from rhythm.people.models import User

KEY_PREFIX = "demo-escalation-"
MANAGER = "maria.manager"

SUPPORT = {
    "kind": "support",
    "ticket_reference": "#482913",
    "ticket_url": "https://support.gitlab.com/hc/en-us/requests/482913",
    "impact": "Geo replication has lagged for four days; 900 developers in APAC clone "
    "from the primary across the ocean and builds time out.",
}
VENDORS = {
    "kind": "account",
    "risk": "evaluating_vendors",
    "bug_url": "https://gitlab.com/gitlab-org/gitlab/-/issues/412233",
    "impact": "Merge trains stall on every release; the platform team has started a trial "
    "of another vendor's CI and reports back to the CTO in three weeks.",
}
BLOCKING = {
    "kind": "account",
    "risk": "blocking_use_case",
    "feature_request_url": "https://gitlab.com/gitlab-org/gitlab/-/issues/377102",
    "impact": "Their auditors need signed pipeline provenance for the SOC 2 renewal; "
    "without it the regulated product line cannot ship from GitLab.",
}
CONTRACTION = {
    "kind": "account",
    "risk": "contraction",
    "impact": "Two business units plan to drop 400 seats at renewal after a slow Jira migration.",
}
CHURN = {
    "kind": "account",
    "risk": "churn",
    "ticket_url": "https://support.gitlab.com/hc/en-us/requests/479950",
    "impact": "Repeated runner outages; the VP Engineering said they would not renew.",
}


def load(today: date) -> dict[str, int]:
    created = {"escalations": 0}
    if Escalation.objects.filter(idempotency_key__startswith=KEY_PREFIX).exists():
        return created
    manager = User.objects.active().filter(username=MANAGER).first()
    accounts = list(
        Account.objects.active()
        .filter(crm_id__startswith="DEMO-", account_owner__isnull=False)
        .select_related("segment", "account_owner", "csm")
        .prefetch_related("opportunities", "contacts")
        .order_by("crm_id")
    )
    if manager is None or not accounts:
        return created
    verdicts = {a.pk: escalations.assess(a, today) for a in accounts}
    qualifying = [a for a in accounts if verdicts[a.pk].qualifies]
    weighed = [a for a in accounts if verdicts[a.pk].renewal_weighed]
    short = [a for a in accounts if not verdicts[a.pk].qualifies]
    chosen: list[tuple[Account, dict, bool, list[tuple[str, str, str]]]] = []

    def caseable(account: Account) -> bool:
        """An escalation case needs an open opportunity and a contact."""
        return any(o.is_open for o in account.opportunities.all()) and bool(account.contacts.all())

    def pick(pool: list[Account], from_case: bool) -> Account | None:
        taken = {a.pk for a, *_ in chosen}
        return next((a for a in pool if a.pk not in taken and (caseable(a) or not from_case)), None)

    plan = [
        # (pool, details, from a case, moves as (to, reason, justification))
        (qualifying, VENDORS, True, []),  # waits for the manager, on its case
        (
            weighed or qualifying,
            BLOCKING,
            False,
            [
                (
                    "approved",
                    "Their main use case is blocked; product plans a fix in the next release.",
                    "",
                ),
                ("active", "", ""),
            ],
        ),
        (
            short,
            CONTRACTION,
            False,
            [
                (
                    "declined",
                    "Below the segment's thresholds; the CSM runs a migration review instead.",
                    "",
                ),
            ],
        ),
        (
            qualifying,
            SUPPORT,
            True,
            [
                ("approved", "Support has starred the ticket; we follow it daily.", ""),
                ("active", "", ""),
                (
                    "resolved",
                    "Geo caught up after the 17.3.2 patch; replication lag under a minute.",
                    "",
                ),
                ("closed", "", ""),
            ],
        ),
        (
            short,
            CHURN,
            False,
            [
                (
                    "approved",
                    "Churn risk on a reference customer.",
                    "A public reference logo; the CRO asked us to treat it as strategic.",
                ),
            ],
        ),
    ]
    for number, (pool, details, from_case, moves) in enumerate(plan, start=1):
        account = pick(pool, from_case)
        if account is None:
            continue
        chosen.append((account, details, from_case, moves))
        owner = account.account_owner
        data = {**details, "account": account.pk}
        opportunity = next((o for o in account.opportunities.all() if o.is_open), None)
        contact = next(iter(account.contacts.all()), None)
        if from_case and opportunity is not None and contact is not None:
            case = cases.open_case(
                owner,
                {
                    "opportunity": opportunity,
                    "kind": CaseKind.ESCALATION,
                    "contact": contact.pk,
                    "challenges": details["impact"],
                },
                idempotency_key=f"{KEY_PREFIX}case-{number}",
            ).case
            data = {**details, "case": case.pk}
        raiser = owner if from_case else (account.csm or owner)
        escalation = escalations.raise_escalation(
            raiser, data, idempotency_key=f"{KEY_PREFIX}{number}", today=today
        ).escalation
        for to, reason, justification in moves:
            actor = manager if to in ("approved", "declined") else (account.csm or manager)
            escalation = escalations.transition(
                escalation,
                actor,
                escalations.MoveInput(to=to, reason=reason, justification=justification),
            )
        created["escalations"] += 1
    return created
