"""Escalations' use cases: raise one (from an escalation CS Help case or on an
account) with its verdict, and move it along its lifecycle. Each is one
transaction that announces what happened; the emails, the timeline and Slack
follow the events (escalations.notifications)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from rhythm.cases.choices import CaseKind
from rhythm.cases.models import Case
from rhythm.core import events, workflow
from rhythm.customers.models import Account
from rhythm.escalations import rules
from rhythm.escalations.choices import EscalationKind, EscalationState, VerdictOutcome
from rhythm.escalations.events import EscalationMoved, EscalationRaised
from rhythm.escalations.models import Escalation, EscalationTransition

DETAIL_FIELDS = (
    "ticket_reference",
    "ticket_url",
    "bug_url",
    "feature_request_url",
    "risk",
    "impact",
)


def thresholds() -> rules.Thresholds:
    """The qualification's thresholds as configured now (settings.RHYTHM_ESCALATION_*)."""
    return rules.Thresholds(
        arr_share=settings.RHYTHM_ESCALATION_ARR_SHARE,
        lam_above=Decimal(settings.RHYTHM_ESCALATION_LAM_ABOVE),
        renewal_months=settings.RHYTHM_ESCALATION_RENEWAL_MONTHS,
        renewal_margin=settings.RHYTHM_ESCALATION_RENEWAL_MARGIN,
    )


def inputs_for(account: Account, today: date) -> rules.Inputs:
    return rules.Inputs(
        arr=account.arr,
        lam=account.lam,
        segment_name=account.segment.name,
        segment_ceiling=account.segment.arr_ceiling,
        renewal_date=account.renewal_date,
        today=today,
    )


def assess(account: Account, today: date | None = None) -> rules.Verdict:
    """The verdict an escalation of this account would get today (the form shows it)."""
    return rules.qualify(inputs_for(account, today or timezone.localdate()), thresholds())


@dataclass(frozen=True)
class Raised:
    escalation: Escalation
    created: bool  # False when an Idempotency-Key replayed an earlier request


