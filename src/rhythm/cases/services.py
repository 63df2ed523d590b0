"""Use cases for CS Help cases: opening one raises its CTA in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction

from rhythm.cases import rules
from rhythm.cases.choices import CaseKind, CaseStatus, Priority
from rhythm.cases.events import CaseMoved, CaseOpened
from rhythm.cases.models import Case, CaseTransition
from rhythm.catalog.models import Offering
from rhythm.core import bulk, events, workflow
from rhythm.core.prepared import Prepared
from rhythm.ctas import services as ctas
from rhythm.customers import access
from rhythm.customers.models import Contact, Opportunity


@dataclass(frozen=True)
class Opened:
    case: Case
    created: bool  # False when an Idempotency-Key replayed an earlier request


def eligibility(opportunity: Opportunity) -> rules.Eligibility:
    account = opportunity.account
    return rules.cse_eligibility(
        segment_name=account.segment.name,
        segment_eligible=account.segment.eligible_for_cse,
        account_archived=account.is_archived,
        opportunity_open=opportunity.is_open and not opportunity.is_archived,
    )


def open_case(actor, data: dict[str, Any], *, idempotency_key: str | None = None) -> Opened:
    """Open a CS Help case on an opportunity; a CSE-help case gets its CTA at once.

    `data`: opportunity, kind, offering, contact, challenges, opt_out_outreach, priority
    (ids or rows), and duplicate_reason when another case for the same offering is
    still open on the opportunity (cases.rules.duplicate_cases): without one, that
    case is refused, named and linked, under `duplicate_reason`. A retry with the
    same idempotency key returns the first case, and is never its own duplicate.
    """
    if not actor.has_perm("cases.add_case"):
        raise PermissionDenied("Only an account owner opens a CS Help case.")
    if idempotency_key:
        earlier = _replayed(actor, idempotency_key, data)
        if earlier:
            return Opened(earlier, created=False)
    # Validated before the transaction, which then holds only the writes: on SQLite
    # an IMMEDIATE transaction takes the write lock at BEGIN, and concurrent
    # intakes wait on that lock for as long as each holds it.
    case = _validated(actor, data, idempotency_key)
    try:
        with transaction.atomic():
            _refuse_duplicate(case, data, idempotency_key)
            _save(case, actor)
    except IntegrityError:
        # Two requests with one key raced: the other one won; answer with its case.
        earlier = _replayed(actor, idempotency_key, data) if idempotency_key else None
        if earlier is None:
            raise
        return Opened(earlier, created=False)
    return Opened(case, created=True)


def _replayed(actor, key: str, data: dict[str, Any]) -> Case | None:
    """The case a retry with this key already opened, if it is the same request."""
    case = Case.objects.filter(idempotency_key=key).select_related("cta").first()
    if case is None:
        return None
    if case.opened_by_id != actor.pk:
        message = "This Idempotency-Key was used by someone else; use a fresh one."
    elif not _same_request(case, data):
        message = (
            "This Idempotency-Key came with another case before; a new case needs a fresh key."
        )
    else:
        return case
    raise ValidationError({"idempotency_key": ValidationError(message, code="key_reused")})


def _same_request(case: Case, data: dict[str, Any]) -> bool:
    """Whether `data` asks for what `case` holds, read as `_validated` reads it.

    The duplicate reason is not compared: a retry may carry one that its first
    attempt did not need (nothing was open then), and is still the same request."""
    asked = (
        _as_int(data.get("opportunity")),
        data.get("kind") or CaseKind.CSE_HELP,
        _as_int(data.get("offering")),
        _as_int(data.get("contact")),
        data.get("challenges") or "",
        bool(data.get("opt_out_outreach")),
        data.get("priority") or Priority.MEDIUM,
    )
    held = (
        case.opportunity_id,
        case.kind,
        case.offering_id,
        case.contact_id,
        case.challenges,
        case.opt_out_outreach,
        case.priority,
    )
    return asked == held


def _validated(actor, data: dict[str, Any], idempotency_key: str | None) -> Case:
    """The case `data` describes, checked and not yet saved; ValidationError names
    every field that breaks a rule."""
    errors: dict[str, ValidationError] = {}
    kind = data.get("kind") or CaseKind.CSE_HELP
    if kind not in CaseKind.values:
        errors["kind"] = ValidationError("Choose cse_help or escalation.", code="invalid_choice")
    offering_given = data.get("offering") not in (None, "")
    if not offering_given and kind == CaseKind.CSE_HELP:
        errors["offering"] = ValidationError(
            "Choose the catalog offering that fits the customer's need.", code="required"
        )
    if data.get("contact") in (None, ""):
        errors["contact"] = ValidationError("Choose the customer contact.", code="required")
    scope = access.reach(actor)
    opportunity = _read(
        lambda pk: _OPPORTUNITY.first(scope, actor.pk, pk),
        data.get("opportunity"),
        Opportunity,
        "opportunity",
        errors,
    )
    offering = None
    if offering_given:
        offering = _read(
            lambda pk: _OFFERING.first(None, pk), data.get("offering"), Offering, "offering", errors
        )
    contact = None
    if opportunity is not None and "contact" not in errors:
        contact = _CONTACT.first(None, _as_int(data.get("contact")) or 0, opportunity.account_id)
        if contact is None:
            errors["contact"] = ValidationError(
                "The contact must belong to the opportunity's account.", code="wrong_account"
            )
    problem = rules.challenges_problem(data.get("challenges") or "")
    if problem:
        code = "required" if not (data.get("challenges") or "").strip() else "max_length"
        errors["challenges"] = ValidationError(problem, code=code)
    priority = data.get("priority") or Priority.MEDIUM
    if priority not in Priority.values:
        errors["priority"] = ValidationError(
            f"Choose one of {', '.join(Priority.values)}.", code="invalid_choice"
        )
    if opportunity is not None and kind == CaseKind.CSE_HELP:
        verdict = eligibility(opportunity)
        if not verdict.eligible:
            errors["opportunity"] = ValidationError(" ".join(verdict.reasons), code="not_eligible")
    if errors and opportunity is not None and "offering" not in errors:
        # Named with the rest, so that the form is put right in one go; the check
        # that decides runs again in the transaction that writes (_refuse_duplicate).
        duplicate = _duplicate_error(
            opportunity, kind, offering, _duplicate_reason(data), idempotency_key
        )
        if duplicate is not None:
            errors["duplicate_reason"] = duplicate
    if errors:
        raise ValidationError(errors)
    assert opportunity is not None and contact is not None

    case = Case(
        kind=kind,
        opportunity=opportunity,
        account=opportunity.account,
        offering=offering,
        contact=contact,
        challenges=data["challenges"],
        opt_out_outreach=bool(data.get("opt_out_outreach")),
        priority=priority,
        opened_by=actor,
        idempotency_key=idempotency_key or None,
    )
    # The related rows were just read through the querysets that decide who may use
    # them, so asking the database again whether each exists (a query per relation)
    # is skipped; so is the check constraint (a CSE-help case names an offering),
    # checked above and enforced by the database: working out that its fields are
    # excluded cost a tenth of an intake's CPU.
    case.full_clean(exclude=["idempotency_key", *RELATIONS], validate_constraints=False)
    return case


def _duplicate_reason(data: dict[str, Any]) -> str:
    return str(data.get("duplicate_reason") or "").strip()


def _refuse_duplicate(case: Case, data: dict[str, Any], idempotency_key: str | None) -> None:
    """Refuse a duplicate without a reason, or keep the reason on the case.

    Run in the transaction that saves the case, with the opportunity locked
    (SQLite's IMMEDIATE transaction already holds the write lock), so that two
    cases opened at once cannot both miss each other."""
    if not rules.may_duplicate(case.kind, case.offering_id):
        return
    if connection.features.has_select_for_update:  # SQLite's lock is the transaction's
        list(Opportunity.objects.select_for_update().filter(pk=case.opportunity_id).values("pk"))
    reason = _duplicate_reason(data)
    verdict, earlier = _duplicates(case.opportunity, case.kind, case.offering, idempotency_key)
    error = _refusal(verdict, earlier, reason)
    if error is not None:
        raise ValidationError({"duplicate_reason": error})
    # Kept only when it explains something: a reason sent for a case that repeats
    # nothing answers no question.
    case.duplicate_reason = reason if verdict.duplicate else ""


def _duplicate_error(
    opportunity: Opportunity,
    kind: str,
    offering: Offering | None,
    reason: str,
    idempotency_key: str | None,
) -> ValidationError | None:
    verdict, earlier = _duplicates(opportunity, kind, offering, idempotency_key)
    return _refusal(verdict, earlier, reason)


def _refusal(verdict: rules.Duplicates, earlier: list[Case], reason: str) -> ValidationError | None:
    """The refusal of a case that repeats an open one and gives no reason, or None.
    It names the first case and links it (the form shows the link, the API the path)."""
    problem = rules.duplicate_reason_problem(reason, duplicate=verdict.duplicate)
    if problem is None:
        return None
    assert verdict.first is not None  # only a duplicate needs a reason
    first = next(c for c in earlier if c.pk == verdict.first.id)
    params = {
        "reasons": " ".join(verdict.reasons),
        "url": first.get_absolute_url(),
        "ask": problem,
        "first": first.pk,
        "label": f"case #{first.pk}",
    }
    if reason:  # too long: the warning stays, the length is the error
        return ValidationError(problem, code="max_length", params=params)
    return ValidationError("%(reasons)s See %(url)s. %(ask)s", code="duplicate", params=params)


def _duplicates(
    opportunity: Opportunity, kind: str, offering: Offering | None, idempotency_key: str | None
) -> tuple[rules.Duplicates, list[Case]]:
    """The rule's verdict on a new case, and the open cases it was given (all on
    `offering`, so its name is theirs)."""
    offering_id = offering.pk if offering else None
    earlier = _earlier(opportunity, kind, offering_id, idempotency_key)
    name = offering.name if offering else ""
    verdict = rules.duplicate_cases(
        kind=kind,
        offering_id=offering_id,
        earlier=[rules.EarlierCase(c.pk, c.kind, c.offering_id, name, c.status) for c in earlier],
    )
    return verdict, earlier


def _earlier(
    opportunity: Opportunity, kind: str, offering_id: int | None, idempotency_key: str | None
) -> list[Case]:
    """The open cases on the opportunity that a new case of this kind and offering
    could repeat; the case an Idempotency-Key retry already opened is not one."""
    if not rules.may_duplicate(kind, offering_id):
        return []
    if idempotency_key:
        return _EARLIER_BUT_RETRIED.all(None, opportunity.pk, offering_id, idempotency_key)
    return _EARLIER.all(None, opportunity.pk, offering_id)


def _earlier_cases(opportunity_id, offering_id, idempotency_key=None):
    cases = Case.objects.active()
    if idempotency_key is not None:
        cases = cases.exclude(idempotency_key=idempotency_key)
    return (
        cases.filter(opportunity_id=opportunity_id, kind=CaseKind.CSE_HELP, offering_id=offering_id)
        .exclude(status__in=rules.CLOSED_STATUSES)
        .only("pk", "kind", "offering_id", "status")
        .order_by("pk")[:DUPLICATES_NAMED]
    )


# The refusal names the first open duplicates; an opportunity with dozens open
# costs no more to check than one with a single one.
DUPLICATES_NAMED = 5


# Read by every intake, in its transaction: compiled once (core.prepared).
_EARLIER = Prepared(
    lambda _, opportunity_id, offering_id: _earlier_cases(opportunity_id, offering_id)
)
_EARLIER_BUT_RETRIED = Prepared(
    lambda _, opportunity_id, offering_id, key: _earlier_cases(opportunity_id, offering_id, key)
)


# Validated by `_validated` as it reads them, so full_clean need not read them again.
RELATIONS = ["opportunity", "account", "offering", "contact", "opened_by"]


def _save(case: Case, actor) -> Case:
    # Its history row copied by the database (core.bulk), as its CTA's and the
    # tasks' are, instead of built by django-simple-history's signal.
    case.save_without_historical_record()  # type: ignore[attr-defined]  # simple-history's
    bulk.copy_to_history(Case, "id", [case.pk], now=case.updated_at, user=actor)
    events.publish(CaseOpened(case, actor))
    if case.kind == CaseKind.CSE_HELP:
        # The handbook's rule: a CSE-help case yields exactly one CTA, at once.
        case.cta = ctas.raise_for_case(
            ctas.Pending(
                case.pk, case.account_id, case.account.name, case.priority, case.created_at
            ),
            actor=actor,
        )
    # An escalation is stored with its kind; qualifying it is the escalations module's job.
    return case


@transaction.atomic
def follow_cta(case_id: int, target: CaseStatus, *, actor) -> Case:
    """The case moves with its CTA (cases.rules.WORKFLOW): accepted when a CSE takes
    the CTA, closed with it. Saved, not updated in bulk, so its history shows it."""
    case = Case.objects.select_for_update().get(pk=case_id)
    if case.status == target:
        return case
    current = case.status
    workflow.enforce(rules.WORKFLOW, current, target, {rules.FOLLOWS_CTA})
    workflow.record(case, CaseTransition(case=case), target, actor=actor)
    events.publish(CaseMoved(case, current, target, actor))
    return case


def _as_int(value: Any) -> int | None:
    """An id given as a number, a numeric string or the row itself; None otherwise."""
    if isinstance(value, models.Model):
        return value.pk
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# The rows an intake validates, read by prepared statements (core.prepared): their
# SQL is built once, not three times a request.
_OPPORTUNITY = Prepared(
    lambda reach, user_id, pk: (
        Opportunity.objects.visible_as(reach, user_id)
        .select_related("account__segment")
        .filter(pk=pk)
    )
)
_OFFERING = Prepared(lambda _, pk: Offering.objects.active().filter(pk=pk))
_CONTACT = Prepared(
    lambda _, pk, account_id: Contact.objects.active().filter(pk=pk, account_id=account_id)
)


def _read(find, value: Any, model, field: str, errors: dict[str, ValidationError]):
    """The row `value` names, found by `find(pk)`, or None with the field's error."""
    if value in (None, ""):
        errors[field] = ValidationError("This field is required.", code="required")
        return None
    pk = _as_int(value)
    row = find(pk) if pk is not None else None
    if row is None:
        errors[field] = _missing(model, value)
    return row


def _missing(model, pk: Any) -> ValidationError:
    return ValidationError(
        "No %(model)s with id %(pk)s.",
        code="does_not_exist",
        params={"model": model._meta.verbose_name, "pk": pk},
    )
