"""Use cases for complex engagement requests: filing, the review workflow, assignment
(against the team's capacity, read in capacity.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone

from rhythm.core import events, workflow
from rhythm.ctas import services as ctas
from rhythm.ctas.models import Cta
from rhythm.customers.models import Account, Objective
from rhythm.engagements import rules
from rhythm.engagements.capacity import suggest_cses
from rhythm.engagements.choices import EffortKind, RejectionReason, RequestState
from rhythm.engagements.events import RequestCompleted, RequestFiled, RequestMoved
from rhythm.engagements.models import (
    DeliverableOutcome,
    EngagementRequest,
    Stakeholder,
    Transition,
)
from rhythm.people.choices import Role
from rhythm.people.models import User

STAKEHOLDER_PROMPTS = {
    "name": "Give their name.",
    "role_title": "Give their role or title.",
    "responsibilities": "Say what they do in the engagement.",
}
LIST_LIMIT = 20  # metrics, deliverables, stakeholders: a request is not a spreadsheet


# --- Filing -------------------------------------------------------------------


def _clean_list(values: Any, name: str, errors: dict, what: str) -> list[str]:
    items = [str(v).strip() for v in (values or []) if str(v).strip()]
    if not items:
        errors[name] = ValidationError(f"Give at least one {what}.", code="required")
    elif len(items) > LIST_LIMIT:
        errors[name] = ValidationError(f"At most {LIST_LIMIT} {what}s.", code="max_items")
    elif any(len(item) > 500 for item in items):
        errors[name] = ValidationError(
            f"Each {what} has at most 500 characters.", code="max_length"
        )
    return items


@transaction.atomic
def file_request(
    actor,
    data: dict[str, Any],
    stakeholders: list[dict[str, Any]],
    *,
    filed_on: date | None = None,
) -> EngagementRequest:
    """A CSM files a complex engagement request; it starts in Review.

    `filed_on` (default today) is the day the target start may not precede; an
    import of requests filed earlier, such as the demo's, passes its own.
    Another request still open on the objective makes this one a duplicate
    (rules.duplicate_requests): `data["duplicate_reason"]` must say why.
    """
    if not actor.has_perm("engagements.add_engagementrequest"):
        raise PermissionDenied("Only a CSM files a complex engagement request.")
    # Two requests filed on one objective at once must not both miss each other:
    # the objective's row is held until this one is saved (SQLite's IMMEDIATE
    # transaction already holds the write lock).
    objective_id = _int(data.get("objective"))
    if objective_id is not None:
        list(Objective.objects.select_for_update().filter(pk=objective_id).values("pk"))
    request, people = validate_request(actor, data, stakeholders, filed_on=filed_on)
    request.save()
    for person in people:
        Stakeholder.objects.create(request=request, **person)
    filed = Transition.objects.create(
        request=request,
        from_state="",
        to_state=RequestState.REVIEW,
        actor=actor,
        at=request.created_at,
    )
    events.publish(RequestFiled(request, filed))
    return request


def _contacts_by_email(account) -> dict[str, int]:
    """The account's contacts by email (casefolded): a stakeholder given with an
    email is that contact's row."""
    return {
        email.casefold(): pk
        for pk, email in account.contacts.exclude(email="")
        .order_by("-pk")
        .values_list("pk", "email")
    }


