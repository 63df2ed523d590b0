"""A person's start page: what waits for them, by role, and what comes up next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from rhythm.cases.choices import CaseStatus
from rhythm.cases.models import Case
from rhythm.core.http import AuthedRequest
from rhythm.core.paging import COUNT_AHEAD, bounded_count
from rhythm.ctas.choices import CtaStatus
from rhythm.ctas.models import Cta
from rhythm.customers.models import Account
from rhythm.engagements.capacity import capacity as team_capacity
from rhythm.engagements.choices import RequestState
from rhythm.engagements.models import EngagementRequest
from rhythm.followups import clocks
from rhythm.home import late
from rhythm.meetings.choices import MeetingStatus
from rhythm.meetings.models import Meeting
from rhythm.people.choices import Role


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """A person's start page: what waits for them, what is late, the renewals coming
    up; a manager's also shows the team's late work and its capacity this week."""
    today = timezone.localdate()
    user = request.user
    roles = set(user.roles)
    accounts = Account.objects.visible_to(request.user).active()
    renewing = (
        accounts.filter(renewal_date__range=(today, today + timedelta(days=90)))
        .select_related("segment", "account_owner", "csm")
        .order_by("renewal_date")[:10]
    )
    for account in renewing:
        account.days_to_renewal = (account.renewal_date - today).days
    return render(
        request,
        "home/home.html",
        {
            "account_count": accounts.count(),
            "renewing": renewing,
            "work": _your_work(user, roles),
            "late": late.late_work(user, roles, today),
            # Reused from the capacity page: this week's planned hours per CSE.
            "capacity": team_capacity(weeks=1) if user.manages_cses else None,
            "next_call": _next_call(user),
            # A CSE's SLA clocks (follow-ups to send, questions to answer) by due time.
            "clocks": clocks.clocks(user, owner=user.pk) if Role.CSE in roles else None,
            "clocks_soon_hours": clocks.soon_hours(),
        },
    )


@dataclass(frozen=True)
class WorkItem:
    label: str
    count: int
    url: str
    capped: bool = False  # more than `count` (COUNT_AHEAD): the tile says "1,000+"

    @classmethod
    def counting(cls, label: str, rows, url: str) -> WorkItem:
        """A line whose count stops at COUNT_AHEAD (core.paging): a manager's lines
        count the whole team's work, a figure nobody needs exact past a thousand."""
        counted, capped = bounded_count(rows)
        return cls(label, min(counted, COUNT_AHEAD), url, capped)


def _your_work(user, roles: set[Role]) -> list[WorkItem]:
    """What waits for this person, by role: one bounded count (one query) per line."""
    requests = EngagementRequest.objects.visible_to(user).active()
    ctas = Cta.objects.visible_to(user)
    work = []
    if Role.CSE in roles:
        work += [
            WorkItem.counting(
                "Your open CTAs",
                ctas.filter(owner=user).exclude(status=CtaStatus.CLOSED),
                f"{reverse('ctas:list')}?show=mine",
            ),
            WorkItem.counting(
                "Outreach drafts for you to send",
                ctas.outreach_waiting().filter(owner=user),
                f"{reverse('ctas:list')}?show=outreach",
            ),
            WorkItem.counting(
                "Your engagements running",
                requests.filter(assigned_cse=user, state=RequestState.STARTED),
                f"{reverse('engagements:list')}?state=started&mine=1",
            ),
        ]
    if user.manages_cses:
        work += [
            WorkItem.counting(
                "Requests waiting for review",
                requests.filter(state=RequestState.REVIEW),
                f"{reverse('engagements:list')}?state=review",
            ),
            WorkItem.counting(
                "CTAs nobody has accepted",
                ctas.filter(owner__isnull=True, status=CtaStatus.OPEN),
                f"{reverse('ctas:list')}?show=unassigned",
            ),
        ]
    if Role.CSM in roles:
        work.append(
            WorkItem.counting(
                "Questions waiting for your answer",
                requests.filter(requested_by=user, state=RequestState.CLARIFICATION),
                f"{reverse('engagements:list')}?state=clarification&mine=1",
            )
        )
    if user.has_perm("cases.add_case"):
        work.append(
            WorkItem.counting(
                "Your open CS Help cases",
                Case.objects.filter(opened_by=user).exclude(status=CaseStatus.CLOSED),
                reverse("cases:list"),
            )
        )
    return work


def _next_call(user) -> Meeting | None:
    return (
        Meeting.objects.filter(
            cse=user, status=MeetingStatus.SCHEDULED, scheduled_at__gte=timezone.now()
        )
        .select_related("account")
        .order_by("scheduled_at")
        .first()
    )
