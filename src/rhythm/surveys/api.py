"""Surveys over the API, read-only: the surveys sent, their answers, and the KPIs.
Nobody writes one here: a survey is sent by what it is about, answered by its link."""

from datetime import datetime
from typing import Annotated

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import FilterLookup, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import AwareDatetime, Field

from rhythm.core.api import ERROR_RESPONSES, Id, Pagination, require_perm
from rhythm.core.http import AuthedRequest
from rhythm.surveys import selectors
from rhythm.surveys.choices import SurveyKind, SurveyState

router = Router(tags=["surveys"])


class ResponseOut(Schema):
    id: int
    survey: int = Field(alias="survey_id")
    score: int
    comment: str
    created_at: datetime


class AnswerOut(Schema):
    score: int
    comment: str
    created_at: datetime


class SurveyOut(Schema):
    id: int
    kind: SurveyKind
    state: SurveyState = Field(alias="state_enum")
    account: int | None = Field(
        alias="account_id", description="None: sent to an address alone, no contact's."
    )
    contact: int | None = Field(alias="contact_id")
    recipient_name: str
    recipient_email: str
    cse: int | None = Field(alias="cse_id")
    subject_type: str = Field(description='What it is about, as "app.model".')
    subject_id: int
    about: str
    sent_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    response: AnswerOut | None = None

    @staticmethod
    def resolve_subject_type(obj) -> str:
        return f"{obj.subject_type.app_label}.{obj.subject_type.model}"

    @staticmethod
    def resolve_response(obj):
        return getattr(obj, "response", None) if obj.answered_at else None


class SurveyFilter(FilterSchema):
    account: Annotated[Id | None, FilterLookup("account_id")] = None
    contact: Annotated[Id | None, FilterLookup("contact_id")] = None
    cse: Annotated[Id | None, FilterLookup("cse_id")] = None
    kind: SurveyKind | None = None
    answered: bool | None = Field(None, description="true: answered; false: not (yet).")

    def filter_answered(self, value: bool | None) -> Q:
        return Q() if value is None else Q(answered_at__isnull=not value)


def _surveys(request: AuthedRequest):
    require_perm(request, "surveys.view_survey")
    return selectors.surveys(request.user).select_related("subject_type", "response")


@router.get("/surveys", response=list[SurveyOut])
@paginate(Pagination)
def list_surveys(request: AuthedRequest, filters: Query[SurveyFilter]):
    return filters.filter(_surveys(request))


@router.get("/surveys/{survey_id}", response={200: SurveyOut, **ERROR_RESPONSES})
def get_survey(request: AuthedRequest, survey_id: int):
    return get_object_or_404(_surveys(request), pk=survey_id)


class ResponseFilter(FilterSchema):
    survey: Annotated[Id | None, FilterLookup("survey_id")] = None
    account: Annotated[Id | None, FilterLookup("survey__account_id")] = None
    cse: Annotated[Id | None, FilterLookup("survey__cse_id")] = None
    kind: Annotated[SurveyKind | None, FilterLookup("survey__kind")] = None


@router.get("/survey-responses", response=list[ResponseOut])
@paginate(Pagination)
def list_responses(request: AuthedRequest, filters: Query[ResponseFilter]):
    require_perm(request, "surveys.view_surveyresponse")
    return filters.filter(selectors.responses(request.user))


class KindKpisOut(Schema):
    sent: int
    answered: int
    response_rate: float | None = Field(description="Answered of sent, in percent.")
    distribution: dict[int, int] = Field(description="Each score of the scale: its answers.")
    average: float | None = Field(description="CSAT: the mean score.")
    satisfied_percent: float | None = Field(description="CSAT: the share of 4s and 5s.")
    nps: float | None = Field(description="NPS: % promoters (9–10) − % detractors (0–6).")


class KpisOut(Schema):
    csat: KindKpisOut
    nps: KindKpisOut


class KpiFilter(Schema):
    cse: Id | None = None
    account: Id | None = None
    since: AwareDatetime | None = Field(None, description="Surveys sent at or after.")
    until: AwareDatetime | None = Field(None, description="Surveys sent before.")


@router.get("/survey-kpis", response={200: KpisOut, **ERROR_RESPONSES})
def kpis(request: AuthedRequest, filters: Query[KpiFilter]):
    """CSAT average and distribution, NPS and response rate, per CSE and period, over
    the surveys of the accounts you see."""
    surveys = selectors.in_period(
        _surveys(request), cse=filters.cse, since=filters.since, until=filters.until
    )
    if filters.account is not None:
        surveys = surveys.filter(account_id=filters.account)
    return selectors.kpis(surveys)
