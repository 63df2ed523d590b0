"""Use cases for calls to action and playbooks. The only place that changes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from rhythm.cases.choices import CaseKind, CaseStatus
from rhythm.cases.models import Case
from rhythm.core import services as core_services
from rhythm.ctas import rules
from rhythm.ctas.choices import CtaSource, CtaStatus, StepCondition, TaskStatus
from rhythm.ctas.models import Cta, CtaTask, Playbook, PlaybookStep
from rhythm.people.choices import Role
from rhythm.timeline import services as timeline
from rhythm.timeline.choices import EntryKind
from rhythm.timeline.models import TimelineEntry

BATCH_SIZE = 1000


def one_off_playbook() -> Playbook | None:
    return Playbook.objects.active().filter(name=rules.ONE_OFF_PLAYBOOK).first()


# --- Raising ------------------------------------------------------------------


def raise_for_case(case: Case, *, actor=None) -> Cta:
    """The CTA of a CSE-help case, raised in the caller's transaction, at once.

    Exactly one per case: the one-to-one column refuses a second, whoever races
    to insert it (the caller sees IntegrityError)."""
    return _raise_many([case], source=CtaSource.REALTIME, actor=actor)[0]


def raise_for_request(request, *, actor) -> Cta:
    """A started complex engagement is tracked by a CTA owned by its CSE."""
    now = timezone.now()
    cta = Cta.objects.create(
        name=f"{request.account.name} - CSE Engagement: {request.title}"[:255],
        account_id=request.account_id,
        request=request,
        type="CSE Engagement",
        reason="Complex CSE engagement",
        owner=request.assigned_cse,
        status=CtaStatus.IN_PROGRESS,
        source=CtaSource.REQUEST,
        raised_at=now,
        accepted_at=now,
        due_date=request.target_start_date,
    )
    timeline.record(
        account_id=request.account_id,
        kind=EntryKind.CTA,
        title=f"CTA raised: {cta.name}",
        actor=actor,
        link=f"/ctas/{cta.pk}/",
    )
    return cta


def _raise_many(cases: list[Case], *, source: CtaSource, actor=None) -> list[Cta]:
    """Raise CTAs for many cases with a handful of bulk INSERTs, whatever their number.

    The real-time path and the reconciliation share it, so both raise the same
    rows: the CTA, its playbook tasks, their history and a timeline entry each.
    """
    now = timezone.now()
    today = timezone.localdate(now)
    playbook = one_off_playbook()
    steps = (
        list(PlaybookStep.objects.active().filter(playbook=playbook).order_by("position"))
        if playbook
        else []
    )
    due = rules.task_due_date(today, settings.RHYTHM_CTA_DUE_DAYS)
    ctas = bulk_create_with_history(
        [
            Cta(
                name=rules.cta_name(case.account.name, settings.RHYTHM_CTA_NAME_LIMIT),
                account_id=case.account_id,
                case=case,
                priority=case.priority,
                playbook=playbook,
                source=source,
                raised_at=now,
                latency=now - case.created_at,
                due_date=due,
                created_at=now,
                updated_at=now,
            )
            for case in cases
        ],
        Cta,
        batch_size=BATCH_SIZE,
        default_user=actor,
        default_date=now,
    )
    tasks = [
        task
        for cta, case in zip(ctas, cases, strict=True)
        for task in _tasks_from_steps(cta, steps, start=today, opted_out=case.opt_out_outreach)
    ]
    bulk_create_with_history(
        tasks, CtaTask, batch_size=BATCH_SIZE, default_user=actor, default_date=now
    )
    timeline.record_many(
        [
            TimelineEntry(
                account_id=cta.account_id,
                kind=EntryKind.CTA,
                title=f"CTA raised: {cta.name}",
                body=f"Playbook {playbook.name}." if playbook else "",
                link=f"/ctas/{cta.pk}/",
                occurred_at=now,
            )
            for cta in ctas
        ]
    )
    return ctas


def _tasks_from_steps(
    cta: Cta, steps: list[PlaybookStep], *, start: date, opted_out: bool
) -> list[CtaTask]:
    """Copies of the playbook's steps: later edits of the playbook never touch them."""
    tasks = []
    for position, step in enumerate(steps, start=1):
        skipped = opted_out and step.condition == StepCondition.UNLESS_OPTED_OUT
        tasks.append(
            CtaTask(
                cta=cta,
                step=step,
                position=position,
                title=step.title,
                due_date=rules.task_due_date(start, step.due_offset_days),
                status=TaskStatus.SKIPPED if skipped else TaskStatus.OPEN,
                note="The account owner opted out of automatic outreach." if skipped else "",
                created_at=cta.raised_at,
                updated_at=cta.raised_at,
            )
        )
    return tasks


