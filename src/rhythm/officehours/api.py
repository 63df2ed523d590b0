"""Office hours over the API: sessions, questions, async answers, spot engagements."""

from datetime import datetime, time
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AwareDatetime, Field, field_validator

from rhythm.core.api import ERROR_RESPONSES, Body, Id, Pagination, Text, require_perm
from rhythm.core.http import AuthedRequest
from rhythm.officehours import services
from rhythm.officehours.choices import QuestionStatus, Weekday
from rhythm.officehours.models import OfficeHourSession, Question

router = Router(tags=["office hours"])


class SessionOut(Schema):
    id: int
    cse: int = Field(alias="cse_id")
    title: str
    weekday: Weekday
    start_time: time
    duration_minutes: int
    recurring: bool


def _naive(value: time | None) -> time | None:
    # A weekly slot is a wall-clock time in the CSE's own zone, never an offset.
    if value is not None and value.tzinfo is not None:
        raise ValueError("Give the time without a UTC offset: it is in the CSE's time zone.")
    return value


class SessionIn(Body):
    cse: Id | None = Field(None, description="Default: you.")
    title: Text = Field("CSE office hours", min_length=1, max_length=200)
    weekday: Weekday
    start_time: time
    duration_minutes: int = Field(60, ge=15, le=240)
    recurring: bool = True

    _start_time_is_naive = field_validator("start_time")(_naive)


class SessionPatch(Body):
    title: Text | None = Field(None, min_length=1, max_length=200)
    weekday: Weekday | None = None
    start_time: time | None = None
    duration_minutes: int | None = Field(None, ge=15, le=240)
    recurring: bool | None = None

    _start_time_is_naive = field_validator("start_time")(_naive)


@router.get("/office-hours", response=list[SessionOut])
def list_sessions(request: AuthedRequest):
    require_perm(request, "officehours.view_officehoursession")
    return OfficeHourSession.objects.active()


@router.post("/office-hours", response={201: SessionOut, **ERROR_RESPONSES})
def create_session(request: AuthedRequest, payload: SessionIn):
    return Status(201, services.save_session(request.user, payload.dict(exclude_none=True)))


@router.patch("/office-hours/{session_id}", response={200: SessionOut, **ERROR_RESPONSES})
def update_session(request: AuthedRequest, session_id: int, payload: SessionPatch):
    session = get_object_or_404(OfficeHourSession.objects.active(), pk=session_id)
    return services.save_session(request.user, payload.dict(exclude_unset=True), session)


@router.post("/office-hours/{session_id}/archive", response={200: SessionOut, **ERROR_RESPONSES})
def archive_session(request: AuthedRequest, session_id: int):
    session = get_object_or_404(OfficeHourSession.objects.active(), pk=session_id)
    return services.archive_session(request.user, session)


class QuestionOut(Schema):
    id: int
    session: int = Field(alias="session_id")
    account: int = Field(alias="account_id")
    asked_by: int = Field(alias="asked_by_id")
    topic: str
    context: str
    status: QuestionStatus
    answer: str
    answered_by: int | None = Field(alias="answered_by_id")
    answered_at: datetime | None
    meeting: int | None = Field(alias="meeting_id")
    created_at: datetime


class QuestionIn(Body):
    account: Id
    topic: Text = Field(min_length=1, max_length=190)
    context: Text = Field(min_length=1, max_length=10_000)


class QuestionFilter(FilterSchema):
    session: Annotated[Id | None, FilterLookup("session_id")] = None
    account: Annotated[Id | None, FilterLookup("account_id")] = None
    status: QuestionStatus | None = None


def _questions(request: AuthedRequest):
    return Question.objects.visible_to(request.user)


@router.get("/office-hours-questions", response=list[QuestionOut])
@paginate(Pagination)
def list_questions(request: AuthedRequest, filters: Query[QuestionFilter]):
    require_perm(request, "officehours.view_question")
    return filters.filter(_questions(request))


@router.post("/office-hours/{session_id}/questions", response={201: QuestionOut, **ERROR_RESPONSES})
def ask(request: AuthedRequest, session_id: int, payload: QuestionIn):
    """A CSM brings a question, with its context, to a session."""
    session = get_object_or_404(OfficeHourSession.objects.all(), pk=session_id)
    question = services.ask(
        request.user,
        session=session,
        account_id=payload.account,
        topic=payload.topic,
        context=payload.context,
    )
    return Status(201, question)


class AnswerIn(Body):
    answer: Text = Field(min_length=1, max_length=10_000)


@router.post(
    "/office-hours-questions/{question_id}/answer",
    response={200: QuestionOut, **ERROR_RESPONSES},
)
def answer(request: AuthedRequest, question_id: int, payload: AnswerIn):
    """Answer asynchronously; the CSM is emailed the answer."""
    question = get_object_or_404(_questions(request), pk=question_id)
    return services.answer(question, actor=request.user, text=payload.answer)


class SpotIn(Body):
    # With its offset: a bare time would be read in nobody's zone.
    scheduled_at: AwareDatetime | None = None


@router.post(
    "/office-hours-questions/{question_id}/spot-engagement",
    response={200: QuestionOut, **ERROR_RESPONSES},
)
def spot_engagement(request: AuthedRequest, question_id: int, payload: SpotIn):
    """Turn the question into a spot engagement: one call named `CSE: <topic>`."""
    question = get_object_or_404(_questions(request), pk=question_id)
    return services.make_spot_engagement(
        question, actor=request.user, scheduled_at=payload.scheduled_at
    )
