"""Use cases for calls to action and playbooks. The only place that changes them."""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from rhythm.core import bulk, events, workflow
from rhythm.core import services as core_services
from rhythm.core.prepared import Prepared
from rhythm.core.rules import AS_DRAFTED, EmailDraft, Wording
from rhythm.ctas import notifications, rules
from rhythm.ctas.choices import CtaSource, CtaStatus, OutreachState, StepCondition, TaskStatus
from rhythm.ctas.events import CtaAccepted, CtaClosed, CtasRaised, OutreachSent, RaisedCta
from rhythm.ctas.models import Cta, CtaTask, CtaTransition, Playbook, PlaybookStep
from rhythm.people import rules as coverage_rules
from rhythm.people.choices import Role

BATCH_SIZE = 1000

# The cases a CTA follows. CTAs read them (the reconciliation looks for cases
# without a CTA) but never write them: the cases app moves its cases as it hears
# the CTA's events. Named through the CTA's own field, as cases stands above ctas.
Case: Any = Cta._meta.get_field("case").related_model
CSE_HELP = "cse_help"  # cases.choices.CaseKind.CSE_HELP


def one_off_playbook() -> Playbook | None:
    return Playbook.objects.active().filter(name=rules.ONE_OFF_PLAYBOOK).first()


# --- Raising ------------------------------------------------------------------


def raise_for_case(case: Pending, *, actor=None) -> Cta:
    """The CTA of a CSE-help case, raised in the caller's transaction, at once.

    Exactly one per case: the one-to-one column refuses a second, whoever races
    to insert it (the caller sees IntegrityError)."""
    (cta,) = _raise_many([case], source=CtaSource.REALTIME, actor=actor).ctas()
    return cta


def raise_for_request(request, *, due_date: date, actor) -> Cta:
    """A started complex engagement is tracked by a CTA owned by its CSE, due when
    the engagement is planned to end (`due_date`, the engagement's to work out)."""
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
        due_date=due_date,
    )
    raised = RaisedCta(cta.pk, cta.account_id, cta.name, None)
    events.publish(CtasRaised([raised], "", CtaSource.REQUEST, actor))
    return cta


class Pending(NamedTuple):
    """What raising a case's CTA needs to know about the case."""

    case_id: int
    account_id: int
    customer: str  # the account's name
    priority: str
    created_at: datetime


@dataclass
class Raised:
    """The CTAs `_raise_many` wrote: their ids in the order of its cases, and what
    it wrote into them, to build the rows without reading them back."""

    ids: list[int]
    template: Cta
    rows: list[tuple]

    def ctas(self) -> list[Cta]:
        fields = Cta._meta.concrete_fields
        common = {f.attname: getattr(self.template, f.attname) for f in fields}
        ctas = []
        for pk, row in zip(self.ids, self.rows, strict=True):
            values = {**common, **dict(zip(_CTA_ROW, row, strict=True)), "id": pk}
            ctas.append(
                Cta.from_db(
                    connection.alias,
                    [f.attname for f in fields],
                    [values[f.attname] for f in fields],
                )
            )
        return ctas


def _raise_many(cases: list[Pending], *, source: CtaSource, actor=None) -> Raised:
    """Raise CTAs for many cases with a handful of statements, whatever their number.

    The real-time path and the reconciliation share it, so both raise the same
    rows: the CTA, its playbook tasks, their history and a timeline entry each.
    Each CTA's name (`rules.cta_name`) and latency are worked out here; the rows
    are written by multi-row INSERTs, and the tasks and the history rows are
    derived from the new CTAs in the database (INSERT … SELECT), so no Python
    object is made per CTA, per task or per history row.
    """
    now = timezone.now()
    today = timezone.localdate(now)
    playbook, steps = _one_off_playbook_and_steps()
    template = Cta(
        playbook=playbook,
        source=source,
        raised_at=now,
        due_date=rules.task_due_date(
            today, rules.cta_due_offset(steps, settings.RHYTHM_CTA_DUE_DAYS)
        ),
        created_at=now,
        updated_at=now,
    )
    if not cases:
        return Raised([], template, [])
    names = [rules.cta_name(case.customer, settings.RHYTHM_CTA_NAME_LIMIT) for case in cases]
    rows = [
        (case.case_id, case.account_id, name, case.priority, now - case.created_at)
        for case, name in zip(cases, names, strict=True)
    ]
    ids = _insert_ctas(rows, template)
    history_user = actor if actor is not None else bulk.default_history_user(Cta, template)
    for start in range(0, len(ids), BATCH_SIZE):
        chunk = ids[start : start + BATCH_SIZE]
        bulk.copy_to_history(Cta, "id", chunk, now=now, user=history_user)
        if steps:
            _insert_tasks(chunk, steps, start=today, now=now)
            bulk.copy_to_history(CtaTask, "cta_id", chunk, now=now, user=history_user)
    raised = [
        RaisedCta(pk, case.account_id, name, case.case_id)
        for case, name, pk in zip(cases, names, ids, strict=True)
    ]
    events.publish(CtasRaised(raised, playbook.name if playbook else "", source, actor))
    return Raised(ids, template, rows)