def _refuse(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _as_int(value: Any) -> int | None:
    if isinstance(value, Account | Case):
        return value.pk
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _account_and_case(actor, data: dict[str, Any]) -> tuple[Account, Case | None]:
    """The account escalated and the case it comes from, each one the actor may see."""
    case_id, account_id = _as_int(data.get("case")), _as_int(data.get("account"))
    case = None
    if data.get("case") not in (None, ""):
        case = (
            Case.objects.visible_to(actor)
            .select_related("account__segment")
            .filter(pk=case_id)
            .first()
        )
        if case is None:
            raise _refuse(
                "case", f"No CS Help case {data.get('case')} that you may see.", "invalid"
            )
        if case.kind != CaseKind.ESCALATION:
            raise _refuse(
                "case",
                f"Case #{case.pk} is a CSE-help case: only an escalation case is escalated.",
                "not_escalation",
            )
        earlier = Escalation.objects.filter(case=case).first()
        if earlier is not None:
            raise _refuse(
                "case", f"Case #{case.pk} is escalated already: escalation #{earlier.pk}.", "unique"
            )
        if account_id is not None and account_id != case.account_id:
            raise _refuse("account", f"Case #{case.pk} is on another account.", "invalid")
        return case.account, case
    if account_id is None:
        raise _refuse(
            "account", "Name the account escalated, or the case it comes from.", "required"
        )
    account = (
        Account.objects.visible_to(actor).select_related("segment").filter(pk=account_id).first()
    )
    if account is None:
        raise _refuse("account", f"No account {data.get('account')} that you may see.", "invalid")
    return account, None


def raise_escalation(
    actor,
    data: dict[str, Any],
    *,
    idempotency_key: str | None = None,
    today: date | None = None,
) -> Raised:
    """Raise an escalation with the verdict the account's figures get today.

    `data`: `case` (an escalation CS Help case) or `account`; `kind`; for a support
    escalation `ticket_reference`, `ticket_url` and `impact`; for an account
    escalation `risk` and `impact`, and optionally links to a ticket, a product bug,
    a feature request. Every broken rule is named at once under its field. A retry
    with the same idempotency key returns the first escalation."""
    if not actor.has_perm("escalations.add_escalation"):
        raise PermissionDenied(
            "Only the account team, a CSE or a CSE manager raises an escalation."
        )
    if idempotency_key:
        earlier = _replayed(actor, idempotency_key)
        if earlier is not None:
            return Raised(earlier, created=False)
    kind = data.get("kind") or ""
    details = {name: str(data.get(name) or "").strip() for name in DETAIL_FIELDS}
    problems = rules.details_problems(kind, details)
    try:
        account, case = _account_and_case(actor, data)
    except ValidationError as exc:
        problems = {
            **{name: (e.messages[0], e.code or "invalid") for name, [e] in exc.error_dict.items()},
            **problems,
        }
    else:
        if account.is_archived:
            problems["account"] = ("The account is archived.", "archived")
    if problems:
        raise ValidationError(
            {name: ValidationError(text, code=code) for name, (text, code) in problems.items()}
        )
    if kind == EscalationKind.SUPPORT:
        details["risk"] = ""  # a support escalation's risk is its ticket's impact
    today = today or timezone.localdate()
    inputs = inputs_for(account, today)
    given = thresholds()
    verdict = rules.qualify(inputs, given)
    now = timezone.now()
    try:
        with transaction.atomic():
            escalation = Escalation.objects.create(
                account=account,
                case=case,
                kind=kind,
                segment_id=account.segment_id,
                region=account.region,
                verdict=VerdictOutcome.QUALIFIES
                if verdict.qualifies
                else VerdictOutcome.DOES_NOT_QUALIFY,
                verdict_detail={
                    "inputs": inputs.as_json(),
                    "thresholds": given.as_json(),
                    "verdict": verdict.as_json(),
                },
                raised_by=actor,
                state_changed_at=now,
                idempotency_key=idempotency_key or None,
                **details,
            )
            EscalationTransition.objects.create(
                escalation=escalation,
                from_state="",
                to_state=EscalationState.RAISED,
                actor=actor,
                at=now,
                reason=verdict.summary,
            )
            events.publish(EscalationRaised(escalation, actor))
    except IntegrityError:
        # Two requests raced: one key, or one case; the winner's escalation stands.
        earlier = _replayed(actor, idempotency_key) if idempotency_key else None
        if earlier is None:
            raise _refuse("case", "This case was escalated meanwhile.", "unique") from None
        return Raised(earlier, created=False)
    return Raised(escalation, created=True)


def _replayed(actor, key: str) -> Escalation | None:
    escalation = Escalation.objects.filter(idempotency_key=key).first()
    if escalation is not None and escalation.raised_by_id != actor.pk:
        raise _refuse(
            "idempotency_key",
            "This Idempotency-Key was used by someone else; use a fresh one.",
            "key_reused",
        )
    return escalation


# --- The lifecycle --------------------------------------------------------------------


def parties(actor, escalation: Escalation) -> set[str]:
    found = set()
    if actor.has_perm("escalations.decide_escalation"):
        found.add(rules.MANAGER)
    account = escalation.account
    if actor.pk in (account.account_owner_id, account.csm_id, escalation.raised_by_id):
        found.add(rules.ACCOUNT_TEAM)
    return found


def moves_for(actor, escalation: Escalation) -> list[tuple[str, Any]]:
    """The moves this person may make from where the escalation is (the page's buttons)."""
    return rules.WORKFLOW.moves_for(escalation.state, parties(actor, escalation))


@dataclass(frozen=True)
class MoveInput:
    to: str
    reason: str = ""
    justification: str = ""  # approving against the verdict
    expected_state: str = ""  # what the caller saw; a mismatch is a conflict (409)


@transaction.atomic
def transition(escalation: Escalation, actor, move: MoveInput) -> Escalation:
    """Move an escalation along raised → approved | declined → active → resolved →
    closed, or refuse naming the rule: 409 from elsewhere, 403 for another's move,
    422 for a missing reason, or a missing justification to approve against the
    verdict."""
    escalation = (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("account")
        .get(pk=escalation.pk)
    )
    for name in ("reason", "justification"):
        value = getattr(move, name)
        if len(value) > rules.REASON_MAX_LENGTH:
            raise _refuse(
                name,
                f"At most {rules.REASON_MAX_LENGTH} characters; this has {len(value)}.",
                "max_length",
            )
    workflow.enforce(
        rules.WORKFLOW,
        escalation.state,
        move.to,
        parties(actor, escalation),
        {"reason": move.reason},
        expected_state=move.expected_state,
    )
    problem = rules.justification_problem(move.to, escalation.qualifies, move.justification)
    if problem:
        raise _refuse("justification", problem, "required")
    against = move.to == EscalationState.APPROVED and not escalation.qualifies
    log = EscalationTransition(
        escalation=escalation, justification=move.justification.strip() if against else ""
    )
    now = timezone.now()
    fields: tuple[str, ...] = ("state_changed_at",)
    if move.to in (EscalationState.APPROVED, EscalationState.DECLINED):
        escalation.decided_by = actor
        escalation.decided_at = now
        escalation.decision_reason = move.reason.strip()
        escalation.justification = log.justification
        fields += ("decided_by", "decided_at", "decision_reason", "justification")
    escalation.state_changed_at = now
    workflow.record(
        escalation,
        log,
        move.to,
        actor=actor,
        reason=move.reason,
        state_field="state",
        update_fields=fields,
        at=now,
    )
    events.publish(EscalationMoved(escalation, log))
    return escalation


# --- Reads ------------------------------------------------------------------------------


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class QuarterCount:
    count: int
    quarter: str  # "Q4 FY2027"
    segment: str


def segment_this_quarter(escalation: Escalation, today: date | None = None) -> QuarterCount:
    """How many escalations the escalation's segment has had this fiscal quarter (this
    one included): escalations are to be used sparingly. One query."""
    today = today or timezone.localdate()
    start_month = settings.RHYTHM_FISCAL_YEAR_START_MONTH
    start, end = rules.fiscal_quarter_bounds(today, start_month)
    count = Escalation.objects.filter(
        segment_id=escalation.segment_id,
        created_at__gte=_start_of(start),
        created_at__lt=_start_of(end),
    ).count()
    return QuarterCount(
        count, rules.fiscal_quarter_label(today, start_month), escalation.segment.name
    )


def open_escalation_account_ids():
    """The ids of the accounts in an open escalation (raised, approved or active), as a
    lazy queryset: `account__in=open_escalation_account_ids()` is one subquery. For
    campaigns, which leave such accounts alone."""
    return Escalation.objects.open().order_by().values("account_id").distinct()
