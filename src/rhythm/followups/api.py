"""Follow-ups over the API: read them, preview one, send it (once)."""

from datetime import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import FilterLookup, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from rhythm.core.api import ERROR_RESPONSES, Body, Id, Pagination, Text, require_perm
from rhythm.core.http import AuthedRequest
from rhythm.customers.models import Contact
from rhythm.followups import clocks, rules, services
from rhythm.followups.choices import ClockKind, ClockState, FollowUpStatus
from rhythm.followups.models import FollowUp, FurtherQuestion
from rhythm.meetings.models import Meeting

router = Router(tags=["follow-ups"])


class FollowUpOut(Schema):
    id: int
    meeting: int = Field(alias="meeting_id")
    account: int = Field(alias="account_id")
    cse: int = Field(alias="cse_id")
    status: FollowUpStatus
    opened_at: datetime
    target_at: datetime = Field(description="The aim: 2 business days on the CSE's calendar.")
    due_at: datetime = Field(description="The limit: 3 business days on the CSE's calendar.")
    summary: str
    action_items: str
    resources: str
    invitation: str
    sent_at: datetime | None
    on_time: bool | None = Field(description="Sent by its due time; null until sent.")


class FollowUpFilter(FilterSchema):
    account: Annotated[Id | None, FilterLookup("account_id")] = None
    cse: Annotated[Id | None, FilterLookup("cse_id")] = None
    status: FollowUpStatus | None = None


def _follow_ups(request: AuthedRequest):
    return FollowUp.objects.visible_to(request.user)


@router.get("/follow-ups", response=list[FollowUpOut])
@paginate(Pagination)
def list_follow_ups(request: AuthedRequest, filters: Query[FollowUpFilter]):
    require_perm(request, "followups.view_followup")
    return filters.filter(_follow_ups(request))


@router.get("/follow-ups/{follow_up_id}", response={200: FollowUpOut, **ERROR_RESPONSES})
def get_follow_up(request: AuthedRequest, follow_up_id: int):
    require_perm(request, "followups.view_followup")
    return get_object_or_404(_follow_ups(request), pk=follow_up_id)


class PartsIn(Body):
    """The handbook's four parts, each required (an empty one is a 422 naming it)."""

    summary: Text = Field("", max_length=rules.PART_LIMIT, description="Summary of key points.")
    action_items: Text = Field(
        "", max_length=rules.PART_LIMIT, description="Action items and next steps."
    )
    resources: Text = Field(
        "", max_length=rules.PART_LIMIT, description="Resources and documentation."
    )
    invitation: Text = Field(
        "", max_length=rules.PART_LIMIT, description="An invitation to ask more."
    )


class DraftOut(Schema):
    to: list[str]
    cc: list[str]
    subject: str
    body: str


@router.post("/follow-ups/{follow_up_id}/preview", response={200: DraftOut, **ERROR_RESPONSES})
def preview(request: AuthedRequest, follow_up_id: int, payload: PartsIn):
    """The email the parts make, as it would go; nothing is sent."""
    follow_up = get_object_or_404(_follow_ups(request), pk=follow_up_id)
    require_perm(request, "followups.change_followup")
    return services.preview(follow_up, payload.model_dump())


@router.post("/follow-ups/{follow_up_id}/send", response={200: FollowUpOut, **ERROR_RESPONSES})
def send(request: AuthedRequest, follow_up_id: int, payload: PartsIn):
    """Send the follow-up to the call's contacts with the AE in copy, once: a second
    send returns it as sent and sends nothing."""
    follow_up = get_object_or_404(_follow_ups(request), pk=follow_up_id)
    require_perm(request, "followups.change_followup")
    return services.send(follow_up, actor=request.user, parts=payload.model_dump())


# --- Further questions -----------------------------------------------------------------


class QuestionOut(Schema):
    id: int
    meeting: int = Field(alias="meeting_id")
    account: int = Field(alias="account_id")
    cse: int = Field(alias="cse_id", description="The CSE who held the call: they answer.")
    contact: int | None = Field(alias="contact_id")
    question: str
    asked_by: int = Field(alias="asked_by_id")
    asked_at: datetime
    due_at: datetime = Field(description="1 business day on the CSE's calendar.")
    answer: str
    answered_at: datetime | None
    on_time: bool | None = Field(description="Answered by its due time; null until answered.")


class QuestionFilter(FilterSchema):
    account: Annotated[Id | None, FilterLookup("account_id")] = None
    cse: Annotated[Id | None, FilterLookup("cse_id")] = None
    meeting: Annotated[Id | None, FilterLookup("meeting_id")] = None
    # Read by the view: "answered" is a null test, the opposite of the lookup's value.
    answered: bool | None = Field(None, description="Only answered (or unanswered) ones.")

    def filter_answered(self, value: bool | None):
        return Q() if value is None else Q(answered_at__isnull=not value)


@router.get("/further-questions", response=list[QuestionOut])
@paginate(Pagination)
def list_questions(request: AuthedRequest, filters: Query[QuestionFilter]):
    require_perm(request, "followups.view_furtherquestion")
    return filters.filter(FurtherQuestion.objects.visible_to(request.user))


