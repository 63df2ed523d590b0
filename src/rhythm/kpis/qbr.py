"""An account's quarterly business review: its engagements, CSAT and NPS, success-plan
progress, escalations and what is planned next, for a period. A fixed number of
queries whatever the account holds (each list is capped: a QBR is a page or two)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Avg, Count, Prefetch, Q

from rhythm.core.dates import day_start
from rhythm.ctas.choices import CtaStatus
from rhythm.ctas.models import Cta
from rhythm.customers.models import Account, Objective, SuccessPlan
from rhythm.engagements.choices import RequestState
from rhythm.engagements.models import EngagementRequest
from rhythm.kpis import rules
from rhythm.kpis.queries import escalations
from rhythm.meetings.choices import MeetingStatus
from rhythm.meetings.models import Meeting
from rhythm.surveys import selectors as surveys
from rhythm.surveys.choices import SurveyKind

LISTED = 12  # rows of each list, at most: the review stays within two printed pages
FINISHED = (RequestState.REJECTED, RequestState.CLOSED)


def review(user: Any, account: Account, period: rules.Period, now: datetime) -> dict[str, Any]:
    since, until = day_start(period.start), day_start(period.end)
    requests = (
        EngagementRequest.objects.visible_to(user)
        .active()
        .filter(account=account)
        .filter(Q(created_at__gte=since, created_at__lt=until) | ~Q(state__in=FINISHED))
        .select_related("offering", "assigned_cse")
        .order_by("-created_at", "-id")
    )
    survey_figures = surveys.kpis(
        surveys.in_period(surveys.surveys(user).filter(account=account), since=since, until=until)
    )
    objectives = Objective.objects.active().order_by("due_date", "id")
    plans = (
        SuccessPlan.objects.visible_to(user)
        .active()
        .filter(account=account)
        .annotate(
            objective_count=Count("objectives", filter=Q(objectives__archived_at__isnull=True)),
            progress=Avg("objectives__progress", filter=Q(objectives__archived_at__isnull=True)),
        )
        .prefetch_related(Prefetch("objectives", queryset=objectives, to_attr="live_objectives"))
        .order_by("name", "id")
    )
    next_ctas = (
        Cta.objects.visible_to(user)
        .filter(account=account)
        .exclude(status=CtaStatus.CLOSED)
        .select_related("owner")
        .order_by("due_date", "raised_at", "id")
    )
    next_meetings = (
        Meeting.objects.visible_to(user)
        .active()
        .filter(account=account, status=MeetingStatus.SCHEDULED, scheduled_at__gte=now)
        .select_related("cse")
        .order_by("scheduled_at", "id")
    )
    next_objectives = (
        Objective.objects.visible_to(user)
        .active()
        .filter(success_plan__account=account, progress__lt=100)
        .select_related("success_plan")
        .order_by("due_date", "id")
    )
    return {
        "period": period,
        "requests": list(requests[:LISTED]),
        "csat": survey_figures[SurveyKind.CSAT],
        "nps": survey_figures[SurveyKind.NPS],
        "plans": list(plans[:LISTED]),
        "escalations": _escalations(user, account, since, until),
        "next_ctas": list(next_ctas[:LISTED]),
        "next_meetings": list(next_meetings[:LISTED]),
        "next_objectives": list(next_objectives[:LISTED]),
    }


def _escalations(user: Any, account: Account, since: datetime, until: datetime) -> dict[str, Any]:
    """The account's escalations of the period, when the escalations app is installed."""
    model = escalations.escalation_model()
    if model is None:
        return {"available": False, "rows": []}
    kind, outcome, when = (
        escalations.ESCALATION_KIND_FIELD,
        escalations.ESCALATION_OUTCOME_FIELD,
        escalations.ESCALATION_DATE_FIELD,
    )
    rows = (
        model.objects.filter(account=account, **{f"{when}__gte": since, f"{when}__lt": until})
        .order_by(f"-{when}", "-pk")
        .values("pk", kind, outcome, when)[:LISTED]
    )
    return {
        "available": True,
        "rows": [{"kind": r[kind], "outcome": r[outcome], "at": r[when]} for r in rows],
    }