def validate_request(
    actor,
    data: dict[str, Any],
    stakeholders: list[dict[str, Any]],
    *,
    filed_on: date | None = None,
) -> tuple[EngagementRequest, list[dict[str, str]]]:
    """The unsaved request and its stakeholders, or every error at once.

    The form calls it even when its own fields failed, so that a CSM sees all that
    is missing in one go rather than a few errors per submission.
    """
    errors: dict[str, ValidationError] = {}
    account = (
        Account.objects.visible_to(actor).active().filter(pk=_int(data.get("account"))).first()
    )
    if account is None:
        errors["account"] = ValidationError(
            f"No account with id {data.get('account')}.", code="does_not_exist"
        )
    objective = None
    if data.get("objective") in (None, ""):
        errors["objective"] = ValidationError(
            "Link the success-plan objective this engagement serves.", code="required"
        )
    elif account is not None:
        objective = (
            Objective.objects.active()
            .filter(pk=_int(data.get("objective")), success_plan__account=account)
            .first()
        )
        if objective is None:
            errors["objective"] = ValidationError(
                "The objective must belong to a success plan of this account.",
                code="wrong_account",
            )
    duplicate_reason = str(data.get("duplicate_reason") or "").strip()
    duplicates, earlier = _duplicates(objective) if objective else (rules.Duplicates(), [])
    refusal = _duplicate_refusal(duplicates, earlier, duplicate_reason)
    if refusal is not None:
        errors["duplicate_reason"] = refusal
    effort_kind = data.get("effort_kind")
    duration = data.get("duration_weeks")
    if effort_kind not in EffortKind.values:
        errors["effort_kind"] = ValidationError(
            "Choose one_off or duration.", code="invalid_choice"
        )
    elif effort_kind == EffortKind.DURATION and not duration:
        errors["duration_weeks"] = ValidationError(
            "Say how many weeks the engagement runs.", code="required"
        )
    elif effort_kind == EffortKind.ONE_OFF:
        duration = None
    start = data.get("target_start_date")
    if not isinstance(start, date):
        errors["target_start_date"] = ValidationError(
            "Give the target start date (a best guess is fine).", code="required"
        )
    elif start < (filed_on or timezone.localdate()):
        errors["target_start_date"] = ValidationError(
            "The target start date cannot be in the past.", code="past"
        )
    elif start > (filed_on or timezone.localdate()) + timedelta(days=rules.MAX_DAYS_AHEAD):
        errors["target_start_date"] = ValidationError(
            "The target start date is at most two years ahead.", code="too_far"
        )
    outcome = str(data.get("outcome") or "").strip()
    if not outcome:
        errors["outcome"] = ValidationError(
            "Describe the outcome: what the customer will have achieved.", code="required"
        )
    metrics = _clean_list(data.get("metrics"), "metrics", errors, "metric")
    deliverables = _clean_list(data.get("deliverables"), "deliverables", errors, "deliverable")
    people = []
    if not stakeholders:
        errors["stakeholders"] = ValidationError(
            "Name at least one stakeholder: name, role/title, responsibilities.", code="required"
        )
    contacts = _contacts_by_email(account) if stakeholders and account is not None else {}
    for index, person in enumerate(stakeholders[:LIST_LIMIT]):
        for key, missing in STAKEHOLDER_PROMPTS.items():
            if not str(person.get(key) or "").strip():
                errors[f"stakeholders.{index}.{key}"] = ValidationError(missing, code="required")
        cleaned: dict[str, Any] = {
            k: str(person.get(k) or "").strip() for k in ("name", "role_title", "responsibilities")
        }
        cleaned["email"] = str(person.get("email") or "").strip()
        cleaned["contact_id"] = None
        if cleaned["email"]:
            try:
                validate_email(cleaned["email"])
            except ValidationError:
                errors[f"stakeholders.{index}.email"] = ValidationError(
                    f"{cleaned['email']} is not an email address.", code="invalid"
                )
            cleaned["contact_id"] = contacts.get(cleaned["email"].casefold())
        people.append(cleaned)
    if len(stakeholders) > LIST_LIMIT:
        errors["stakeholders"] = ValidationError(
            f"At most {LIST_LIMIT} stakeholders.", code="max_items"
        )
    request = EngagementRequest(
        title=(data.get("title") or "").strip()
        # The account is beside the title wherever it shows, and in the CTA's name.
        or (objective.title if objective else ""),
        account=account,
        objective=objective,
        offering_id=_int(data.get("offering")),
        effort_kind=str(effort_kind),
        duration_weeks=duration,
        hours_per_week=data.get("hours_per_week") or Decimal("4"),
        # None only when refused above; the request is then never saved.
        target_start_date=start,  # type: ignore[misc]
        outcome=outcome,
        metrics=metrics,
        deliverables=deliverables,
        requested_by=actor,
        # Kept only when it explains something (the objective had an open request).
        duplicate_reason=duplicate_reason if duplicates.duplicate else "",
    )
    try:
        # The model's own limits (lengths, ranges, the offering), for the fields
        # not already refused above.
        unchecked = [*errors, "account", "objective", "requested_by"]
        request.full_clean(exclude=unchecked if request.title else [*unchecked, "title"])
    except ValidationError as exc:
        errors.update({field: ValidationError(each) for field, each in exc.error_dict.items()})
    if errors:
        raise ValidationError(errors)
    return request, people