_CTA_ROW = ("case_id", "account_id", "name", "priority", "latency")


def _insert_ctas(rows: list[tuple], template: Cta) -> list[int]:
    """One CTA per row of `_CTA_ROW` values, the other columns from `template`; the
    new ids in the order of `rows`."""
    ids = {
        case_id: pk
        for pk, case_id in bulk.insert_rows(Cta, template, _CTA_ROW, rows, returning="case_id")
    }
    return [ids[row[0]] for row in rows]


# Read by every intake: the statement is compiled once (core.prepared).
_ONE_OFF_STEPS = Prepared(
    lambda _: (
        PlaybookStep.objects.active()
        .filter(playbook__name=rules.ONE_OFF_PLAYBOOK, playbook__archived_at__isnull=True)
        .select_related("playbook")
        .order_by("position")
    )
)


def _one_off_playbook_and_steps() -> tuple[Playbook | None, list[PlaybookStep]]:
    """The one-off playbook and its active steps in order, in one query."""
    steps = _ONE_OFF_STEPS.all(None)
    if steps:
        return steps[0].playbook, steps
    return one_off_playbook(), []


def _prep(field, value, prepared: dict):
    """`field.get_db_prep_save(value)`, once per field and value."""
    key = (field.attname, value)
    if key not in prepared:
        prepared[key] = field.get_db_prep_save(value, connection)
    return prepared[key]


def _insert_tasks(cta_ids: list[int], steps: list[PlaybookStep], *, start: date, now) -> None:
    """The playbook's tasks for each of these CTAs, in one INSERT … SELECT.

    The task templates come from `_tasks_from_steps`, once for a case that opted out
    of outreach and once for one that did not; the database joins each CTA's case
    with the matching set. A column all templates agree on is a plain parameter."""
    key = tuple((s.pk, s.title, s.due_offset_days, s.condition) for s in steps)
    sql, params = _tasks_statement(key, start, connection.vendor)
    when = CtaTask._meta.get_field("created_at").get_db_prep_save(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            sql % {"ids": bulk.id_list(cta_ids)}, [when if p is _NOW else p for p in params]
        )


_NOW = object()  # stands for the time of raising among a cached statement's parameters


