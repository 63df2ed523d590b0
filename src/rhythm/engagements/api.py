"""Complex engagement requests, their review workflow, suggestions and capacity."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from rhythm.core.api import (
    ERROR_RESPONSES,
    AgingOut,
    Body,
    ErrorOut,
    Id,
    Pagination,
    Text,
    aging_out,
    require_perm,
)
from rhythm.core.http import AuthedRequest
from rhythm.engagements import services
from rhythm.engagements.capacity import capacity as team_capacity
from rhythm.engagements.capacity import suggest_cses
from rhythm.engagements.choices import EffortKind, RejectionReason, RequestState
from rhythm.engagements.models import EngagementRequest, late_condition
from rhythm.engagements.rules import DUPLICATE_REASON_MAX_LENGTH

router = Router(tags=["engagements"])


# The rules (what is required, at least one of each, a start not in the past) are
# the service's, which names every broken one in one answer, as the form does;
# the schema keeps to types and sizes.
class StakeholderIn(Body):
    name: Text = Field("", max_length=200)
    role_title: Text = Field("", max_length=200)
    responsibilities: Text = Field("", max_length=2000)
    email: Text = Field(
        "", max_length=254, description="Ties the stakeholder to the account's contact of it."
    )


class StakeholderOut(Schema):
    name: str
    role_title: str
    responsibilities: str
    email: str
    contact: int | None = Field(alias="contact_id", description="The account's contact, if one.")


class RequestIn(Body):
    account: Id
    objective: Id = Field(description="The success-plan objective it serves (same account).")
    title: Text = Field("", max_length=200)
    offering: Id | None = None
    effort_kind: EffortKind
    duration_weeks: int | None = Field(None, ge=1, le=104)
    hours_per_week: Decimal = Field(Decimal("4"), ge=Decimal("0.5"), le=40, decimal_places=1)
    target_start_date: date | None = Field(None, description="Not before today.")
    outcome: Text = Field("", max_length=5000, description="Required.")
    metrics: list[Text] = Field(default_factory=list, max_length=20, description="At least one.")
    deliverables: list[Text] = Field(
        default_factory=list, max_length=20, description="At least one."
    )
    stakeholders: list[StakeholderIn] = Field(
        default_factory=list, max_length=20, description="At least one."
    )
    duplicate_reason: Text = Field(
        "",
        max_length=DUPLICATE_REASON_MAX_LENGTH,
        description="Why file it anyway, when another request on the same objective is "
        "still open: without it such a request is refused (422 naming this field and "
        "linking the open request).",
    )


class TransitionOut(Schema):
    from_state: str
    to_state: RequestState
    actor: int = Field(alias="actor_id")
    at: datetime
    reason: str
    reason_code: str
    assigned_cse: int | None = Field(alias="assigned_cse_id")
    over_capacity: bool
    override_reason: str


class DeliverableOutcomeOut(Schema):
    position: int
    text: str
    achieved: bool
    on_time: bool = Field(description="Achieved within the agreed timeline.")
    transition: int = Field(alias="transition_id")


class RequestOut(Schema):
    id: int
    title: str
    account: int = Field(alias="account_id")
    objective: int = Field(alias="objective_id")
    offering: int | None = Field(alias="offering_id")
    effort_kind: EffortKind
    duration_weeks: int | None
    hours_per_week: Decimal
    target_start_date: date
    outcome: str
    metrics: list[str]
    deliverables: list[str]
    state: RequestState
    state_changed_at: datetime
    duplicate_reason: str
    requested_by: int = Field(alias="requested_by_id")
    assigned_cse: int | None = Field(alias="assigned_cse_id")
    cta: int | None = None
    stakeholders: list[StakeholderOut]
    transitions: list[TransitionOut]
    deliverable_outcomes: list[DeliverableOutcomeOut] = Field(
        description="What marking it complete said of each agreed deliverable."
    )
    doc_url: str = Field(description="The doc or guideline completing it updated.")
    doc_none_reason: str = Field(description="Why completing it updated no doc.")
    seconds_in_state: dict[str, float]
    aging: AgingOut

    @staticmethod
    def resolve_aging(obj: EngagementRequest) -> AgingOut:
        return aging_out(obj.aging)

    @staticmethod
    def resolve_cta(obj: EngagementRequest) -> int | None:
        cta = getattr(obj, "cta", None)
        return cta.pk if cta else None

    @staticmethod
    def resolve_stakeholders(obj: EngagementRequest) -> list:
        return list(obj.stakeholders.all())

    @staticmethod
    def resolve_transitions(obj: EngagementRequest) -> list:
        return list(obj.transitions.all())

    @staticmethod
    def resolve_deliverable_outcomes(obj: EngagementRequest) -> list:
        return list(obj.deliverable_outcomes.all())

    @staticmethod
    def resolve_seconds_in_state(obj: EngagementRequest) -> dict[str, float]:
        return {s: d.total_seconds() for s, d in services.time_in_states(obj).items()}


class RequestFilter(FilterSchema):
    account: Annotated[Id | None, FilterLookup("account_id")] = None
    state: RequestState | None = None
    cse: Annotated[Id | None, FilterLookup("assigned_cse_id")] = None
    late: bool | None = Field(
        None, description="Only late requests (past a date, or longer in a state than the norm)."
    )

    def filter_late(self, value: bool | None) -> Q:
        if value is None:
            return Q()
        condition = late_condition(timezone.localdate())
        return condition if value else ~condition


def _requests(request: AuthedRequest):
    return (
        EngagementRequest.objects.visible_to(request.user)
        .select_related("cta")
        .prefetch_related("stakeholders", "transitions", "deliverable_outcomes")
    )


@router.get("/requests", response=list[RequestOut])
@paginate(Pagination)
def list_requests(request: AuthedRequest, filters: Query[RequestFilter]):
    require_perm(request, "engagements.view_engagementrequest")
    return filters.filter(_requests(request))


@router.get("/requests/{request_id}", response={200: RequestOut, **ERROR_RESPONSES})
def get_request(request: AuthedRequest, request_id: int):
    require_perm(request, "engagements.view_engagementrequest")
    return get_object_or_404(_requests(request), pk=request_id)


@router.post("/requests", response={201: RequestOut, **ERROR_RESPONSES})
def file_request(request: AuthedRequest, payload: RequestIn):
    """A CSM files a complex engagement request; it starts in review. Another request
    on an objective whose request is still open needs `duplicate_reason`."""
    data = payload.dict()
    stakeholders = data.pop("stakeholders")
    filed = services.file_request(request.user, data, stakeholders)
    return Status(201, _requests(request).get(pk=filed.pk))


class DeliverableAnswerIn(Body):
    achieved: bool | None = None
    on_time: bool | None = Field(
        None, description="Achieved within the agreed timeline; needed when achieved."
    )


class TransitionIn(Body):
    to: RequestState
    reason: Text = Field("", max_length=5000)
    reason_code: RejectionReason | None = None
    cse: Id | None = Field(None, description="Qualifying: the CSE assigned.")
    confirm_over_capacity: bool = False
    override_reason: Text = Field("", max_length=2000)
    expected_state: RequestState | None = Field(
        None, description="The state you saw; if it has moved since, you get 409."
    )
    deliverables: list[DeliverableAnswerIn] = Field(
        default_factory=list,
        description="Marking complete: for each agreed deliverable, in order, whether it "
        "was achieved and whether within the agreed timeline.",
    )
    doc_url: Text = Field(
        "",
        max_length=500,
        description="Marking complete: the link of the doc or guideline the engagement "
        "updated; or leave it empty and give `doc_none_reason`.",
    )
    doc_none_reason: Text = Field(
        "", max_length=1000, description="Marking complete: why no doc or guideline was updated."
    )


class ConflictOut(ErrorOut):
    current_state: RequestState


@router.post(
    "/requests/{request_id}/transitions",
    response={
        200: RequestOut,
        409: ConflictOut,
        **{k: v for k, v in ERROR_RESPONSES.items() if k != 409},
    },
)
def transition(request: AuthedRequest, request_id: int, payload: TransitionIn):
    """Move the request along the review workflow. Refusals name the rule: 403 when it
    is not your move, 409 (with `current_state`) when the request is elsewhere, 422
    when a reason, a rejection code, a CSE or a deliverable's outcome is missing."""
    engagement = get_object_or_404(_requests(request), pk=request_id)
    services.transition(
        engagement,
        request.user,
        services.TransitionInput(
            to=payload.to,
            reason=payload.reason,
            reason_code=payload.reason_code or "",
            cse=payload.cse,
            confirm_over_capacity=payload.confirm_over_capacity,
            override_reason=payload.override_reason,
            expected_state=payload.expected_state or "",
            deliverables=tuple(
                services.DeliverableAnswer(achieved=d.achieved, on_time=d.on_time)
                for d in payload.deliverables
            ),
            doc_url=payload.doc_url,
            doc_none_reason=payload.doc_none_reason,
        ),
    )
    return _requests(request).get(pk=engagement.pk)


