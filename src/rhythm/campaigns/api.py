"""Campaigns over the API: CRUD, the audience preview, approve/activate/pause, runs
(and dry runs), results."""

from datetime import date as Date
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from rhythm.campaigns import sending, services
from rhythm.campaigns.choices import CampaignExclusion, CampaignSchedule, CampaignState
from rhythm.campaigns.models import Campaign
from rhythm.core.api import ERROR_RESPONSES, ApiError, Body, Id, Pagination, Text, require_perm
from rhythm.core.http import AuthedRequest
from rhythm.core.workflow import TransitionConflict

router = Router(tags=["campaigns"])


class CampaignIn(Body):
    name: Text = Field(min_length=1, max_length=120)
    description: Text = ""
    segments: list[Id] = Field(default_factory=list, description="Segment ids; empty: all.")
    regions: list[Text] = Field(default_factory=list, description="Region codes; empty: all.")
    arr_min: Decimal | None = None
    arr_max: Decimal | None = None
    conditions: dict[str, Any] = Field(
        default_factory=dict,
        description='{"match": "all"|"any", "groups": [{"match": "all"|"any", "conditions": '
        '[{"metric": "license_utilisation", "op": "<", "value": "50", "for_days": 90}]}]}',
    )
    contact_roles: list[Text] = Field(
        default_factory=list,
        description="Contact roles to write to (economic_buyer, executive_sponsor, "
        "technical_champion, admin, developer_lead, security_lead); empty: every contact.",
    )
    subject: Text = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=10_000)
    schedule: CampaignSchedule = CampaignSchedule.DAILY
    send_time: time = time(9, 0)
    send_on: Date | None = None
    frequency_cap_days: int = Field(7, ge=0, le=365)


class CampaignPatch(Body):
    name: Text | None = Field(None, min_length=1, max_length=120)
    description: Text | None = None
    segments: list[Id] | None = None
    regions: list[Text] | None = None
    arr_min: Decimal | None = None
    arr_max: Decimal | None = None
    conditions: dict[str, Any] | None = None
    contact_roles: list[Text] | None = None
    subject: Text | None = Field(None, min_length=1, max_length=200)
    body: str | None = Field(None, min_length=1, max_length=10_000)
    schedule: CampaignSchedule | None = None
    send_time: time | None = None
    send_on: Date | None = None
    frequency_cap_days: int | None = Field(None, ge=0, le=365)


class CampaignOut(Schema):
    id: int
    name: str
    description: str
    state: CampaignState
    segments: list[int]
    regions: list[str]
    arr_min: Decimal | None
    arr_max: Decimal | None
    conditions: dict[str, Any]
    contact_roles: list[str]
    subject: str
    body: str
    schedule: CampaignSchedule
    send_time: time
    send_on: Date | None
    frequency_cap_days: int
    author: int | None = Field(alias="author_id")
    approved_by: int | None = Field(alias="approved_by_id")
    approved_at: datetime | None
    last_run_at: datetime | None

    @staticmethod
    def resolve_segments(obj) -> list[int]:
        return [s.pk for s in obj.segments.all()]


def _campaigns(request: AuthedRequest):
    require_perm(request, "campaigns.view_campaign")
    return Campaign.objects.active().prefetch_related("segments")


def _campaign(request: AuthedRequest, campaign_id: int) -> Campaign:
    return get_object_or_404(_campaigns(request), pk=campaign_id)


@router.get("/campaigns", response=list[CampaignOut])
@paginate(Pagination)
def list_campaigns(request: AuthedRequest):
    return _campaigns(request)


@router.post("/campaigns", response={201: CampaignOut, **ERROR_RESPONSES})
def create_campaign(request: AuthedRequest, payload: CampaignIn):
    """A draft: a second person approves it before it may be activated."""
    require_perm(request, "campaigns.add_campaign")
    campaign = services.create(payload.model_dump(), actor=request.user)
    return 201, _campaign(request, campaign.pk)


@router.get("/campaigns/{campaign_id}", response={200: CampaignOut, **ERROR_RESPONSES})
def get_campaign(request: AuthedRequest, campaign_id: int):
    return _campaign(request, campaign_id)


@router.patch("/campaigns/{campaign_id}", response={200: CampaignOut, **ERROR_RESPONSES})
def update_campaign(request: AuthedRequest, campaign_id: int, payload: CampaignPatch):
    """Change the definition; an approved or active campaign goes back to draft."""
    campaign = _campaign(request, campaign_id)
    require_perm(request, "campaigns.change_campaign")
    services.update(campaign, payload.model_dump(exclude_unset=True), actor=request.user)
    return _campaign(request, campaign_id)


@router.delete("/campaigns/{campaign_id}", response={204: None, **ERROR_RESPONSES})
def archive_campaign(request: AuthedRequest, campaign_id: int):
    """Archive it (nothing is hard-deleted): it sends no more and leaves the lists."""
    campaign = _campaign(request, campaign_id)
    require_perm(request, "campaigns.change_campaign")
    services.archive(campaign, actor=request.user)
    return 204, None


class CampaignAccountOut(Schema):
    id: int
    name: str
    segment: int = Field(alias="segment_id")
    region: str
    contacts: int = Field(alias="contacts_n")