@functools.lru_cache(maxsize=64)
def _tasks_statement(steps: tuple, start: date, vendor: str) -> tuple[str, tuple]:
    """`_insert_tasks`'s statement and parameters for these steps (id, title, due
    offset, condition) and start date, the same for every CTA raised that day:
    built once, not per intake. "%(ids)s" stands for the CTA ids, `_NOW` for the
    time of raising."""
    template_cta = Cta()  # the tasks' times are the raising's: `_NOW`, filled per statement
    rows = [PlaybookStep(pk=pk, title=t, due_offset_days=d, condition=c) for pk, t, d, c in steps]
    templates = [
        (opted_out, task)
        for opted_out in (False, True)
        for task in _tasks_from_steps(template_cta, rows, start=start, opted_out=opted_out)
    ]
    fields = [f for f in CtaTask._meta.concrete_fields if not f.primary_key]
    prepared: dict = {}
    select, params, varying = [], [], []
    for f in fields:
        if f.attname == "cta_id":
            select.append("t.id")
            continue
        if f.attname in ("created_at", "updated_at"):
            select.append("%s")
            params.append(_NOW)
            continue
        values = [_prep(f, getattr(task, f.attname), prepared) for _, task in templates]
        if f.attname not in ("step_id", "position") and all(v == values[0] for v in values):
            select.append("NULL" if values[0] is None else "%s")
            params += [] if values[0] is None else [values[0]]
        else:
            select.append(f"v.{bulk.quoted(f)}")
            varying.append((f, values))
    rows_sql = ", ".join(f"(%s, {bulk.placeholders(varying)})" for _ in templates)
    row_params = [
        value
        for n, (opted_out, _) in enumerate(templates)
        for value in [opted_out, *(values[n] for _, values in varying)]
    ]
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(CtaTask._meta.db_table)}"
        f" ({', '.join(map(bulk.quoted, fields))})"
        f" WITH v (opted_out, {', '.join(bulk.quoted(f) for f, _ in varying)})"
        f" AS (VALUES {rows_sql})"
        f" SELECT {', '.join(select)}"
        f" FROM {qn(Cta._meta.db_table)} t"
        f" JOIN {qn(Case._meta.db_table)} c ON c.id = t.case_id"
        f" JOIN v ON v.opted_out = c.opt_out_outreach"
        " WHERE t.id IN (%(ids)s)"
        " ORDER BY t.id, v.position"
    )
    return sql.replace("%s", "%%s"), (*row_params, *params)


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


@dataclass
class ReconciliationReport:
    missing: int = 0
    raised: list[int] = field(default_factory=list)
    dry_run: bool = False
    # A dry run's first cases found without a CTA, for a person to look at.
    sample: list[int] = field(default_factory=list)

    def summary(self) -> str:
        if self.dry_run:
            return f"{self.missing} CSE-help case(s) lack a CTA; nothing changed (dry run)."
        return f"{self.missing} CSE-help case(s) lacked a CTA; raised {len(self.raised)}."


def cases_missing_cta(after: int = 0):
    """CSE-help cases without their CTA, those with an id above `after` when given.

    NOT EXISTS rather than LEFT JOIN … IS NULL: PostgreSQL plans it as an anti-join
    walking cases in id order and stopping at a batch's LIMIT. The subquery repeats
    the bound (implied by case_id = id) so that the walk over the CTAs' case_id
    index starts at the batch too, instead of at the first CTA every time."""
    ctas = Cta.objects.filter(case_id=OuterRef("pk"))
    cases = Case.objects.filter(kind=CSE_HELP, archived_at__isnull=True)
    if after:
        ctas = ctas.filter(case_id__gt=after)
        cases = cases.filter(pk__gt=after)
    return cases.filter(~Exists(ctas))


def reconcile(*, dry_run: bool = False, batch_size: int = BATCH_SIZE) -> ReconciliationReport:
    """Raise the CTA of every CSE-help case that lacks one. Idempotent, and safe when
    two workers run it at once: a batch that collides with CTAs raised meanwhile is
    redone case by case, and the one-to-one constraint refuses every duplicate."""
    report = ReconciliationReport(dry_run=dry_run)
    if dry_run:
        missing = cases_missing_cta()
        report.missing = missing.count()
        report.sample = list(missing.order_by("pk").values_list("pk", flat=True)[:50])
        return report
    with bulk.checkpoints_deferred():
        _reconcile_batches(report, batch_size)
    return report


def _reconcile_batches(report: ReconciliationReport, batch_size: int) -> None:
    last_id = 0
    while True:
        batch = [
            Pending(*row)
            for row in cases_missing_cta(after=last_id)
            .order_by("pk")
            .values_list("pk", "account_id", "account__name", "priority", "created_at")[:batch_size]
        ]
        if not batch:
            break
        last_id = batch[-1].case_id
        report.missing += len(batch)
        try:
            with transaction.atomic():
                raised = _raise_many(batch, source=CtaSource.RECONCILIATION).ids
        except IntegrityError:
            raised = []
            for case in batch:
                try:
                    with transaction.atomic():
                        raised += _raise_many([case], source=CtaSource.RECONCILIATION).ids
                except IntegrityError:
                    continue  # raised meanwhile by the real-time path or another worker
        report.raised += raised


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