class SuggestionOut(Schema):
    cse: int
    name: str
    rank: int
    covers: bool
    free_hours: Decimal
    fits_capacity: bool
    reasons: list[str]


@router.get(
    "/requests/{request_id}/suggestions", response={200: list[SuggestionOut], **ERROR_RESPONSES}
)
def suggestions(request: AuthedRequest, request_id: int):
    """CSEs ranked by fit for this request, each with the reasons for its rank."""
    engagement = get_object_or_404(_requests(request), pk=request_id)
    require_perm(request, "engagements.review_engagementrequest")
    return [{**s.__dict__, "cse": s.user_id} for s in suggest_cses(engagement)]


class CapacityOut(Schema):
    cse: int
    name: str
    weekly_capacity_hours: Decimal
    active_engagements: int
    open_ctas: int
    weeks: list[Decimal] = Field(description="Planned hours, week by week from this Monday.")


@router.get("/capacity", response=list[CapacityOut])
def capacity(request: AuthedRequest, weeks: int = Query(8, ge=1, le=26)):
    """Every CSE's planned load for the coming weeks."""
    require_perm(request, "engagements.view_engagementrequest")
    return [
        {
            "cse": row.user.pk,
            "name": str(row.user),
            "weekly_capacity_hours": row.capacity,
            "active_engagements": row.active_engagements,
            "open_ctas": row.open_ctas,
            "weeks": row.weeks,
        }
        for row in team_capacity(weeks=weeks)
    ]
