"""Community events over the API: list (by account, kind, dates), read, log, change,
archive, and the KPI counts by kind and period. Rows are those of the accounts the
caller sees (customers.access)."""

import datetime as dt
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from rhythm.community import rules, services
from rhythm.community.choices import CommunityEventKind, Contribution, Period
from rhythm.community.models import CommunityEvent
from rhythm.core.api import ERROR_RESPONSES, Body, Id, Pagination, Text, require_perm, unchanged
from rhythm.core.http import AuthedRequest
from rhythm.customers.models import Account

router = Router(tags=["community events"])


class CommunityEventOut(Schema):
    id: int
    account: int = Field(alias="account_id")
    kind: CommunityEventKind
    name: str
    date: dt.date
    contribution: Contribution
    details: str
    outcome: str
    contributors: list[int] = Field(description="The contributing CSEs.")
    created_at: dt.datetime

    @staticmethod
    def resolve_contributors(obj: CommunityEvent) -> list[int]:
        return [u.pk for u in obj.contributors.all()]


class CommunityEventFilter(FilterSchema):
    account: Annotated[Id | None, FilterLookup("account_id")] = None
    kind: CommunityEventKind | None = None
    since: Annotated[dt.date | None, FilterLookup("date__gte")] = None
    until: Annotated[dt.date | None, FilterLookup("date__lte")] = None
    contributor: Annotated[Id | None, FilterLookup("contributors")] = None


def _events(request: AuthedRequest):
    return CommunityEvent.objects.visible_to(request.user).active().prefetch_related("contributors")


@router.get("/community-events", response={200: list[CommunityEventOut], **ERROR_RESPONSES})
@paginate(Pagination)
def list_events(request: AuthedRequest, filters: Query[CommunityEventFilter]):
    """Community events of the accounts you see, newest first."""
    require_perm(request, "community.view_communityevent")
    return filters.filter(_events(request)).distinct().order_by("-date", "-pk")


class CountOut(Schema):
    period: dt.date = Field(description="The first day of the month, quarter or year.")
    kind: CommunityEventKind
    events: int
    contributions: dict[str, int] = Field(description="Of them, by contribution (talk, …).")


class CountQuery(Schema):
    since: dt.date
    until: dt.date
    period: Period = Period.MONTH
    account: Id | None = None


class CountsOut(Schema):
    since: dt.date
    until: dt.date
    period: Period
    total: int
    counts: list[CountOut] = Field(description="By period, then kind; empty ones left out.")


@router.get("/community-events/counts", response={200: CountsOut, **ERROR_RESPONSES})
def count_events(request: AuthedRequest, query: Query[CountQuery]):
    """The KPI: community events of the accounts you see, by period and kind, counted
    in one query."""
    require_perm(request, "community.view_communityevent")
    rows = CommunityEvent.objects.visible_to(request.user)
    if query.account is not None:
        rows = rows.filter(account_id=query.account)
    found = services.counts(
        since=query.since, until=query.until, period=query.period, queryset=rows
    )
    return {
        "since": query.since,
        "until": query.until,
        "period": query.period,
        "total": sum(row["events"] for row in found),
        "counts": found,
    }


@router.get(
    "/community-events/{community_event_id}", response={200: CommunityEventOut, **ERROR_RESPONSES}
)
def get_event(request: AuthedRequest, community_event_id: int):
    require_perm(request, "community.view_communityevent")
    return get_object_or_404(_events(request), pk=community_event_id)


class CommunityEventIn(Body):
    account: Id
    kind: CommunityEventKind
    name: Text = Field(max_length=rules.NAME_LIMIT)
    date: dt.date
    contribution: Contribution
    details: Text = Field("", max_length=rules.TEXT_LIMIT)
    outcome: Text = Field("", max_length=rules.TEXT_LIMIT)
    contributors: list[Id] = Field(min_length=1, description="The contributing CSEs' ids.")


@router.post("/community-events", response={201: CommunityEventOut, **ERROR_RESPONSES})
def log_event(request: AuthedRequest, payload: CommunityEventIn):
    """Log a community event on an account; it goes on the account's timeline."""
    require_perm(request, "community.view_communityevent")
    data = payload.model_dump()
    account = get_object_or_404(Account.objects.visible_to(request.user), pk=data.pop("account"))
    logged = services.log_event(request.user, account, data)
    return Status(201, _events(request).get(pk=logged.pk))


class CommunityEventPatch(Body):
    kind: CommunityEventKind = unchanged()
    name: Text = unchanged(max_length=rules.NAME_LIMIT)
    date: dt.date = unchanged()
    contribution: Contribution = unchanged()
    details: Text = unchanged(max_length=rules.TEXT_LIMIT)
    outcome: Text = unchanged(max_length=rules.TEXT_LIMIT)
    contributors: list[Id] = unchanged(min_length=1)


@router.patch(
    "/community-events/{community_event_id}",
    response={200: CommunityEventOut, **ERROR_RESPONSES},
)
def update_event(request: AuthedRequest, community_event_id: int, payload: CommunityEventPatch):
    """Change what you send (the outcome, usually, after the event)."""
    require_perm(request, "community.view_communityevent")
    community_event = get_object_or_404(_events(request), pk=community_event_id)
    services.update_event(community_event, request.user, payload.model_dump(exclude_unset=True))
    return _events(request).get(pk=community_event.pk)


@router.delete("/community-events/{community_event_id}", response={204: None, **ERROR_RESPONSES})
def archive_event(request: AuthedRequest, community_event_id: int):
    """Archive it: off the lists and the counts, kept with its history."""
    require_perm(request, "community.view_communityevent")
    community_event = get_object_or_404(_events(request), pk=community_event_id)
    services.archive_event(community_event, request.user)
    return Status(204, None)
