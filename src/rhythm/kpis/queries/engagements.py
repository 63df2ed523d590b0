"""What the engagement requests record: deliverables on time, docs updated on
completion, request volume, time in each review state and rejection reasons."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import Lead

from rhythm.engagements.choices import RejectionReason, RequestState
from rhythm.engagements.models import DeliverableOutcome, EngagementRequest, Transition
from rhythm.kpis import rules
from rhythm.kpis.figures import (
    Cell,
    Drill,
    Figure,
    Row,
    Scope,
    SecondsBetween,
    Series,
    count_in,
    fmt,
    link_to,
    local_time,
    month_bucket,
    monthly,
    seconds_of,
)

# --- Deliverables ------------------------------------------------------------------------


def _outcomes(scope: Scope) -> QuerySet:
    return scope.narrow(
        DeliverableOutcome.objects.order_by(),
        account="request__account",
        when="transition__at",
        cse="request__assigned_cse",
        offering="request__offering",
    )


def deliverables(scope: Scope) -> Figure:
    months = monthly(
        scope,
        _outcomes(scope),
        "transition__at",
        {"total": count_in(), "on_time": count_in(Q(on_time=True))},
    )
    total = sum(m["total"] for m in months.values())
    on_time = sum(m["on_time"] for m in months.values())
    value = rules.percent(on_time, total)
    return Figure(
        value,
        fmt(value, "%"),
        f"{on_time} of {total} agreed deliverables achieved on time",
        ("Month", "Deliverables", "On time", "% on time"),
        [
            Row(
                m.strftime("%Y-%m"),
                m.strftime("%b %Y"),
                (c["total"], c["on_time"], rules.percent(c["on_time"], c["total"])),
            )
            for m, c in months.items()
        ],
        (Series("% on time", 2),),
    )


def deliverables_rows(scope: Scope, bucket: str) -> Drill:
    rows = _outcomes(scope)
    if times := month_bucket(bucket):
        rows = rows.filter(transition__at__gte=times[0], transition__at__lt=times[1])
    return Drill(
        ("Engagement", "Deliverable", "Achieved", "On time", "Completed"),
        rows.order_by("-transition__at", "request_id", "position").values_list(
            "request_id", "request__title", "text", "achieved", "on_time", "transition__at"
        ),
        lambda r: [
            Cell(r[1], link_to("engagements:detail", r[0])),
            Cell(r[2]),
            Cell("yes" if r[3] else "no"),
            Cell("yes" if r[4] else "no"),
            Cell(local_time(r[5])),
        ],
    )


# --- Docs updated ----------------------------------------------------------------------------

DOC_LINKED, DOC_NONE, DOC_NOT_ASKED = "linked", "none", "not_asked"
DOC_BUCKETS = {
    DOC_LINKED: "Linked the doc it updated",
    DOC_NONE: "No doc, with a reason",
    DOC_NOT_ASKED: "Completed before the question was asked",
}


def _completions(scope: Scope) -> QuerySet:
    return scope.narrow(
        Transition.objects.filter(to_state=RequestState.COMPLETE).order_by(),
        account="request__account",
        when="at",
        cse="request__assigned_cse",
        offering="request__offering",
    )


def _doc_condition(bucket: str) -> Q:
    if bucket == DOC_LINKED:
        return ~Q(request__doc_url="")
    if bucket == DOC_NONE:
        return Q(request__doc_url="") & ~Q(request__doc_none_reason="")
    return Q(request__doc_url="", request__doc_none_reason="")


def docs_updated(scope: Scope) -> Figure:
    counted = _completions(scope).aggregate(
        **{
            bucket: Count("request", distinct=True, filter=_doc_condition(bucket))
            for bucket in DOC_BUCKETS
        }
    )
    total = sum(counted.values())
    value = rules.percent(counted[DOC_LINKED], total)
    return Figure(
        value,
        fmt(value, "%"),
        f"{counted[DOC_LINKED]} docs or guidelines updated for {total} completed engagements",
        ("Completed engagements", "Count", "% of completed"),
        [
            Row(bucket, label, (counted[bucket], rules.percent(counted[bucket], total)))
            for bucket, label in DOC_BUCKETS.items()
        ],
        (Series("Engagements", 0),),
    )


def docs_updated_rows(scope: Scope, bucket: str) -> Drill:
    rows = _completions(scope)
    if bucket in DOC_BUCKETS:
        rows = rows.filter(_doc_condition(bucket))
    return Drill(
        ("Engagement", "Account", "Completed", "Doc", "Reason for none"),
        rows.order_by("-at", "-id").values_list(
            "request_id",
            "request__title",
            "request__account_id",
            "request__account__name",
            "at",
            "request__doc_url",
            "request__doc_none_reason",
        ),
        lambda r: [
            Cell(r[1], link_to("engagements:detail", r[0])),
            Cell(r[3], link_to("customers:account-detail", r[2])),
            Cell(local_time(r[4])),
            Cell(r[5] or "—", r[5] or ""),
            Cell(r[6]),
        ],
    )


# --- Request volume ------------------------------------------------------------------------


def _requests(scope: Scope) -> QuerySet:
    return scope.narrow(
        EngagementRequest.objects.active().order_by(),
        when="created_at",
        cse="assigned_cse",
        offering="offering",
    )


def volume_by_month(scope: Scope) -> Figure:
    months = monthly(scope, _requests(scope), "created_at", {"n": count_in()})
    total = sum(m["n"] for m in months.values())
    return Figure(
        total,
        fmt(total),
        f"requests filed in {scope.filters.period.label}",
        ("Month", "Requests"),
        [Row(m.strftime("%Y-%m"), m.strftime("%b %Y"), (c["n"],)) for m, c in months.items()],
        (Series("Requests", 0),),
    )


def volume_by(group: str, label: str, none_label: str) -> Callable[[Scope], Figure]:
    def compute(scope: Scope) -> Figure:
        counted = (
            _requests(scope).values(group, label).annotate(n=Count("id")).order_by("-n", label)
        )
        rows = [
            Row(str(row[group] or "none"), row[label] or none_label, (row["n"],)) for row in counted
        ]
        total = sum(row.values[0] for row in rows)
        return Figure(
            total,
            fmt(total),
            f"requests filed in {scope.filters.period.label}, in {len(rows)} groups",
            ("Group", "Requests"),
            rows,
            (Series("Requests", 0),),
        )

    return compute


def volume_rows(group: str) -> Callable[[Scope, str], Drill]:
    def drill(scope: Scope, bucket: str) -> Drill:
        rows = _requests(scope)
        if group == "month":
            if times := month_bucket(bucket):
                rows = rows.filter(created_at__gte=times[0], created_at__lt=times[1])
        elif bucket == "none":
            rows = rows.filter(**{f"{group}__isnull": True})
        elif bucket:
            value: Any = int(bucket) if bucket.isdigit() and group != "account__region" else bucket
            rows = rows.filter(**{group: value})
        return Drill(
            ("Request", "Account", "Offering", "State", "Filed"),
            rows.order_by("-created_at", "-id").values_list(
                "id",
                "title",
                "account_id",
                "account__name",
                "offering__name",
                "state",
                "created_at",
            ),
            lambda r: [
                Cell(r[1], link_to("engagements:detail", r[0])),
                Cell(r[3], link_to("customers:account-detail", r[2])),
                Cell(r[4] or "—"),
                Cell(RequestState(r[5]).label),
                Cell(local_time(r[6])),
            ],
        )

    return drill


# --- Review states and rejections --------------------------------------------------------------


def _stints(scope: Scope) -> QuerySet:
    """Each move into a state with the time until the request's next move: how long it
    stayed. A request still in its state has no next move yet and is not counted."""
    following = (
        Transition.objects.filter(request=OuterRef("request"), at__gt=OuterRef("at"))
        .order_by("at", "id")
        .values("at")[:1]
    )
    return (
        scope.narrow(
            Transition.objects.order_by(),
            account="request__account",
            when="at",
            cse="request__assigned_cse",
            offering="request__offering",
        )
        .exclude(to_state__in=[RequestState.REJECTED, RequestState.CLOSED])
        .annotate(left=Subquery(following, output_field=DateTimeField()))
        .filter(left__isnull=False)
        .annotate(stayed=ExpressionWrapper(F("left") - F("at"), output_field=DurationField()))
    )


STAYED_STATES = [
    RequestState.REVIEW,
    RequestState.CLARIFICATION,
    RequestState.STARTED,
    RequestState.COMPLETE,
]


def time_in_state(scope: Scope) -> Figure:
    """The stays of _stints, counted in one pass: each move's next move is the LEAD of
    the request's moves in order (a correlated subquery per move cost PostgreSQL eight
    times as much). Moves before the period are not read; its end is a condition of
    the aggregates, so that a stay that ends after the period still ends."""
    moves = (
        scope.narrow(
            Transition.objects.order_by(),
            account="request__account",
            cse="request__assigned_cse",
            offering="request__offering",
        )
        .filter(at__gte=scope.since)
        .annotate(
            left=Window(
                Lead("at"), partition_by=[F("request_id")], order_by=[F("at").asc(), F("id").asc()]
            )
        )
    )
    stayed = SecondsBetween(F("left"), F("at"))
    wanted: dict[str, Any] = {}
    for state in STAYED_STATES:
        stay = Q(to_state=state, at__lt=scope.until, left__isnull=False)
        wanted[f"{state}_n"] = Count("pk", filter=stay)
        wanted[f"{state}_mean"] = Avg(stayed, filter=stay)
    got = moves.aggregate(**wanted)
    counted = {
        state.value: {"n": got[f"{state}_n"], "mean": got[f"{state}_mean"]}
        for state in STAYED_STATES
    }
    rows = []
    for state in STAYED_STATES:
        row = counted.get(state, {"n": 0, "mean": None})
        rows.append(Row(state.value, state.label, (row["n"], rules.days(seconds_of(row["mean"])))))
    review = counted.get(RequestState.REVIEW, {"mean": None})["mean"]
    value = rules.days(seconds_of(review))
    return Figure(
        value,
        fmt(value, "days"),
        "average days in Review; every state below",
        ("State", "Stays", "Average (days)"),
        rows,
        (Series("Average days", 1),),
    )


def time_in_state_rows(scope: Scope, bucket: str) -> Drill:
    rows = _stints(scope)
    if bucket in RequestState.values:
        rows = rows.filter(to_state=bucket)
    return Drill(
        ("Engagement", "State", "Entered", "Left", "Days"),
        rows.order_by("-at", "-id").values_list(
            "request_id", "request__title", "to_state", "at", "left", "stayed"
        ),
        lambda r: [
            Cell(r[1], link_to("engagements:detail", r[0])),
            Cell(RequestState(r[2]).label),
            Cell(local_time(r[3])),
            Cell(local_time(r[4])),
            Cell(fmt(rules.days(seconds_of(r[5])))),
        ],
    )


def _rejections(scope: Scope) -> QuerySet:
    return scope.narrow(
        Transition.objects.filter(to_state=RequestState.REJECTED).order_by(),
        account="request__account",
        when="at",
        cse="request__assigned_cse",
        offering="request__offering",
    )


def rejection_reasons(scope: Scope) -> Figure:
    counted = {
        row["reason_code"]: row["n"]
        for row in _rejections(scope).values("reason_code").annotate(n=Count("id"))
    }
    total = sum(counted.values())
    rows = [
        Row(code, label, (counted.get(code, 0), rules.percent(counted.get(code, 0), total)))
        for code, label in RejectionReason.choices
    ]
    if counted.get(""):
        rows.append(
            Row("unstated", "No reason code", (counted[""], rules.percent(counted[""], total)))
        )
    return Figure(
        total,
        fmt(total),
        "requests rejected, by reason",
        ("Reason", "Rejected", "% of rejections"),
        rows,
        (Series("Rejected", 0),),
    )


def rejection_rows(scope: Scope, bucket: str) -> Drill:
    rows = _rejections(scope)
    if bucket in RejectionReason.values or bucket == "unstated":
        rows = rows.filter(reason_code="" if bucket == "unstated" else bucket)
    return Drill(
        ("Engagement", "Account", "Reason", "Why", "Rejected"),
        rows.order_by("-at", "-id").values_list(
            "request_id",
            "request__title",
            "request__account__name",
            "reason_code",
            "reason",
            "at",
        ),
        lambda r: [
            Cell(r[1], link_to("engagements:detail", r[0])),
            Cell(r[2]),
            Cell(RejectionReason(r[3]).label if r[3] else "—"),
            Cell(r[4]),
            Cell(local_time(r[5])),
        ],
    )