class CampaignExcludedOut(Schema):
    id: int
    name: str
    reason: CampaignExclusion


class CampaignPreviewOut(Schema):
    matched: int
    eligible: int
    contacts: int
    excluded: dict[str, int] = Field(description="Accounts per first reason.")
    sample: list[CampaignAccountOut]
    excluded_sample: list[CampaignExcludedOut]


@router.get(
    "/campaigns/{campaign_id}/preview", response={200: CampaignPreviewOut, **ERROR_RESPONSES}
)
def preview_campaign(request: AuthedRequest, campaign_id: int):
    """Who would receive it now: the counts (one query), a sample, and the excluded
    accounts with their first reason."""
    found = services.preview(_campaign(request, campaign_id))
    return {
        "matched": found.counts["matched"],
        "eligible": found.counts["eligible"],
        "contacts": found.counts["contacts"],
        "excluded": {r.value: found.counts[r.value] for r in CampaignExclusion},
        "sample": found.sample,
        "excluded_sample": [{"id": a.pk, "name": a.name, "reason": r} for a, r in found.excluded],
    }


class CampaignMoveIn(Body):
    reason: Text = ""
    expected_state: CampaignState | None = None


def _move(request: AuthedRequest, campaign_id: int, target: str, payload: CampaignMoveIn):
    campaign = _campaign(request, campaign_id)
    try:
        services.move(
            campaign,
            target,
            actor=request.user,
            reason=payload.reason,
            expected_state=payload.expected_state or "",
        )
    except TransitionConflict as exc:
        # The one error shape, naming the field (the state) and the rule.
        raise ApiError(409, str(exc), field="state", rule="conflict") from None
    return _campaign(request, campaign_id)


@router.post("/campaigns/{campaign_id}/approve", response={200: CampaignOut, **ERROR_RESPONSES})
def approve_campaign(request: AuthedRequest, campaign_id: int, payload: CampaignMoveIn):
    """A second person (CS operations or a CSE manager, not the author) approves."""
    return _move(request, campaign_id, CampaignState.APPROVED, payload)


@router.post("/campaigns/{campaign_id}/activate", response={200: CampaignOut, **ERROR_RESPONSES})
def activate_campaign(request: AuthedRequest, campaign_id: int, payload: CampaignMoveIn):
    return _move(request, campaign_id, CampaignState.ACTIVE, payload)


@router.post("/campaigns/{campaign_id}/pause", response={200: CampaignOut, **ERROR_RESPONSES})
def pause_campaign(request: AuthedRequest, campaign_id: int, payload: CampaignMoveIn):
    return _move(request, campaign_id, CampaignState.PAUSED, payload)


class CampaignRunIn(Body):
    dry_run: bool = False


class CampaignRunEmailOut(Schema):
    to: str
    subject: str
    body: str


class CampaignRunAccountOut(Schema):
    account: int
    cse: int
    emails: list[CampaignRunEmailOut]


class CampaignRunOut(Schema):
    run: int | None = Field(description="The run's id; null for a dry run.")
    dry_run: bool
    accounts: list[CampaignRunAccountOut]
    skipped: int = Field(description="Accounts another run sent meanwhile.")


@router.post("/campaigns/{campaign_id}/runs", response={200: CampaignRunOut, **ERROR_RESPONSES})
def run_campaign(request: AuthedRequest, campaign_id: int, payload: CampaignRunIn):
    """Run now: one send per account (once ever) and an outbox email per contact; a
    dry run writes nothing and answers what would go."""
    campaign = _campaign(request, campaign_id)
    require_perm(request, "campaigns.change_campaign")
    try:
        result = sending.run(campaign, dry_run=payload.dry_run, actor=request.user)
    except sending.NotRunnable as exc:
        raise ApiError(409, str(exc), field="state", rule="not_active") from None
    return {
        "run": result.run.pk if result.run else None,
        "dry_run": result.dry_run,
        "skipped": result.skipped,
        "accounts": [
            {"account": a.pk, "cse": cse.pk, "emails": [e.__dict__ for e in emails]}
            for a, cse, emails in result.sent
        ],
    }


class CampaignRunRowOut(Schema):
    id: int
    started_at: datetime
    finished_at: datetime | None
    actor: int | None = Field(alias="actor_id")
    accounts_sent: int
    emails_written: int
    accounts_excluded: int


@router.get("/campaigns/{campaign_id}/runs", response=list[CampaignRunRowOut])
@paginate(Pagination)
def list_runs(request: AuthedRequest, campaign_id: int):
    return _campaign(request, campaign_id).runs.all()


class CampaignResultsOut(Schema):
    accounts_sent: int
    sent: int = Field(description="Emails written to the outbox.")
    delivered: int
    unsubscribed: int
    bookings: int = Field(
        description="Accounts with an engagement request, meeting or CS Help case within 30 days."
    )


@router.get(
    "/campaigns/{campaign_id}/results", response={200: CampaignResultsOut, **ERROR_RESPONSES}
)
def campaign_results(request: AuthedRequest, campaign_id: int):
    return services.results(_campaign(request, campaign_id))
