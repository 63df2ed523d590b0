"""Calls to action, their tasks and playbooks over the API."""

from datetime import date, datetime, timedelta
from typing import Annotated

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from rhythm.core.api import (
    ERROR_RESPONSES,
    AgingOut,
    Body,
    Id,
    Pagination,
    Text,
    aging_out,
    require_perm,
    validation_error,
)
from rhythm.core.choices import MessageStatus, Priority
from rhythm.core.http import AuthedRequest
from rhythm.core.rules import AS_DRAFTED, EmailDraft, Wording
from rhythm.ctas import notifications, playbooks, services
from rhythm.ctas.choices import CtaSource, CtaStatus, OutreachState, StepCondition, TaskStatus
from rhythm.ctas.models import Cta, CtaTask, Playbook, PlaybookStep, late_condition
from rhythm.people.choices import Role
from rhythm.people.models import User

router = Router(tags=["ctas"])


class TaskOut(Schema):
    id: int
    position: int
    title: str
    due_date: date | None
    status: TaskStatus
    note: str
    completed_by: int | None = Field(alias="completed_by_id")
    completed_at: datetime | None
    aging: AgingOut

    @staticmethod
    def resolve_aging(obj: CtaTask) -> AgingOut:
        return aging_out(obj.aging)


class CtaOut(Schema):
    id: int
    name: str
    account: int = Field(alias="account_id")
    company: str = Field(alias="account.name")
    case: int | None = Field(alias="case_id")
    request: int | None = Field(alias="request_id")
    type: str
    reason: str
    priority: Priority
    playbook: str | None = None
    owner: int | None = Field(alias="owner_id")
    status: CtaStatus
    due_date: date | None
    source: CtaSource
    raised_at: datetime
    latency_seconds: float | None = None
    outreach: str = Field(description="What happened to the outreach email, and why.")
    aging: AgingOut
    tasks: list[TaskOut]

    @staticmethod
    def resolve_aging(obj: Cta) -> AgingOut:
        return aging_out(obj.aging)

    @staticmethod
    def resolve_playbook(obj: Cta) -> str | None:
        return obj.playbook.name if obj.playbook else None

    @staticmethod
    def resolve_latency_seconds(obj: Cta) -> float | None:
        return obj.latency.total_seconds() if isinstance(obj.latency, timedelta) else None

    @staticmethod
    def resolve_outreach(obj: Cta) -> str:
        return services.outreach_state(obj)

    @staticmethod
    def resolve_tasks(obj: Cta) -> list:
        return list(obj.tasks.all())


class CtaFilter(FilterSchema):
    case: Annotated[Id | None, FilterLookup("case_id")] = None
    request: Annotated[Id | None, FilterLookup("request_id")] = None
    account: Annotated[Id | None, FilterLookup("account_id")] = None
    owner: Annotated[Id | None, FilterLookup("owner_id")] = None
    status: CtaStatus | None = None
    late: bool | None = Field(
        None, description="Only late CTAs (past due, or longer in their state than the norm)."
    )

    def filter_late(self, value: bool | None) -> Q:
        if value is None:
            return Q()
        condition = late_condition(timezone.localdate())
        return condition if value else ~condition


def _ctas(request: AuthedRequest):
    # The playbook comes by a query of its own: joined, its table of one or two rows
    # led SQLite to read every account's CTAs and sort them rather than walk the
    # list's order index for a page (0.5 s at 118,000 CTAs, against 9 ms).
    return (
        Cta.objects.visible_to(request.user)
        .select_related("account", "owner", "case", "outreach_message")
        .prefetch_related("playbook", Prefetch("tasks", CtaTask.objects.order_by("position")))
    )


@router.get("/ctas", response=list[CtaOut])
@paginate(Pagination)
def list_ctas(request: AuthedRequest, filters: Query[CtaFilter]):
    """CTAs on accounts you may see; `?case=<id>` finds a case's CTA."""
    return filters.filter(_ctas(request))


@router.get("/ctas/{cta_id}", response={200: CtaOut, **ERROR_RESPONSES})
def get_cta(request: AuthedRequest, cta_id: int):
    return get_object_or_404(_ctas(request), pk=cta_id)