def _duplicates(objective: Objective) -> tuple[rules.Duplicates, list[EngagementRequest]]:
    """The rule's verdict on a new request on this objective, and the open requests
    it was given."""
    earlier = list(
        EngagementRequest.objects.active()
        .filter(objective=objective)
        .exclude(state__in=rules.ENDED_STATES)
        .only("pk", "title", "state")
        .order_by("pk")
    )
    verdict = rules.duplicate_requests(
        [rules.EarlierRequest(r.pk, r.title, r.state) for r in earlier]
    )
    return verdict, earlier


def _duplicate_refusal(
    verdict: rules.Duplicates, earlier: list[EngagementRequest], reason: str
) -> ValidationError | None:
    """Why the duplicate reason is refused, or None. A missing one names the first
    open request and links it (the form shows the link, the API the path)."""
    problem = rules.duplicate_reason_problem(reason, duplicate=verdict.duplicate)
    if problem is None:
        return None
    assert verdict.first is not None  # only a duplicate needs a reason
    first = next(r for r in earlier if r.pk == verdict.first.id)
    params = {
        "reasons": " ".join(verdict.reasons),
        "url": first.get_absolute_url(),
        "ask": problem,
        "first": first.pk,
        "label": f"request #{first.pk}",
    }
    if reason:  # too long: the warning stays, the length is the error
        return ValidationError(problem, code="max_length", params=params)
    return ValidationError("%(reasons)s See %(url)s. %(ask)s", code="duplicate", params=params)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- The review workflow ------------------------------------------------------


def parties(actor, request: EngagementRequest) -> set[rules.Party]:
    found = set()
    if actor.has_perm("engagements.review_engagementrequest"):
        found.add(rules.Party.MANAGER)
    if actor.pk in (request.requested_by_id, request.account.csm_id):
        found.add(rules.Party.REQUESTER)
    if request.assigned_cse_id and actor.pk == request.assigned_cse_id:
        found.add(rules.Party.ASSIGNED_CSE)
    return found


DeliverableAnswer = rules.DeliverableAnswer  # what marking complete says of each deliverable


@dataclass(frozen=True)
class TransitionInput:
    to: str
    reason: str = ""
    reason_code: str = ""
    cse: int | None = None
    confirm_over_capacity: bool = False
    override_reason: str = ""
    expected_state: str = ""  # what the caller saw; a mismatch is a conflict
    # Marking complete: one answer per agreed deliverable, in order.
    deliverables: tuple[rules.DeliverableAnswer, ...] = ()
    # Marking complete: the doc or guideline it updated, or why none was.
    doc_url: str = ""
    doc_none_reason: str = ""


@transaction.atomic
def transition(request: EngagementRequest, actor, move: TransitionInput) -> EngagementRequest:
    """Move a request through the review workflow, or refuse with the rule named."""
    request = (
        EngagementRequest.objects.select_for_update().select_related("account").get(pk=request.pk)
    )
    if move.to not in RequestState.values:
        raise ValidationError(
            {
                "to": ValidationError(
                    f"Unknown state {move.to!r}; one of {', '.join(RequestState.values)}.",
                    code="invalid_choice",
                )
            }
        )
    if move.reason_code and move.reason_code not in RejectionReason.values:
        raise ValidationError(
            {
                "reason_code": ValidationError(
                    f"One of {', '.join(RejectionReason.values)}.", code="invalid_choice"
                )
            }
        )
    current, target = RequestState(request.state), RequestState(move.to)
    given = {
        "reason": move.reason,
        "reason_code": move.reason_code,
        "cse": "" if move.cse is None else str(move.cse),
    }
    workflow.enforce(
        rules.WORKFLOW,
        current,
        target,
        parties(actor, request),
        given,
        expected_state=move.expected_state,
    )
    record = Transition(
        request=request, reason_code=move.reason_code if target == RequestState.REJECTED else ""
    )
    if target == RequestState.STARTED:
        _assign(request, move, record)
    if target == RequestState.COMPLETE:
        missing = rules.missing_deliverable_answers(
            list(request.deliverables), list(move.deliverables)
        )
        missing |= rules.missing_doc_answer(move.doc_url, move.doc_none_reason)
        if missing:
            raise ValidationError(
                {field: ValidationError(text, code="required") for field, text in missing.items()}
            )
        _record_doc(request, move)
    now = timezone.now()
    request.state_changed_at = now
    workflow.record(
        request,
        record,
        target,
        actor=actor,
        reason=move.reason,
        state_field="state",
        update_fields=("state_changed_at", "assigned_cse", "doc_url", "doc_none_reason"),
        at=now,
    )
    if target == RequestState.COMPLETE:
        DeliverableOutcome.objects.bulk_create(
            DeliverableOutcome(
                request=request,
                transition=record,
                position=index,
                text=str(text)[:500],
                achieved=bool(answer.achieved),
                on_time=bool(answer.achieved and answer.on_time),
            )
            for index, (text, answer) in enumerate(
                zip(request.deliverables, move.deliverables, strict=True)
            )
        )
    events.publish(RequestMoved(request, record))
    if target == RequestState.COMPLETE:
        events.publish(RequestCompleted(request, record))
    # The handbook's rules, as explicit calls: a started engagement is tracked by a
    # CTA owned by its CSE, and closing the request closes that CTA.
    if target == RequestState.STARTED:
        ctas.raise_for_request(request, due_date=planned_end(request), actor=actor)
    if target == RequestState.CLOSED:
        cta = Cta.objects.filter(request=request).first()
        if cta is not None:
            ctas.close(
                cta,
                actor=actor,
                reason=f"Its engagement request “{request.title}” was closed.",
                on_behalf_of_request=True,
            )
    return request


