"""Calls to action, their tasks and playbooks over the API."""

from datetime import date, datetime, timedelta
from typing import Annotated

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from rhythm.core.api import (
    ERROR_RESPONSES,
    Body,
    Id,
    Pagination,
    Text,
    require_perm,
    validation_error,
)
from rhythm.core.choices import Priority
from rhythm.core.http import AuthedRequest
from rhythm.ctas import playbooks, services
from rhythm.ctas.choices import CtaSource, CtaStatus, StepCondition, TaskStatus
from rhythm.ctas.models import Cta, CtaTask, Playbook, PlaybookStep
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
    tasks: list[TaskOut]

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


def _ctas(request: AuthedRequest):
    return (
        Cta.objects.visible_to(request.user)
        .select_related("account", "playbook", "case", "outreach_message")
        .prefetch_related(Prefetch("tasks", CtaTask.objects.order_by("position")))
    )


@router.get("/ctas", response=list[CtaOut])
@paginate(Pagination)
def list_ctas(request: AuthedRequest, filters: Query[CtaFilter]):
    """CTAs on accounts you may see; `?case=<id>` finds a case's CTA."""
    return filters.filter(_ctas(request))


@router.get("/ctas/{cta_id}", response={200: CtaOut, **ERROR_RESPONSES})
def get_cta(request: AuthedRequest, cta_id: int):
    return get_object_or_404(_ctas(request), pk=cta_id)


class AcceptIn(Body):
    cse: Id | None = Field(None, description="Assign to this CSE (managers); default: you.")
    override_reason: Text = Field(
        "",
        max_length=2000,
        description="Why this CSE, when they do not cover the account's region or segment.",
    )


@router.post("/ctas/{cta_id}/accept", response={200: CtaOut, **ERROR_RESPONSES})
def accept_cta(request: AuthedRequest, cta_id: int, payload: AcceptIn):
    """Accept the CTA yourself, or (a manager) assign it to a CSE. Unless the case
    opted out, the outreach email is queued once, to the contact, owner in copy."""
    cta = get_object_or_404(_ctas(request), pk=cta_id)
    require_perm(request, "ctas.change_cta")
    cse = request.user
    if payload.cse is not None and payload.cse != request.user.pk:
        cse = User.objects.active().filter(pk=payload.cse).first()
        if cse is None:
            raise validation_error("cse", f"No active team member with id {payload.cse}.")
    services.accept(cta, cse=cse, actor=request.user, override_reason=payload.override_reason)
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