class WordingIn(Body):
    """The words of an email: a part left out goes as drafted."""

    subject: str | None = Field(None, description="Left out: the drafted subject.")
    body: str | None = Field(None, description="Plain text. Left out: the drafted text.")

    def wording(self) -> Wording:
        return Wording(self.subject, self.body)


def _wording(words: WordingIn | None) -> Wording | None:
    return words.wording() if words is not None else None


class EmailOut(Schema):
    """An email as it goes (or would go): its recipients and its words."""

    to: list[str]
    cc: list[str]
    reply_to: list[str]
    from_email: str
    subject: str
    body: str

    @staticmethod
    def of(draft: EmailDraft) -> "EmailOut":
        return EmailOut(
            to=list(draft.to),
            cc=list(draft.cc),
            reply_to=list(draft.reply_to),
            from_email=draft.from_email,
            subject=draft.subject,
            body=draft.body_text,
        )


class OutreachOut(Schema):
    state: OutreachState
    explanation: str = Field(description="What happened to the outreach email, and why.")
    email: EmailOut | None = Field(
        description="The email as it went (sent) or as it would go now (draft, for "
        "its owner or, before anyone accepts the CTA, for you if you are a CSE)."
    )
    message: int | None = Field(None, description="The outbox message, once sent.")
    delivery: MessageStatus | None = None


@router.get("/ctas/{cta_id}/outreach", response={200: OutreachOut, **ERROR_RESPONSES})
def get_outreach(request: AuthedRequest, cta_id: int):
    """The outreach email of a CSE-help CTA: sent, or drafted in its owner's name
    for them to read, reword and send (`POST …/outreach`)."""
    cta = get_object_or_404(_ctas(request).select_related("owner", "case__contact"), pk=cta_id)
    return _outreach_out(cta, request.user)


def _outreach_out(cta: Cta, user) -> OutreachOut:
    explanation = services.outreach_state(cta)
    sent = cta.outreach_message
    if sent is not None:
        email = EmailOut(
            to=sent.to,
            cc=sent.cc,
            reply_to=sent.reply_to,
            from_email=sent.from_email,
            subject=sent.subject,
            body=sent.body_text,
        )
        return OutreachOut(
            state=OutreachState.SENT,
            explanation=explanation,
            email=email,
            message=sent.pk,
            delivery=MessageStatus(sent.status),
        )
    state = services.outreach_stage(cta)
    draft = None
    if state == OutreachState.DRAFT:
        draft = services.outreach_draft(cta)
    elif state == OutreachState.UNASSIGNED and user.has_role(Role.CSE):
        draft = services.outreach_draft(cta, user)
    return OutreachOut(
        state=state,
        explanation=explanation,
        email=EmailOut.of(draft) if draft else None,
        message=None,
    )


@router.post("/ctas/{cta_id}/outreach", response={200: CtaOut, **ERROR_RESPONSES})
def send_outreach(request: AuthedRequest, cta_id: int, payload: WordingIn):
    """Send the outreach email in the owner's name, in these words (a part left out
    goes as drafted), and tick the "Reach out…" task. Once: the same words again
    change nothing, other words are refused (422, `outreach`)."""
    cta = get_object_or_404(_ctas(request), pk=cta_id)
    require_perm(request, "ctas.change_cta")
    services.send_outreach(cta, actor=request.user, wording=payload.wording())
    return _ctas(request).get(pk=cta.pk)


class AcceptIn(Body):
    cse: Id | None = Field(None, description="Assign to this CSE (managers); default: you.")
    override_reason: Text = Field(
        "",
        max_length=2000,
        description="Why this CSE, when they do not cover the account's region or segment.",
    )
    outreach: WordingIn | None = Field(
        None,
        description="Send the outreach email with the acceptance, in these words (`{}`: "
        "as drafted), unless the case opted out. Left out, it waits as a draft.",
    )
    assigned_email: WordingIn | None = Field(
        None, description="The words of the email telling the CSE a manager assigned it."
    )
    reassigned_email: WordingIn | None = Field(
        None, description="The words of the email telling its previous owner."
    )


