"""Raising CTAs: one for a CSE-help case at once, one for a started engagement, and
the reconciliation that raises those a case still lacks — set-based, in a handful
of statements whatever their number. `ctas.services` is the app's entry point and
re-exports what other apps call from here."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from rhythm.core import bulk, events
from rhythm.core.prepared import Prepared
from rhythm.ctas import rules
from rhythm.ctas.choices import CtaSource, CtaStatus, StepCondition, TaskStatus
from rhythm.ctas.events import CtasRaised, RaisedCta
from rhythm.ctas.models import Cta, CtaTask, Playbook, PlaybookStep

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
        # What raising reads of them: the tasks copy these, the CTA names the playbook
        # (an annotation, not a Playbook object per step; six timestamps a step less
        # to convert, on every intake).
        .only("playbook_id", "position", "title", "due_offset_days", "condition")
        .annotate(playbook_name=F("playbook__name"))
        .order_by("position")
    )
)


def _one_off_playbook_and_steps() -> tuple[Playbook | None, list[PlaybookStep]]:
    """The one-off playbook and its active steps in order, in one query."""
    steps = _ONE_OFF_STEPS.all(None)
    if steps:
        first = steps[0]
        # The playbook as the ORM loads a deferred row: what was not read loads on use.
        playbook = Playbook.from_db(
            Playbook._default_manager.db, ["id", "name"], [first.playbook_id, first.playbook_name]
        )
        return playbook, steps
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
    listed, id_params = bulk.ids_in(cta_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            sql % {"ids": listed}, [*(when if p is _NOW else p for p in params), *id_params]
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