@transaction.atomic
def apply_playbook(cta: Cta, playbook: Playbook, *, actor=None) -> list[CtaTask]:
    """Apply (another) playbook to a CTA: its steps become tasks after the existing ones."""
    steps = list(PlaybookStep.objects.active().filter(playbook=playbook).order_by("position"))
    opted_out = bool(cta.case_id and cta.case and cta.case.opt_out_outreach)
    tasks = _tasks_from_steps(cta, steps, start=timezone.localdate(), opted_out=opted_out)
    offset = CtaTask.objects.filter(cta=cta).count()
    for task in tasks:
        task.position += offset
    Cta.objects.filter(pk=cta.pk).update(playbook=playbook, updated_at=timezone.now())
    return bulk_create_with_history(tasks, CtaTask, default_user=actor)


@dataclass
class ReconciliationReport:
    missing: int = 0
    raised: list[int] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        if self.dry_run:
            return f"{self.missing} CSE-help case(s) lack a CTA; nothing changed (dry run)."
        return f"{self.missing} CSE-help case(s) lacked a CTA; raised {len(self.raised)}."


def cases_missing_cta():
    return Case.objects.filter(kind=CaseKind.CSE_HELP, cta__isnull=True, archived_at__isnull=True)


def reconcile(*, dry_run: bool = False, batch_size: int = BATCH_SIZE) -> ReconciliationReport:
    """Raise the CTA of every CSE-help case that lacks one. Idempotent, and safe when
    two workers run it at once: a batch that collides with CTAs raised meanwhile is
    redone case by case, and the one-to-one constraint refuses every duplicate."""
    report = ReconciliationReport(dry_run=dry_run)
    if dry_run:
        report.missing = cases_missing_cta().count()
        return report
    last_id = 0
    while True:
        batch = list(
            cases_missing_cta()
            .filter(pk__gt=last_id)
            .select_related("account")
            .only("pk", "account__name", "account_id", "priority", "created_at", "opt_out_outreach")
            .order_by("pk")[:batch_size]
        )
        if not batch:
            break
        last_id = batch[-1].pk
        report.missing += len(batch)
        try:
            with transaction.atomic():
                ctas = _raise_many(batch, source=CtaSource.RECONCILIATION)
        except IntegrityError:
            ctas = []
            for case in batch:
                try:
                    with transaction.atomic():
                        ctas += _raise_many([case], source=CtaSource.RECONCILIATION)
                except IntegrityError:
                    continue  # raised meanwhile by the real-time path or another worker
        report.raised += [cta.pk for cta in ctas]
    return report


# --- Working a CTA ------------------------------------------------------------


def _locked(cta: Cta) -> Cta:
    return (
        Cta.objects.select_for_update(of=("self",)).select_related("case", "account").get(pk=cta.pk)
    )


@transaction.atomic
def accept(cta: Cta, *, cse, actor) -> Cta:
    """A CSE takes the CTA (or a manager assigns it). Unless the case opted out, the
    outreach email goes to the contact with the account owner in copy — once."""
    cta = _locked(cta)
    if cta.status == CtaStatus.CLOSED:
        raise ValidationError({"status": ValidationError("The CTA is closed.", code="closed")})
    if not cse.groups.filter(name=Role.CSE.label).exists():
        raise ValidationError({"owner": ValidationError(f"{cse} is not a CSE.", code="not_a_cse")})
    if actor.pk != cse.pk and not actor.has_perm("ctas.assign_cta"):
        raise PermissionDenied("Only a CSE manager assigns a CTA to someone else.")
    if cta.owner_id and cta.owner_id != cse.pk and not actor.has_perm("ctas.assign_cta"):
        raise PermissionDenied(f"{cta.owner} already owns this CTA; ask a manager to reassign.")
    now = timezone.now()
    cta.owner = cse
    cta.status = CtaStatus.IN_PROGRESS
    cta.accepted_at = cta.accepted_at or now
    cta.save(update_fields=["owner", "status", "accepted_at", "updated_at"])
    _finish_task(cta, position=1, actor=actor, now=now)
    case = cta.case
    if case is not None:
        if case.status == CaseStatus.OPEN:
            Case.objects.filter(pk=case.pk).update(status=CaseStatus.ACCEPTED, updated_at=now)
        if not case.opt_out_outreach:
            cta.outreach_message = _write_outreach(cta, case, cse)
            cta.save(update_fields=["outreach_message", "updated_at"])
    timeline.record(
        account_id=cta.account_id,
        kind=EntryKind.CTA,
        title=f"{cse} accepted {cta.name}",
        actor=actor,
        link=f"/ctas/{cta.pk}/",
    )
    return cta


def _write_outreach(cta: Cta, case: Case, cse):
    contact = case.contact
    owner = case.account.account_owner
    context = {
        "cta": cta,
        "case": case,
        "contact": contact,
        "cse": cse,
        "offering": case.offering,
        "account_owner": owner,
    }
    sender = f"{cse.get_full_name() or cse.username} <{cse.email}>" if cse.email else ""
    return core_services.enqueue_email(
        # One outreach per CTA, however often it is accepted, retried or reassigned.
        key=f"cta-outreach:{cta.pk}",
        to=[contact.email],
        cc=[owner.email] if owner and owner.email else [],
        reply_to=[cse.email] if cse.email else [],
        from_email=sender,
        subject=f"{case.offering.name if case.offering else 'Your CSE engagement'} — "
        f"next steps with GitLab Customer Success Engineering",
        body_text=render_to_string("ctas/email/outreach.txt", context),
        body_html=render_to_string("ctas/email/outreach.html", context),
    )


