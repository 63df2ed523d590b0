"""Surveys' reads for pages, the API and the KPIs: each a query or two however many
surveys there are, through the one access rule."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, QuerySet

from rhythm.surveys import rules
from rhythm.surveys.choices import SurveyKind
from rhythm.surveys.models import Survey, SurveyResponse


def surveys(user) -> QuerySet[Survey]:
    return Survey.objects.visible_to(user).active()


def responses(user) -> QuerySet[SurveyResponse]:
    return SurveyResponse.objects.visible_to(user).filter(survey__archived_at__isnull=True)


def about(user, subject: Any) -> QuerySet[Survey]:
    """The surveys sent about `subject` (an engagement, a follow-up), with their answers."""
    return (
        surveys(user)
        .filter(subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk)
        .select_related("response")
    )


def in_period(
    queryset: QuerySet[Survey],
    *,
    cse: Any = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Survey]:
    """`queryset` narrowed to one CSE's surveys, sent in [since, until)."""
    if cse is not None:
        queryset = queryset.filter(cse=cse)
    if since is not None:
        queryset = queryset.filter(sent_at__gte=since)
    if until is not None:
        queryset = queryset.filter(sent_at__lt=until)
    return queryset


def kpis(queryset: QuerySet[Survey]) -> dict[str, rules.Kpis]:
    """Each kind's KPIs (CSAT average and distribution, NPS, response rate) over
    `queryset`, in one query: the surveys counted by kind and score (None for the
    unanswered)."""
    sent = dict.fromkeys(SurveyKind.values, 0)
    scores: dict[str, dict[int, int]] = {kind: {} for kind in SurveyKind.values}
    counted = queryset.order_by().values_list("kind", "response__score").annotate(n=Count("id"))
    for kind, score, n in counted:
        sent[kind] += n
        if score is not None:
            scores[kind][score] = n
    return {
        kind: rules.kpis(kind, sent=sent[kind], scores=scores[kind]) for kind in SurveyKind.values
    }