class AssignEmailsOut(Schema):
    """What assigning the CTA to a CSE would send them, and its previous owner."""

    assigned_email: EmailOut | None
    reassigned_email: EmailOut | None


@router.get("/ctas/{cta_id}/assign-emails", response={200: AssignEmailsOut, **ERROR_RESPONSES})
def preview_assign_emails(request: AuthedRequest, cta_id: int, cse: Id):
    """The emails assigning the CTA to `cse` would send, as drafted (a manager's)."""
    cta = get_object_or_404(_ctas(request), pk=cta_id)
    require_perm(request, "ctas.assign_cta")
    chosen = User.objects.active().filter(pk=cse).first()
    if chosen is None:
        raise validation_error("cse", f"No active team member with id {cse}.")
    drafts = services.assign_drafts(cta, cse=chosen, actor=request.user)
    return AssignEmailsOut(
        assigned_email=_email(drafts.get(notifications.ASSIGNED)),
        reassigned_email=_email(drafts.get(notifications.REASSIGNED)),
    )


def _email(draft: EmailDraft | None) -> EmailOut | None:
    return EmailOut.of(draft) if draft is not None else None


@router.post("/ctas/{cta_id}/accept", response={200: CtaOut, **ERROR_RESPONSES})
def accept_cta(request: AuthedRequest, cta_id: int, payload: AcceptIn):
    """Accept the CTA yourself, or (a manager) assign it to a CSE. The outreach email
    waits, drafted in the new owner's name (`GET …/outreach`), unless `outreach`
    sends it now; either way once, to the contact, the account owner in copy."""
    cta = get_object_or_404(_ctas(request), pk=cta_id)
    require_perm(request, "ctas.change_cta")
    cse = request.user
    if payload.cse is not None and payload.cse != request.user.pk:
        cse = User.objects.active().filter(pk=payload.cse).first()
        if cse is None:
            raise validation_error("cse", f"No active team member with id {payload.cse}.")
    wording = {
        name: words.wording()
        for name, words in (
            (notifications.ASSIGNED, payload.assigned_email),
            (notifications.REASSIGNED, payload.reassigned_email),
        )
        if words is not None
    }
    services.accept(
        cta,
        cse=cse,
        actor=request.user,
        override_reason=payload.override_reason,
        outreach=_wording(payload.outreach),
        wording=wording,
    )
    return _ctas(request).get(pk=cta.pk)


class CloseIn(Body):
    reason: Text = Field("", max_length=2000)
    done_task_ids: list[Id] = Field(
        default_factory=list,
        description="The open tasks that were done; every other open task is skipped.",
    )
    skip_reason: Text = Field(
        "", max_length=250, description="Why the open tasks not done are skipped."
    )
    closing_email: WordingIn | None = Field(
        None,
        description="The words of the email telling the account owner (when one goes: "
        "`GET …/closing-email`); the reason ends it.",
    )


@router.get("/ctas/{cta_id}/closing-email", response={200: EmailOut | None, **ERROR_RESPONSES})
def preview_closing_email(request: AuthedRequest, cta_id: int):
    """The email closing the CTA would send its account owner, as drafted; null when
    none would go (no case, or you opened it)."""
    cta = get_object_or_404(_ctas(request), pk=cta_id)
    return _email(services.closing_draft(cta, actor=request.user))


@router.post("/ctas/{cta_id}/close", response={200: CtaOut, **ERROR_RESPONSES})
def close_cta(request: AuthedRequest, cta_id: int, payload: CloseIn):
    cta = get_object_or_404(_ctas(request), pk=cta_id)
    require_perm(request, "ctas.change_cta")
    services.close(
        cta,
        actor=request.user,
        reason=payload.reason,
        done_task_ids=payload.done_task_ids,
        skip_reason=payload.skip_reason,
        wording=_wording(payload.closing_email) or AS_DRAFTED,
    )
    return _ctas(request).get(pk=cta.pk)


class TaskPatch(Body):
    status: TaskStatus