def _finish_task(cta: Cta, *, position: int, actor, now: datetime) -> None:
    CtaTask.objects.filter(cta=cta, position=position, status=TaskStatus.OPEN).update(
        status=TaskStatus.DONE, completed_by=actor, completed_at=now, updated_at=now
    )


@transaction.atomic
def set_task_status(task: CtaTask, *, status: TaskStatus, actor) -> CtaTask:
    task = CtaTask.objects.select_for_update().select_related("cta").get(pk=task.pk)
    cta = task.cta
    if cta.status == CtaStatus.CLOSED:
        raise ValidationError({"status": ValidationError("The CTA is closed.", code="closed")})
    if cta.owner_id not in (None, actor.pk) and not actor.has_perm("ctas.assign_cta"):
        raise PermissionDenied(f"Only {cta.owner} or a manager works this CTA's tasks.")
    now = timezone.now()
    task.status = status
    done = status == TaskStatus.DONE
    task.completed_by = actor if done else None
    task.completed_at = now if done else None
    task.save(update_fields=["status", "completed_by", "completed_at", "updated_at"])
    return task


@transaction.atomic
def close(cta: Cta, *, actor, reason: str = "") -> Cta:
    cta = _locked(cta)
    if cta.status == CtaStatus.CLOSED:
        return cta
    now = timezone.now()
    cta.status = CtaStatus.CLOSED
    cta.closed_at = now
    cta.save(update_fields=["status", "closed_at", "updated_at"])
    CtaTask.objects.filter(cta=cta, title__startswith="Close", status=TaskStatus.OPEN).update(
        status=TaskStatus.DONE, completed_by=actor, completed_at=now, updated_at=now
    )
    if cta.case_id:
        Case.objects.filter(pk=cta.case_id).update(status=CaseStatus.CLOSED, updated_at=now)
    timeline.record(
        account_id=cta.account_id,
        kind=EntryKind.CTA,
        title=f"CTA closed: {cta.name}",
        body=reason,
        actor=actor,
        link=f"/ctas/{cta.pk}/",
    )
    return cta


# --- Playbooks ----------------------------------------------------------------

PLAYBOOK_FIELDS = {"name", "description"}
STEP_FIELDS = {"position", "title", "due_offset_days", "condition"}


@transaction.atomic
def save_playbook(data: dict, playbook: Playbook | None = None) -> Playbook:
    playbook = Playbook.objects.select_for_update().get(pk=playbook.pk) if playbook else Playbook()
    for key in PLAYBOOK_FIELDS & set(data):
        setattr(playbook, key, data[key])
    playbook.full_clean()
    playbook.save()
    return playbook


@transaction.atomic
def save_step(data: dict, *, playbook: Playbook | None = None, step: PlaybookStep | None = None):
    """Add or change a step. Tasks already created from it keep their own copy."""
    if step is not None:
        step = PlaybookStep.objects.select_for_update().get(pk=step.pk)
    else:
        assert playbook is not None, "a new step needs its playbook"
        last = PlaybookStep.objects.active().filter(playbook=playbook).order_by("-position").first()
        step = PlaybookStep(playbook=playbook, position=(last.position + 1) if last else 1)
    for key in STEP_FIELDS & set(data):
        setattr(step, key, data[key])
    if (
        PlaybookStep.objects.active()
        .filter(playbook_id=step.playbook_id, position=step.position)
        .exclude(pk=step.pk)
        .exists()
    ):
        raise ValidationError(
            {"position": ValidationError("Another step has this position.", code="unique")}
        )
    step.full_clean()
    step.save()
    return step


@transaction.atomic
def archive_step(step: PlaybookStep) -> PlaybookStep:
    return core_services.archive(PlaybookStep.objects.select_for_update().get(pk=step.pk))


def outreach_state(cta: Cta) -> str:
    """What happened to the outreach email, in words a person can act on."""
    case = cta.case
    if case is None:
        return "No outreach: this CTA tracks a complex engagement."
    if case.opt_out_outreach:
        return "No email sent: the account owner opted out of automatic outreach."
    message = cta.outreach_message
    if message is None:
        return "The outreach email goes out when a CSE accepts the CTA."
    return f"Outreach email {message.get_status_display().lower()} to {', '.join(message.to)}."


def ensure_playbooks(**kwargs) -> None:
    """Seed the One-Off CSE Outreach playbook when there is no playbook at all."""
    from rhythm.ctas.reference import ONE_OFF_DESCRIPTION, STEPS

    if Playbook.objects.exists():
        return
    playbook = Playbook.objects.create(name=rules.ONE_OFF_PLAYBOOK, description=ONE_OFF_DESCRIPTION)
    PlaybookStep.objects.bulk_create(
        PlaybookStep(
            playbook=playbook,
            position=position,
            title=title,
            due_offset_days=offset,
            condition=condition,
        )
        for position, (title, offset, condition) in enumerate(STEPS, start=1)
    )
