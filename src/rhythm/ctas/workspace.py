"""The CTA page as the CSE's workspace: what they prepare from (the case, the
offering, the people, the account's essentials and its earlier engagements) and
the emails the CTA sends, drafted for them to read before they go.

Reads only, in a fixed number of queries whatever the account holds; every row
comes through `visible_to`. Requests are reached through the CTA's own field, as
`engagements` stands above `ctas` (docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from rhythm.ctas.choices import CtaStatus
from rhythm.ctas.models import Cta, CtaTask, CtaTransition

EngagementRequest: Any = Cta._meta.get_field("request").related_model
REJECTED, COMPLETE, CLOSED = "rejected", "complete", "closed"  # engagements' RequestState
EARLIER_SHOWN = 6


def cta_page(user, cta_id: int) -> Cta:
    """The CTA with everything its page shows of it, in one query (and one for its
    tasks); raises DoesNotExist outside what the user may see."""
    return (
        Cta.objects.visible_to(user)
        .select_related(
            "account__segment",
            "account__account_owner",
            "account__csm",
            "owner",
            "playbook",
            "case__contact",
            "case__offering",
            "case__opportunity",
            "case__opened_by",
            "request__objective",
            "outreach_message",
        )
        .prefetch_related(
            Prefetch("tasks", CtaTask.objects.select_related("completed_by").order_by("position"))
        )
        .get(pk=cta_id)
    )


@dataclass(frozen=True)
class Earlier:
    """An earlier engagement on the account, as the CTA page lists it."""

    kind: str  # "CTA" or "Request"
    title: str
    url: str
    at: datetime
    status: Any  # a ColouredChoices member
    who: Any  # its CSE, if any
    outcome: str


def earlier_engagements(cta: Cta, user) -> tuple[list[Earlier], bool]:
    """The account's other CTAs and engagement requests, newest first, with how each
    went; and whether there are more than these (the account page lists them all).
    Two queries, whatever the account holds."""
    from_cases = (
        Cta.objects.visible_to(user).of_cases().filter(account_id=cta.account_id).exclude(pk=cta.pk)
    )
    closing = CtaTransition.objects.filter(cta=OuterRef("pk"), to_state=CtaStatus.CLOSED)
    ctas = list(
        from_cases.select_related("owner", "case__offering")
        .annotate(close_reason=Subquery(closing.order_by("-at").values("reason")[:1]))
        .order_by("-raised_at", "-id")[: EARLIER_SHOWN + 1]
    )
    requests = EngagementRequest.objects.visible_to(user).active().filter(account_id=cta.account_id)
    if cta.request_id:
        requests = requests.exclude(pk=cta.request_id)
    transitions = EngagementRequest._meta.get_field("transitions").related_model
    last_reason = transitions.objects.filter(
        request=OuterRef("pk"), to_state=OuterRef("state")
    ).order_by("-at", "-id")
    found = list(
        requests.select_related("assigned_cse")
        .annotate(
            outcomes=Count("deliverable_outcomes"),
            achieved=Count("deliverable_outcomes", filter=Q(deliverable_outcomes__achieved=True)),
            last_reason=Subquery(last_reason.values("reason")[:1]),
        )
        .order_by("-created_at", "-id")[: EARLIER_SHOWN + 1]
    )
    rows = [_cta_row(c) for c in ctas] + [_request_row(r) for r in found]
    rows.sort(key=lambda row: row.at, reverse=True)
    return rows[:EARLIER_SHOWN], len(rows) > EARLIER_SHOWN


def _cta_row(cta: Cta) -> Earlier:
    if cta.status == CtaStatus.CLOSED:
        outcome = cta.close_reason or "Closed."  # type: ignore[attr-defined]
    elif cta.owner_id:
        outcome = f"{cta.get_status_display()} with {cta.owner}."
    else:
        outcome = "Nobody has accepted it yet."
    offering = cta.case.offering if cta.case and cta.case.offering else None
    return Earlier(
        kind="CTA",
        title=offering.name if offering else cta.name,
        url=cta.get_absolute_url(),
        at=cta.raised_at,
        status=cta.status_enum,
        who=cta.owner,
        outcome=outcome,
    )


def _request_row(request) -> Earlier:
    if request.outcomes:
        outcome = f"{request.achieved} of {request.outcomes} deliverables achieved."
    elif request.state in (REJECTED, CLOSED) and request.last_reason:
        outcome = request.last_reason
    elif request.state == COMPLETE:
        outcome = "Complete."
    else:
        outcome = f"{request.get_state_display()}."
    return Earlier(
        kind="Request",
        title=request.title,
        url=request.get_absolute_url(),
        at=request.created_at,
        status=request.state_enum,
        who=request.assigned_cse,
        outcome=outcome,
    )


def from_today(day: date | None) -> str:
    """How far a date is, as a person says it: "in 12 days", "today", "3 days ago"."""
    if day is None:
        return ""
    days = (day - timezone.localdate()).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    return f"in {days} days" if days > 0 else f"{-days} days ago"