class AskIn(Body):
    question: Text = Field(max_length=rules.QUESTION_LIMIT, description="What the customer asks.")
    contact: Id | None = Field(None, description="The contact who asked, if one of the call's.")
    new_topic: bool = Field(
        False, description="A topic the engagement is not about: refused, open a new request."
    )
    offering: Id | None = Field(
        None,
        description="The catalog offering the question is about, if not the engagement's "
        "own: another one is refused (rule another_offering), open a new request.",
    )


@router.post("/meetings/{meeting_id}/questions", response={201: QuestionOut, **ERROR_RESPONSES})
def ask(request: AuthedRequest, meeting_id: int, payload: AskIn):
    """Enter a customer's further question after the call: it goes to the CSE who
    held it, due within 1 business day on their calendar."""
    meeting = get_object_or_404(Meeting.objects.visible_to(request.user), pk=meeting_id)
    require_perm(request, "followups.add_furtherquestion")
    contact = None
    if payload.contact is not None:
        contact = Contact.objects.filter(pk=payload.contact).first()
        if contact is None:
            raise ValidationError(
                {"contact": ValidationError(f"No contact {payload.contact}.", code="unknown")}
            )
    asked = services.ask(
        meeting,
        actor=request.user,
        question=payload.question,
        contact=contact,
        new_topic=payload.new_topic,
        offering_id=payload.offering,
    )
    return 201, asked


class AnswerIn(Body):
    answer: Text = Field(max_length=rules.QUESTION_LIMIT)


@router.post(
    "/further-questions/{further_question_id}/answer",
    response={200: QuestionOut, **ERROR_RESPONSES},
)
def answer(request: AuthedRequest, further_question_id: int, payload: AnswerIn):
    """Answer a further question, once; the AE is told."""
    question = get_object_or_404(
        FurtherQuestion.objects.visible_to(request.user), pk=further_question_id
    )
    require_perm(request, "followups.change_furtherquestion")
    return services.answer(question, actor=request.user, text=payload.answer)


# --- SLA clocks ----------------------------------------------------------------------


class ClockOut(Schema):
    kind: ClockKind = Field(description="A follow-up to send, or a further question to answer.")
    id: int = Field(description="The follow-up's or the question's id.")
    owner: int = Field(description="The CSE whose calendar the clock runs on.")
    account: int
    title: str
    state: ClockState
    due_at: datetime = Field(description="Moved on by the working time the clock was paused.")
    paused_at: datetime | None
    pause_reason: str

    @staticmethod
    def from_clock(clock: clocks.Clock) -> dict:
        item = clock.item
        return {
            "kind": clock.kind,
            "id": item.pk,
            "owner": item.cse_id,
            "account": item.account_id,
            "title": clock.title,
            "state": clock.state,
            "due_at": clock.due_at,
            "paused_at": item.paused_at,
            "pause_reason": item.pause_reason,
        }


class ClockFilter(Schema):
    owner: Id | None = Field(None, description="The CSE whose clocks to list.")
    state: ClockState | None = Field(None, description="on_time, due_soon, breached or paused.")


@router.get("/clocks", response=list[ClockOut])
@paginate(Pagination)
def list_clocks(request: AuthedRequest, filters: Query[ClockFilter]):
    """The running SLA clocks (follow-ups not sent, questions not answered) by due time,
    each on time, due soon (within the setting's working hours of its CSE's calendar),
    breached or paused."""
    require_perm(request, "followups.view_followup")
    found = clocks.clocks(request.user, owner=filters.owner, state=filters.state)
    return [ClockOut.from_clock(clock) for clock in found]


class PauseIn(Body):
    reason: Text = Field(
        max_length=rules.PAUSE_REASON_LIMIT, description="What the customer owes us."
    )


def _clock_item(request: AuthedRequest, name: str, clock_id: int) -> tuple[ClockKind, Any]:
    kind = clocks.clock_kind(name)
    item = get_object_or_404(clocks.MODELS[kind].objects.visible_to(request.user), pk=clock_id)
    perm = "change_followup" if kind == ClockKind.FOLLOW_UP else "change_furtherquestion"
    require_perm(request, f"followups.{perm}")
    return kind, item


def _clock_out(kind: ClockKind, item) -> dict:
    return ClockOut.from_clock(clocks.clock_of(kind, item))


@router.post("/clocks/{kind}/{clock_id}/pause", response={200: ClockOut, **ERROR_RESPONSES})
def pause_clock(request: AuthedRequest, kind: str, clock_id: int, payload: PauseIn):
    """Pause a clock while waiting on the customer, saying why (required)."""
    kind, item = _clock_item(request, kind, clock_id)
    item = clocks.pause(kind, item, actor=request.user, reason=payload.reason)
    return _clock_out(kind, item)


@router.post("/clocks/{kind}/{clock_id}/resume", response={200: ClockOut, **ERROR_RESPONSES})
def resume_clock(request: AuthedRequest, kind: str, clock_id: int):
    """Run a paused clock again: its due time moves on by the working time it waited."""
    kind, item = _clock_item(request, kind, clock_id)
    item = clocks.resume(kind, item, actor=request.user)
    return _clock_out(kind, item)