@router.patch("/cta-tasks/{task_id}", response={200: TaskOut, **ERROR_RESPONSES})
def update_task(request: AuthedRequest, task_id: int, payload: TaskPatch):
    """Tick a task off (done), skip it, or open it again."""
    task = get_object_or_404(
        CtaTask.objects.visible_to(request.user),
        pk=task_id,
    )
    require_perm(request, "ctas.change_ctatask")
    return services.set_task_status(task, status=payload.status, actor=request.user)


# --- Playbooks ----------------------------------------------------------------


class StepOut(Schema):
    id: int
    position: int
    title: str
    due_offset_days: int
    condition: StepCondition


class PlaybookOut(Schema):
    id: int
    name: str
    description: str
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(obj: Playbook) -> list:
        # Prefetched by the list as `active_steps`: no query per playbook.
        if hasattr(obj, "active_steps"):
            return obj.active_steps
        return list(obj.steps.filter(archived_at__isnull=True).order_by("position"))


class PlaybookIn(Body):
    name: Text = Field(min_length=1, max_length=200)
    description: Text = Field("", max_length=5000)


class PlaybookPatch(Body):
    name: Text | None = Field(None, min_length=1, max_length=200)
    description: Text | None = Field(None, max_length=5000)


class StepIn(Body):
    title: Text = Field(min_length=1, max_length=200)
    due_offset_days: int = Field(0, ge=0, le=365)
    condition: StepCondition = StepCondition.ALWAYS
    position: int | None = Field(None, ge=1, le=1000)


class StepPatch(Body):
    title: Text | None = Field(None, min_length=1, max_length=200)
    due_offset_days: int | None = Field(None, ge=0, le=365)
    condition: StepCondition | None = None
    position: int | None = Field(None, ge=1, le=1000)


@router.get("/playbooks", response=list[PlaybookOut])
def list_playbooks(request: AuthedRequest):
    require_perm(request, "ctas.view_playbook")
    steps = PlaybookStep.objects.filter(archived_at__isnull=True).order_by("position")
    return Playbook.objects.active().prefetch_related(
        Prefetch("steps", steps, to_attr="active_steps")
    )


@router.get("/playbooks/{playbook_id}", response={200: PlaybookOut, **ERROR_RESPONSES})
def get_playbook(request: AuthedRequest, playbook_id: int):
    require_perm(request, "ctas.view_playbook")
    return get_object_or_404(Playbook, pk=playbook_id)


@router.post("/playbooks", response={201: PlaybookOut, **ERROR_RESPONSES})
def create_playbook(request: AuthedRequest, payload: PlaybookIn):
    require_perm(request, "ctas.add_playbook")
    return Status(201, playbooks.save_playbook(payload.dict()))


@router.patch("/playbooks/{playbook_id}", response={200: PlaybookOut, **ERROR_RESPONSES})
def update_playbook(request: AuthedRequest, playbook_id: int, payload: PlaybookPatch):
    require_perm(request, "ctas.change_playbook")
    playbook = get_object_or_404(Playbook, pk=playbook_id)
    return playbooks.save_playbook(payload.dict(exclude_unset=True), playbook)


@router.post("/playbooks/{playbook_id}/steps", response={201: StepOut, **ERROR_RESPONSES})
def add_step(request: AuthedRequest, playbook_id: int, payload: StepIn):
    require_perm(request, "ctas.add_playbookstep")
    playbook = get_object_or_404(Playbook.objects.active(), pk=playbook_id)
    data = payload.dict(exclude_none=True)
    return Status(201, playbooks.save_step(data, playbook=playbook))


@router.patch("/playbook-steps/{step_id}", response={200: StepOut, **ERROR_RESPONSES})
def update_step(request: AuthedRequest, step_id: int, payload: StepPatch):
    require_perm(request, "ctas.change_playbookstep")
    step = get_object_or_404(PlaybookStep.objects.active(), pk=step_id)
    return playbooks.save_step(payload.dict(exclude_unset=True), step=step)


@router.post("/playbook-steps/{step_id}/archive", response={200: StepOut, **ERROR_RESPONSES})
def archive_step(request: AuthedRequest, step_id: int):
    require_perm(request, "ctas.change_playbookstep")
    return playbooks.archive_step(get_object_or_404(PlaybookStep, pk=step_id))