def _record_doc(request: EngagementRequest, move: TransitionInput) -> None:
    """The doc the engagement updated, a web address, or else why none was."""
    doc_url = move.doc_url.strip()
    if doc_url:
        try:
            URLValidator(schemes=["http", "https"])(doc_url)
        except ValidationError:
            raise ValidationError(
                {
                    "doc_url": ValidationError(
                        "Enter the doc's web address (https://…).", code="invalid"
                    )
                }
            ) from None
        request.doc_url, request.doc_none_reason = doc_url, ""
    else:
        request.doc_url, request.doc_none_reason = "", move.doc_none_reason.strip()


def planned_end(request: EngagementRequest) -> date:
    """When the engagement is planned to end: its CTA is due then, not at its start."""
    return rules.planned_end(request.target_start_date, request.effort_kind, request.duration_weeks)


def _uncovered(suggestion: rules.Suggestion) -> str:
    """What of the account a CSE does not cover, as the suggestion's reasons say it."""
    parts = [
        reason.removeprefix("Does not cover ").removeprefix("does not cover ")
        for reason in suggestion.reasons
        if reason.lower().startswith("does not cover")
    ]
    return " and ".join(parts) or "this account"


def _assign(request: EngagementRequest, move: TransitionInput, record: Transition) -> None:
    cse = User.objects.active().filter(pk=move.cse, groups__name=Role.CSE.label).first()
    if cse is None:
        raise ValidationError(
            {"cse": ValidationError(f"No active CSE with id {move.cse}.", code="does_not_exist")}
        )
    suggestion = next((s for s in suggest_cses(request) if s.user_id == cse.pk), None)
    assert suggestion is not None  # every active CSE is a candidate
    if not suggestion.fits_capacity and not move.confirm_over_capacity:
        raise ValidationError(
            {
                "confirm_over_capacity": ValidationError(
                    f"{cse} has {suggestion.free_hours:.1f} h free a week and this needs "
                    f"{request.hours_per_week:.1f} h: confirm to assign beyond capacity.",
                    code="over_capacity",
                )
            }
        )
    if not suggestion.covers and not move.override_reason.strip():
        raise ValidationError(
            {
                "override_reason": ValidationError(
                    f"{cse} does not cover {_uncovered(suggestion)}: say why you choose them.",
                    code="required",
                )
            }
        )
    request.assigned_cse = cse
    record.assigned_cse = cse
    record.over_capacity = not suggestion.fits_capacity
    record.override_reason = move.override_reason.strip()


def time_in_states(request: EngagementRequest) -> dict[str, timedelta]:
    """Time spent in each state; reads prefetched transitions when a list has them."""
    return workflow.time_in_states(request.transitions.all())


def open_work(user) -> list[tuple[int, str]]:
    """What a member still holds here, for the archive check (core.registry)."""
    running = EngagementRequest.objects.filter(
        assigned_cse=user, state=RequestState.STARTED
    ).count()
    return [(running, "running engagement")]
