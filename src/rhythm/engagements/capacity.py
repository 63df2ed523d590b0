"""The team's capacity: each CSE's planned load week by week (started engagements and
open CTAs), and the CSEs ranked for a request by room, coverage and history. Reads
only, in a fixed number of queries; assignment (services) and the capacity page and
API use them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from rhythm.ctas.choices import CtaStatus
from rhythm.ctas.models import Cta
from rhythm.engagements import rules
from rhythm.engagements.choices import RequestState
from rhythm.engagements.models import EngagementRequest
from rhythm.people.choices import Role
from rhythm.people.models import User


def _started_engagements(user_ids: list[int]) -> dict[int, list[rules.Engagement]]:
    out: dict[int, list[rules.Engagement]] = {pk: [] for pk in user_ids}
    # Unordered: the model's newest-first order had SQLite walk every request down the
    # created index (6.6 ms at 20,000 requests) instead of the (state, CSE) index.
    for row in (
        EngagementRequest.objects.filter(
            state=RequestState.STARTED, assigned_cse_id__in=user_ids, archived_at__isnull=True
        )
        .order_by()
        .values(
            "assigned_cse_id",
            "target_start_date",
            "effort_kind",
            "duration_weeks",
            "hours_per_week",
        )
    ):
        out[row["assigned_cse_id"]].append(
            rules.Engagement(
                start=row["target_start_date"],
                weeks=rules.effort_weeks(row["effort_kind"], row["duration_weeks"]),
                hours_per_week=row["hours_per_week"],
            )
        )
    return out


def _open_ctas(user_ids: list[int]) -> dict[int, int]:
    counts = (
        Cta.objects.of_cases()
        .filter(owner_id__in=user_ids)
        .exclude(status=CtaStatus.CLOSED)
        .values("owner_id")
        .annotate(n=Count("id"))
    )
    return {row["owner_id"]: row["n"] for row in counts}


@dataclass(frozen=True)
class CapacityRow:
    user: User
    capacity: Decimal
    weeks: list[Decimal]
    active_engagements: int
    open_ctas: int

    @property
    def load_now(self) -> Decimal:
        return self.weeks[0]

    @property
    def free_now(self) -> Decimal:
        return self.capacity - self.weeks[0]


def capacity(first_week: date | None = None, weeks: int = 8) -> list[CapacityRow]:
    """Every active CSE's planned load for `weeks` weeks from `first_week` (default
    this week), in a fixed number of queries."""
    today = timezone.localdate()
    first_week = first_week or today
    cses = list(
        User.objects.active()
        .filter(groups__name=Role.CSE.label)
        .prefetch_related("covered_segments")
        .order_by("first_name", "username")
    )
    ids = [u.pk for u in cses]
    engagements = _started_engagements(ids)
    ctas = _open_ctas(ids)
    cta_hours = Decimal(settings.RHYTHM_CTA_HOURS_PER_WEEK)
    return [
        CapacityRow(
            user=u,
            capacity=u.weekly_capacity_hours,
            weeks=rules.weekly_load(
                engagements[u.pk],
                open_ctas=ctas.get(u.pk, 0),
                cta_hours=cta_hours,
                first_week=first_week,
                weeks=weeks,
                today=today,
            ),
            active_engagements=len(engagements[u.pk]),
            open_ctas=ctas.get(u.pk, 0),
        )
        for u in cses
    ]


def engagement_weeks(request: EngagementRequest) -> tuple[date, int]:
    """The first day and the number of weeks the engagement will take of its CSE's
    time: from its target start, or from today once that has passed."""
    start = max(request.target_start_date, timezone.localdate())
    return start, rules.effort_weeks(request.effort_kind, request.duration_weeks)


def suggest_cses(request: EngagementRequest) -> list[rules.Suggestion]:
    """CSEs ranked for the request; room is judged at each CSE's busiest week of
    the engagement's own weeks, as the capacity page shows them."""
    start, weeks = engagement_weeks(request)
    rows = capacity(first_week=start, weeks=weeks)
    worked = set(
        EngagementRequest.objects.filter(account_id=request.account_id, assigned_cse__isnull=False)
        .exclude(pk=request.pk)
        .values_list("assigned_cse_id", flat=True)
    )
    worked |= set(
        Cta.objects.filter(account_id=request.account_id, owner__isnull=False).values_list(
            "owner_id", flat=True
        )
    )
    candidates = [
        rules.Candidate(
            user_id=row.user.pk,
            name=str(row.user),
            regions=frozenset(row.user.covered_regions or []),
            segment_ids=frozenset(s.pk for s in row.user.covered_segments.all()),
            capacity_hours=row.capacity,
            load_hours=max(row.weeks),
            active_engagements=row.active_engagements,
            worked_with_account=row.user.pk in worked,
        )
        for row in rows
    ]
    account = request.account
    return rules.rank_candidates(
        candidates,
        region=account.region,
        segment_id=account.segment_id,
        hours_needed=request.hours_per_week,
    )
