"""Use cases for calls to action and playbooks. The only place that changes them."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from rhythm.core import events, workflow
from rhythm.core import services as core_services
from rhythm.core.rules import AS_DRAFTED, EmailDraft, Wording
from rhythm.ctas import notifications, rules
from rhythm.ctas.choices import CtaStatus, OutreachState, TaskStatus
from rhythm.ctas.events import CtaAccepted, CtaClosed, OutreachSent
from rhythm.ctas.models import Cta, CtaTask, CtaTransition

# Raising lives in ctas.raising; other apps call it through here.
from rhythm.ctas.raising import (  # noqa: E402
    BATCH_SIZE,
    Pending,
    ReconciliationReport,
    cases_missing_cta,
    one_off_playbook,
    raise_for_case,
    raise_for_request,
    reconcile,
)
from rhythm.people import rules as coverage_rules
from rhythm.people import services as people_services
from rhythm.people.choices import Role

__all__ = [
    "BATCH_SIZE",
    "Pending",
    "ReconciliationReport",
    "cases_missing_cta",
    "one_off_playbook",
    "raise_for_case",
    "raise_for_request",
    "reconcile",
]


# --- Working a CTA ------------------------------------------------------------


def _locked(cta: Cta) -> Cta:
    return (
        Cta.objects.select_for_update(of=("self",)).select_related("case", "account").get(pk=cta.pk)
    )


def parties(cta: Cta, actor, *, cse=None) -> set[str]:
    """In which capacities `actor` acts on this CTA (rules.WORKFLOW's parties)."""
    found: set[str] = set()
    if actor.has_perm("ctas.assign_cta"):
        found.add(rules.Party.MANAGER)
    if cta.owner_id is not None and cta.owner_id == actor.pk:
        found.add(rules.Party.OWNER)
    if cse is not None and cse.pk == actor.pk:
        found.add(rules.Party.CSE)
    return found


def coverage_gaps(cta: Cta, cse) -> list[str]:
    """What of the CTA's account the CSE does not cover (people.rules)."""
    account = cta.account
    return coverage_rules.coverage_gaps(
        region=account.region,
        segment_id=account.segment_id,
        regions=list(cse.covered_regions or []),
        segment_ids={segment.pk for segment in cse.covered_segments.all()},
    )


@transaction.atomic
def accept(
    cta: Cta,
    *,
    cse,
    actor,
    override_reason: str = "",
    outreach: Wording | None = None,
    wording: Mapping[str, Wording] | None = None,
) -> Cta:
    """A CSE takes the CTA (or a manager assigns it, the CSE told by email).

    Accepting sends nothing to the customer: the outreach email is drafted in the
    new owner's name for them to read, reword and send (`send_outreach`). Given
    `outreach` (the words, or AS_DRAFTED), it goes with the acceptance, in the same
    transaction — unless the case opted out, which holds. `wording` rewords the
    emails to the CSEs (notifications.ASSIGNED, REASSIGNED).

    A CSE who does not cover the account's region or segment takes it only with a
    reason, as a request is assigned: the log keeps why."""
    _refuse_wording(
        {**(wording or {}), **({notifications.OUTREACH: outreach} if outreach is not None else {})}
    )
    cta = _locked(cta)
    if cta.status == CtaStatus.CLOSED:
        raise ValidationError({"status": ValidationError("The CTA is closed.", code="closed")})
    if not cse.groups.filter(name=Role.CSE.label).exists():
        raise ValidationError({"cse": ValidationError(f"{cse} is not a CSE.", code="not_a_cse")})
    if actor.pk != cse.pk and not actor.has_perm("ctas.assign_cta"):
        raise PermissionDenied("Only a CSE manager assigns a CTA to someone else.")
    if cta.owner_id and cta.owner_id != cse.pk and not actor.has_perm("ctas.assign_cta"):
        raise PermissionDenied(f"{cta.owner} already owns this CTA; ask a manager to reassign.")
    workflow.enforce(
        rules.WORKFLOW, cta.status, CtaStatus.IN_PROGRESS, parties(cta, actor, cse=cse)
    )
    gaps = coverage_gaps(cta, cse)
    if gaps and not override_reason.strip():
        raise ValidationError(
            {
                "override_reason": ValidationError(
                    f"{cse} does not cover {' and '.join(gaps)}: say why you choose them.",
                    code="required",
                )
            }
        )
    now = timezone.now()
    previous = cta.owner if cta.owner_id not in (None, cse.pk) else None
    new_owner = cta.owner_id != cse.pk
    cta.owner = cse
    cta.accepted_at = cta.accepted_at or now
    workflow.record(
        cta,
        CtaTransition(cta=cta, owner=cse),
        CtaStatus.IN_PROGRESS,
        actor=actor,
        reason=override_reason if gaps else "",
        update_fields=("owner", "accepted_at"),
        at=now,
    )
    _finish_task(cta, position=1, actor=actor, now=now)
    if new_owner:
        _onto_owner_calendar(cta, cse)
    case = cta.case
    if outreach is not None and case is not None and not case.opt_out_outreach:
        _send_outreach(cta, actor=actor, wording=outreach, now=now)
    # After the outreach: the email telling the CSE says whether it went.
    events.publish(CtaAccepted(cta, cse, actor, previous, wording=dict(wording or {})))
    return cta


# --- The outreach: the assigned CSE's first email (DESIGN rule 4) ---------------------


def outreach_draft(cta: Cta, cse=None) -> EmailDraft | None:
    """The outreach as it would go now from `cse` (default: the CTA's owner), or
    None where no outreach goes (no case, an opt-out, nobody to send it)."""
    case = cta.case
    cse = cse or cta.owner
    if case is None or case.opt_out_outreach or cse is None:
        return None
    return notifications.outreach_draft(cta, case, cse)


@transaction.atomic
def send_outreach(cta: Cta, *, actor, wording: Wording = AS_DRAFTED) -> Cta:
    """Send the outreach email in the owner's name, in the words given (what is left
    out goes as drafted), and tick the playbook's "Reach out…" task.

    Once per CTA: sending it again with the words it went with changes nothing (a
    retry); with other words it is refused, naming when it went and to whom."""
    _refuse_wording({notifications.OUTREACH: wording}, alone=True)
    cta = _locked(cta)
    case = cta.case
    refusal = rules.outreach_refusal(
        has_case=case is not None,
        opted_out=case is not None and case.opt_out_outreach,
        status=cta.status,
        owner_id=cta.owner_id,
        actor_id=actor.pk,
        is_manager=actor.has_perm("ctas.assign_cta"),
    )
    if refusal is not None:
        field_name, code, message = refusal
        if code == "not_owner":
            raise PermissionDenied(message)
        raise ValidationError({field_name: ValidationError(message, code=code)})
    _send_outreach(cta, actor=actor, wording=wording, now=timezone.now())
    return cta


def _send_outreach(cta: Cta, *, actor, wording: Wording, now: datetime) -> None:
    draft = notifications.outreach_draft(cta, cta.case, cta.owner).edited(wording)
    sent = cta.outreach_message
    if sent is not None:
        if draft.same_words(sent.subject, sent.body_text) or wording == AS_DRAFTED:
            return  # a retry, or a reassignment after it went: one outreach per CTA
        went = timezone.localdate(sent.created_at)
        raise ValidationError(
            {
                "outreach": ValidationError(
                    f"The outreach email already went on {went.day} {went:%b %Y} to "
                    f"{', '.join(sent.to)}; write to them from your mailbox to say more.",
                    code="already_sent",
                )
            }
        )
    message = core_services.send_draft(draft)
    cta.outreach_message = message
    cta.save(update_fields=["outreach_message", "updated_at"])
    for task in CtaTask.objects.select_for_update().filter(cta=cta, status=TaskStatus.OPEN):
        if rules.is_outreach_task(task.title):
            task.status, task.completed_by, task.completed_at = TaskStatus.DONE, actor, now
            task.save(update_fields=["status", "completed_by", "completed_at", "updated_at"])
    events.publish(OutreachSent(cta, actor, message))


# The field each email's words go under, in a refusal (and the API's bodies).
EMAIL_FIELDS = {
    notifications.OUTREACH: "outreach",
    notifications.ASSIGNED: "assigned_email",
    notifications.REASSIGNED: "reassigned_email",
    notifications.CLOSED: "closing_email",
}


def _refuse_wording(wording: Mapping[str, Wording], *, alone: bool = False) -> None:
    """Refuse blank or oversized words for any email, naming the email and the part
    ("assigned_email.subject"; plain "subject" for a use case that sends one email
    and takes nothing else, `alone`)."""
    errors = {}
    for email, words in wording.items():
        for part, problem in words.problems().items():
            name = part if alone else f"{EMAIL_FIELDS[email]}.{part}"
            errors[name] = ValidationError(problem, code="invalid")
    if errors:
        raise ValidationError(errors)


def _onto_owner_calendar(cta: Cta, owner) -> None:
    """The open tasks (and the CTA) fall due on the owner's business days: their
    working week, their country's public holidays and the company's."""
    calendar = people_services.calendar_of(owner)
    raised_on = timezone.localdate(cta.raised_at)
    due_dates = []
    for task in CtaTask.objects.select_for_update().filter(cta=cta).order_by("position"):
        if task.due_date is None:
            continue
        if task.status == TaskStatus.OPEN:
            moved = rules.owner_due_date(task.due_date, raised_on, calendar)
            if moved != task.due_date:
                task.due_date = moved
                task.save(update_fields=["due_date", "updated_at"])
        due_dates.append(task.due_date)
    if due_dates and cta.due_date is not None and max(due_dates) != cta.due_date:
        cta.due_date = max(due_dates)
        cta.save(update_fields=["due_date", "updated_at"])


@transaction.atomic
def tick_meeting_task(cta_id: int, *, stage: str, actor) -> list[CtaTask]:
    """A customer meeting of the CTA reached `stage` (scheduled, prepared, held):
    the playbook's task for it is done, by whoever got the meeting there. Ticking
    again does nothing; a closed CTA keeps its tasks as they were."""
    cta = Cta.objects.select_for_update().get(pk=cta_id)
    if cta.status == CtaStatus.CLOSED:
        return []
    now = timezone.now()
    ticked = []
    for task in CtaTask.objects.select_for_update().filter(cta=cta, status=TaskStatus.OPEN):
        if rules.is_meeting_task(task.title, stage):
            task.status, task.completed_by, task.completed_at = TaskStatus.DONE, actor, now
            task.save(update_fields=["status", "completed_by", "completed_at", "updated_at"])
            ticked.append(task)
    return ticked


@transaction.atomic
def record_follow_up(cta_id: int, *, note: str, actor) -> list[CtaTask]:
    """The call's follow-up email went: the playbook's "Send the follow-up email" task
    is done, with the outcome (on time or late, and what came of the call) as its
    note. Recording it again does nothing; a closed CTA keeps its tasks."""
    cta = Cta.objects.select_for_update().get(pk=cta_id)
    if cta.status == CtaStatus.CLOSED:
        return []
    now = timezone.now()
    ticked = []
    for task in CtaTask.objects.select_for_update().filter(cta=cta, status=TaskStatus.OPEN):
        if rules.is_follow_up_task(task.title):
            task.status, task.completed_by, task.completed_at = TaskStatus.DONE, actor, now
            task.note = note[:300]
            fields = ["status", "completed_by", "completed_at", "note", "updated_at"]
            task.save(update_fields=fields)
            ticked.append(task)
    return ticked


def _finish_task(cta: Cta, *, position: int, actor, now: datetime) -> None:
    CtaTask.objects.filter(cta=cta, position=position, status=TaskStatus.OPEN).update(
        status=TaskStatus.DONE, completed_by=actor, completed_at=now, updated_at=now
    )


def may_work(cta: Cta, actor) -> bool:
    return rules.works_the_cta(
        owner_id=cta.owner_id, actor_id=actor.pk, is_manager=actor.has_perm("ctas.assign_cta")
    )


def may_send_outreach(cta: Cta, actor) -> bool:
    """Whether to offer the outreach's Send form (rules.outreach_refusal)."""
    case = cta.case
    return rules.outreach_refusal(
        has_case=case is not None,
        opted_out=case is not None and case.opt_out_outreach,
        status=cta.status,
        owner_id=cta.owner_id,
        actor_id=actor.pk,
        is_manager=actor.has_perm("ctas.assign_cta"),
    ) is None and actor.has_perm("ctas.change_cta")


def may_close(cta: Cta, actor) -> bool:
    """Whether to offer the Close form: the rules, with a reason taken as given."""
    return (
        cta.status != CtaStatus.CLOSED
        and rules.close_refusal(
            owner_id=cta.owner_id,
            actor_id=actor.pk,
            is_manager=actor.has_perm("ctas.assign_cta"),
            follows_request=cta.request_id is not None,
            reason="given",
        )
        is None
    )


@transaction.atomic
def set_task_status(task: CtaTask, *, status: TaskStatus, actor) -> CtaTask:
    task = CtaTask.objects.select_for_update().select_related("cta").get(pk=task.pk)
    cta = task.cta
    if cta.status == CtaStatus.CLOSED:
        raise ValidationError({"status": ValidationError("The CTA is closed.", code="closed")})
    if not may_work(cta, actor):
        raise PermissionDenied(
            f"Only {cta.owner} or a manager works this CTA's tasks."
            if cta.owner_id
            else "Accept the CTA first: its owner works its tasks, or a manager."
        )
    now = timezone.now()
    task.status = status
    done = status == TaskStatus.DONE
    task.completed_by = actor if done else None
    task.completed_at = now if done else None
    task.save(update_fields=["status", "completed_by", "completed_at", "updated_at"])
    return task


@transaction.atomic
def close(
    cta: Cta,
    *,
    actor,
    reason: str = "",
    done_task_ids: Collection[int] = (),
    skip_reason: str = "",
    on_behalf_of_request: bool = False,
    wording: Wording = AS_DRAFTED,
) -> Cta:
    """Close the CTA (its case follows): see rules.close_refusal for who may. Closing
    an engagement request closes its CTA, whoever the workflow let close the request.

    The closer says which open tasks were done (`done_task_ids`) and why the rest
    are skipped (`skip_reason`, required when any is). The "Close…" task is done by
    closing. On behalf of a request nothing is asked: the request's completion
    recorded the outcome, and what is still open is skipped naming the request.
    `wording` rewords the email that tells the account owner (notifications.closed_draft);
    the reason ends it whatever it says."""
    _refuse_wording({notifications.CLOSED: wording})
    cta = _locked(cta)
    if cta.status == CtaStatus.CLOSED:
        return cta
    acting = parties(cta, actor)
    if on_behalf_of_request:
        acting.add(rules.Party.REQUEST)
    else:
        refusal = rules.close_refusal(
            owner_id=cta.owner_id,
            actor_id=actor.pk,
            is_manager=actor.has_perm("ctas.assign_cta"),
            follows_request=cta.request_id is not None,
            reason=reason,
        )
        if refusal is not None:
            field, message = refusal
            if field == "owner":
                raise PermissionDenied(message)
            raise ValidationError({field: ValidationError(message, code="refused")})
    workflow.enforce(rules.WORKFLOW, cta.status, CtaStatus.CLOSED, acting)
    open_tasks = list(CtaTask.objects.select_for_update().filter(cta=cta, status=TaskStatus.OPEN))
    done = set(done_task_ids)
    if on_behalf_of_request:
        title = cta.request.title if cta.request else ""
        skip_note = f"Skipped: its engagement request “{title}” was closed."[:300]
    else:
        done |= {task.pk for task in open_tasks if rules.is_closing_task(task.title)}
        skip_note = _closing_outcome(open_tasks, done, skip_reason)
    now = timezone.now()
    cta.closed_at = now
    log_reason = reason.strip()
    if skip_note and not on_behalf_of_request:
        log_reason = " ".join(part for part in (log_reason, skip_note) if part)
    workflow.record(
        cta,
        CtaTransition(cta=cta, owner=cta.owner),
        CtaStatus.CLOSED,
        actor=actor,
        reason=log_reason,
        update_fields=("closed_at",),
        at=now,
    )
    # Each task saved on its own, so its history says when, by whom and why.
    for task in open_tasks:
        finished = task.pk in done
        task.status = TaskStatus.DONE if finished else TaskStatus.SKIPPED
        task.completed_by = actor if finished else None
        task.completed_at = now if finished else None
        if not finished:
            task.note = skip_note
        task.save(update_fields=["status", "completed_by", "completed_at", "note", "updated_at"])
    events.publish(CtaClosed(cta, actor, reason.strip(), wording={notifications.CLOSED: wording}))
    return cta


def _closing_outcome(open_tasks: list[CtaTask], done: set[int], skip_reason: str) -> str:
    """The note the skipped tasks get, or a refusal naming the field to fix."""
    unknown = done - {task.pk for task in open_tasks}
    if unknown:
        listed = ", ".join(str(pk) for pk in sorted(unknown))
        raise ValidationError(
            {
                "done_task_ids": ValidationError(
                    f"Not open tasks of this CTA: {listed}.", code="invalid_choice"
                )
            }
        )
    skipped = [task for task in open_tasks if task.pk not in done]
    if not skipped:
        return ""
    reason = skip_reason.strip()
    if not reason:
        count = f"{len(skipped)} unticked task" + ("s are" if len(skipped) > 1 else " is")
        raise ValidationError(
            {
                "skip_reason": ValidationError(
                    f"Say why the {count} skipped, or tick them done.", code="required"
                )
            }
        )
    return f"Skipped: {reason}"[:300]


def open_work(user) -> list[tuple[int, str]]:
    """What a member still holds here, for the archive check (core.registry)."""
    held = Cta.objects.filter(owner=user).exclude(status=CtaStatus.CLOSED).count()
    return [(held, "open CTA")]


def outreach_stage(cta: Cta) -> OutreachState:
    case = cta.case
    if case is None:
        return OutreachState.NONE
    if case.opt_out_outreach:
        return OutreachState.OPTED_OUT
    if cta.outreach_message_id is not None:
        return OutreachState.SENT
    if cta.status == CtaStatus.CLOSED:
        return OutreachState.CLOSED
    return OutreachState.UNASSIGNED if cta.owner_id is None else OutreachState.DRAFT


def assign_drafts(cta: Cta, *, cse, actor) -> dict[str, EmailDraft]:
    """The emails assigning the CTA to `cse` would send, as drafted, by name: to the
    CSE (when a manager assigns it), and to the owner it is taken from."""
    drafts: dict[str, EmailDraft] = {}
    if cse.pk == cta.owner_id:
        return drafts  # they have it already: nobody hears anything new
    previous = cta.owner if cta.owner_id is not None else None
    if actor.pk != cse.pk and cse.email:
        drafts[notifications.ASSIGNED] = notifications.assigned_draft(
            cta, cta.case, cse, actor, previous=previous
        )
    if previous is not None and previous.email and previous.pk != actor.pk:
        drafts[notifications.REASSIGNED] = notifications.reassigned_draft(
            cta, previous=previous, cse=cse, actor=actor
        )
    return drafts


def closing_draft(cta: Cta, *, actor) -> EmailDraft | None:
    """The email closing the CTA would send the account owner, as drafted, or None."""
    if not notifications.closing_email_goes(cta, actor):
        return None
    return notifications.closed_draft(cta, cta.case, actor)


def outreach_state(cta: Cta) -> str:
    """What happened to the outreach email, in words a person can act on."""
    case = cta.case
    if case is None:
        return "No outreach: this CTA tracks a complex engagement."
    if case.opt_out_outreach:
        return "No email sent: the account owner opted out of automatic outreach."
    message = cta.outreach_message
    if message is not None:
        return f"Outreach email {message.get_status_display().lower()} to {', '.join(message.to)}."
    if cta.status == CtaStatus.CLOSED:
        return "Closed before any outreach email was sent."
    if cta.owner_id is None:
        return "Drafted in the name of whoever accepts the CTA; they read it and send it."
    return f"Drafted in {cta.owner}'s name, waiting for them to read it and send it."
