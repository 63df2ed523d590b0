"""Every KPI in one place: its name, what it means (shown on hover, written into
docs/kpis.md), which filters apply, the aggregate query that computes it, and the
rows behind each of its figures (the drill-down).

Each figure is computed in the database: a KPI is one aggregate query (grouped by
the buckets of its table) whatever the number of rows, through the one access rule
(customers.access.account_scope). Nothing here loops over the rows counted; the
loops run over a table's buckets (months, scores, states, CSEs).

The escalations app is built beside this one: its KPI reads the model by its label
(ESCALATION_MODEL) only when that app is installed, and says so when it is not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Lead
from django.urls import reverse
from django.utils import timezone

from rhythm.catalog.models import Offering
from rhythm.core.dates import day_start
from rhythm.ctas.choices import CASE_SOURCES, CtaStatus
from rhythm.ctas.models import Cta
from rhythm.customers.access import account_scope
from rhythm.customers.choices import HealthStatus
from rhythm.customers.models import Objective, SuccessPlan
from rhythm.engagements.choices import RejectionReason, RequestState
from rhythm.engagements.models import DeliverableOutcome, EngagementRequest, Transition
from rhythm.followups.models import FollowUp, FurtherQuestion
from rhythm.kpis import rules
from rhythm.people.choices import Role
from rhythm.people.models import User
from rhythm.surveys import rules as survey_rules
from rhythm.surveys import selectors as surveys
from rhythm.surveys.choices import SurveyKind
from rhythm.surveys.models import Survey

# The escalations app's model and the fields this KPI groups by; the lead wires
# these to the app's names once both branches are merged.
ESCALATION_APP = "rhythm.escalations"
ESCALATION_MODEL = "escalations.Escalation"
ESCALATION_KIND_FIELD = "kind"
ESCALATION_OUTCOME_FIELD = "state"
ESCALATION_DATE_FIELD = "created_at"

PERIOD, REGION, SEGMENT, CSE, OFFERING = "period", "region", "segment", "cse", "offering"
ALL_FILTERS = frozenset({PERIOD, REGION, SEGMENT, CSE, OFFERING})
DRILL_PAGE = 50


# --- What a dashboard asks -------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    period: rules.Period
    region: str = ""
    segment: int | None = None
    cse: int | None = None
    offering: int | None = None

    def query(self) -> dict[str, str]:
        """The filters as the address carries them (drill-downs, CSV links, the API)."""
        out = {"period": self.period.key}
        if self.region:
            out["region"] = self.region
        for name in ("segment", "cse", "offering"):
            if getattr(self, name) is not None:
                out[name] = str(getattr(self, name))
        return out


@dataclass(frozen=True)
class Scope:
    """Who asks and what for: every query of a KPI starts here."""

    user: Any
    filters: Filters
    now: datetime

    @property
    def since(self) -> datetime:
        return day_start(self.filters.period.start)

    @property
    def until(self) -> datetime:
        return day_start(self.filters.period.end)

    def narrow(
        self,
        queryset: QuerySet,
        *,
        account: str | None = "account",
        when: str | None = None,
        cse: str | None = None,
        offering: str | None = None,
    ) -> QuerySet:
        """`queryset` through the access rule and the filters that apply to it: `account`
        is the path to its account, `when` the time the period counts, `cse` the path
        to the CSE it is about, `offering` the path to its catalog offering."""
        f = self.filters
        if account is not None:
            scope = account_scope(self.user, account)
            if scope is not None:
                queryset = queryset.filter(scope)
            if f.region:
                queryset = queryset.filter(**{f"{account}__region": f.region})
            if f.segment is not None:
                queryset = queryset.filter(**{f"{account}__segment_id": f.segment})
        if when is not None:
            queryset = queryset.filter(**{f"{when}__gte": self.since, f"{when}__lt": self.until})
        if cse is not None and f.cse is not None:
            queryset = queryset.filter(**{f"{cse}_id": f.cse})
        if offering is not None and f.offering is not None:
            queryset = queryset.filter(**{f"{offering}_id": f.offering})
        return queryset


# --- What a KPI answers ----------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of a KPI's table: `bucket` names it in a drill-down's address."""

    bucket: str
    label: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Series:
    """One line or set of bars of a chart: the values of one column of the table."""

    label: str
    column: int


@dataclass
class Figure:
    value: float | int | None
    display: str
    note: str
    columns: tuple[str, ...]
    rows: list[Row]
    series: tuple[Series, ...] = ()
    available: bool = True

    def chart_data(self) -> dict[str, Any]:
        return {
            "labels": [row.label for row in self.rows],
            "datasets": [
                {"label": s.label, "data": [_number(row.values[s.column]) for row in self.rows]}
                for s in self.series
            ],
        }


@dataclass(frozen=True)
class Cell:
    text: str
    url: str = ""


@dataclass(frozen=True)
class Drill:
    """The rows behind a figure: columns, the rows' query, and how a row reads."""

    columns: tuple[str, ...]
    queryset: QuerySet
    cells: Callable[[Any], list[Cell]]


@dataclass(frozen=True)
class Kpi:
    key: str
    name: str
    definition: str
    chart: str  # "line" (a trend), "bar" (a mix), or "" (a table only)
    compute: Callable[[Scope], Figure]
    drill: Callable[[Scope, str], Drill]
    filters: frozenset[str] = field(default=ALL_FILTERS)


def _number(value: Any) -> float | int | None:
    if isinstance(value, Decimal):
        return float(value)
    return value


def _fmt(value: float | int | None, unit: str = "") -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{value:.1f}%"
    if isinstance(value, float):
        return f"{value:.1f}{(' ' + unit) if unit else ''}"
    return f"{value:,}{(' ' + unit) if unit else ''}"


def _month_bucket(bucket: str) -> tuple[datetime, datetime] | None:
    """The times of the month a bucket names ("2026-11"), or None."""
    try:
        first = date.fromisoformat(bucket + "-01")
    except ValueError:
        return None
    return day_start(first), day_start(rules.add_months(first, 1))


def _monthly(
    scope: Scope, queryset: QuerySet, field: str, measures: dict[str, Callable[[Q], Any]]
) -> dict[date, dict[str, Any]]:
    """Each month of the period's measures, in one aggregate query: a conditional
    aggregate per month and measure (`measures[name](the month's condition)`), rather
    than a month computed per row (SQLite truncates dates in Python, row by row)."""
    months = scope.filters.period.months()
    wanted = {}
    for i, month in enumerate(months):
        window = Q(
            **{
                f"{field}__gte": day_start(month),
                f"{field}__lt": day_start(rules.add_months(month, 1)),
            }
        )
        for name, measure in measures.items():
            wanted[f"{name}_{i}"] = measure(window)
    got = queryset.aggregate(**wanted)
    return {
        month: {name: got[f"{name}_{i}"] for name in measures} for i, month in enumerate(months)
    }


def _count(condition: Q | None = None) -> Callable[[Q], Count]:
    return lambda window: Count("pk", filter=window & condition if condition else window)


def _url(name: str, pk: int) -> str:
    return reverse(name, args=[pk])


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%d %b %Y %H:%M %Z") if value else "—"


def _seconds(value: timedelta | float | None) -> float | None:
    if value is None:
        return None
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class SecondsBetween(Func):
    """`later - earlier` in seconds, as each database counts it natively: SQLite's
    datetime arithmetic through Django is a Python function called per row (its
    django_timestamp_diff), which an average over every stay cannot afford."""

    arity = 2
    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[override]
        return self.as_sqlite(compiler, connection, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        later, earlier = (compiler.compile(e) for e in self.get_source_expressions())
        return (
            f"((julianday({later[0]}) - julianday({earlier[0]})) * 86400.0)",
            (*later[1], *earlier[1]),
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        later, earlier = (compiler.compile(e) for e in self.get_source_expressions())
        return f"EXTRACT(EPOCH FROM ({later[0]} - {earlier[0]}))", (*later[1], *earlier[1])


# --- Success plans ---------------------------------------------------------------------


def _plans(scope: Scope) -> QuerySet:
    objectives = Objective.objects.filter(success_plan=OuterRef("pk"), archived_at__isnull=True)
    return (
        scope.narrow(SuccessPlan.objects.active())
        .annotate(
            has_objectives=Exists(objectives),
            not_green=Exists(objectives.exclude(status=HealthStatus.GREEN)),
            not_done=Exists(objectives.filter(progress__lt=100)),
        )
        .order_by()
    )


def green_plans(scope: Scope) -> Figure:
    counted = (
        _plans(scope)
        .values("account__segment__name")
        .annotate(
            plans=Count("id", filter=Q(has_objectives=True)),
            green=Count("id", filter=Q(has_objectives=True, not_green=False)),
            complete=Count("id", filter=Q(has_objectives=True, not_done=False)),
        )
        .order_by("account__segment__name")
    )
    rows, plans, green, complete = [], 0, 0, 0
    for row in counted:
        plans, green, complete = (
            plans + row["plans"],
            green + row["green"],
            complete + row["complete"],
        )
        rows.append(
            Row(
                row["account__segment__name"],
                row["account__segment__name"],
                (
                    row["plans"],
                    row["green"],
                    rules.percent(row["green"], row["plans"]),
                    rules.percent(row["complete"], row["plans"]),
                ),
            )
        )
    value = rules.percent(green, plans)
    return Figure(
        value,
        _fmt(value, "%"),
        f"{green} of {plans} plans all green; {_fmt(rules.percent(complete, plans), '%')} complete",
        ("Segment", "Plans", "All green", "% green", "% complete"),
        rows,
        (Series("% green", 2), Series("% complete", 3)),
    )


def green_plans_rows(scope: Scope, bucket: str) -> Drill:
    plans = _plans(scope).filter(has_objectives=True)
    if bucket:
        plans = plans.filter(account__segment__name=bucket)
    plans = plans.annotate(
        objective_count=Count("objectives", filter=Q(objectives__archived_at__isnull=True)),
        progress=Avg("objectives__progress", filter=Q(objectives__archived_at__isnull=True)),
    ).order_by("account__name", "name", "id")
    return Drill(
        ("Plan", "Account", "Objectives", "All green", "Average progress"),
        plans.values_list(
            "id", "name", "account_id", "account__name", "objective_count", "not_green", "progress"
        ),
        lambda r: [
            Cell(r[1]),
            Cell(r[3], _url("customers:account-detail", r[2])),
            Cell(str(r[4])),
            Cell("no" if r[5] else "yes"),
            Cell(f"{r[6]:.0f}%" if r[6] is not None else "—"),
        ],
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
    months = _monthly(
        scope,
        _outcomes(scope),
        "transition__at",
        {"total": _count(), "on_time": _count(Q(on_time=True))},
    )
    total = sum(m["total"] for m in months.values())
    on_time = sum(m["on_time"] for m in months.values())
    value = rules.percent(on_time, total)
    return Figure(
        value,
        _fmt(value, "%"),
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
    if times := _month_bucket(bucket):
        rows = rows.filter(transition__at__gte=times[0], transition__at__lt=times[1])
    return Drill(
        ("Engagement", "Deliverable", "Achieved", "On time", "Completed"),
        rows.order_by("-transition__at", "request_id", "position").values_list(
            "request_id", "request__title", "text", "achieved", "on_time", "transition__at"
        ),
        lambda r: [
            Cell(r[1], _url("engagements:detail", r[0])),
            Cell(r[2]),
            Cell("yes" if r[3] else "no"),
            Cell("yes" if r[4] else "no"),
            Cell(_when(r[5])),
        ],
    )


# --- Surveys -------------------------------------------------------------------------------


def _surveys(scope: Scope, kind: str) -> QuerySet:
    return scope.narrow(Survey.objects.active().filter(kind=kind), when="sent_at", cse="cse")


def _survey_figure(scope: Scope, kind: str) -> tuple[survey_rules.Kpis, list[Row]]:
    figures = surveys.kpis(_surveys(scope, kind))[kind]
    answered = figures.answered
    rows = [
        Row(str(score), str(score), (n, rules.percent(n, answered) if answered else None))
        for score, n in figures.distribution.items()
    ]
    rows.append(Row("unanswered", "No answer", (figures.sent - answered, None)))
    return figures, rows


def csat(scope: Scope) -> Figure:
    figures, rows = _survey_figure(scope, SurveyKind.CSAT)
    return Figure(
        round(figures.average, 2) if figures.average is not None else None,
        f"{figures.average:.2f} / 5" if figures.average is not None else "—",
        f"{figures.answered} answers of {figures.sent} sent "
        f"(response rate {_fmt(figures.response_rate, '%')}); "
        f"{_fmt(figures.satisfied_percent, '%')} satisfied (4–5)",
        ("Score", "Answers", "% of answers"),
        rows[:-1] + [rows[-1]],
        (Series("Answers", 0),),
    )


def nps(scope: Scope) -> Figure:
    figures, rows = _survey_figure(scope, SurveyKind.NPS)
    value = round(figures.nps, 1) if figures.nps is not None else None
    return Figure(
        value,
        f"{value:+.0f}" if value is not None else "—",
        f"{figures.promoters} promoters, {figures.detractors} detractors of "
        f"{figures.answered} answers "
        f"({_fmt(figures.response_rate, '%')} of {figures.sent} answered)",
        ("Score", "Answers", "% of answers"),
        rows,
        (Series("Answers", 0),),
    )


def _survey_rows(kind: str) -> Callable[[Scope, str], Drill]:
    def drill(scope: Scope, bucket: str) -> Drill:
        rows = _surveys(scope, kind)
        if bucket == "unanswered":
            rows = rows.filter(answered_at__isnull=True)
        elif bucket.isdigit():
            rows = rows.filter(response__score=int(bucket))
        return Drill(
            ("Account", "Person", "About", "Sent", "Score", "Comment"),
            rows.order_by("-sent_at", "-id").values_list(
                "account_id",
                "account__name",
                "recipient_name",
                "about",
                "sent_at",
                "response__score",
                "response__comment",
            ),
            lambda r: [
                # An attendee of a webinar who is no contact: no account to link.
                Cell(r[1], _url("customers:account-detail", r[0])) if r[0] else Cell("—"),
                Cell(r[2]),
                Cell(r[3]),
                Cell(_when(r[4])),
                Cell("—" if r[5] is None else str(r[5])),
                Cell(r[6] or ""),
            ],
        )

    return drill


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
        _fmt(value, "%"),
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
            Cell(r[1], _url("engagements:detail", r[0])),
            Cell(r[3], _url("customers:account-detail", r[2])),
            Cell(_when(r[4])),
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
    months = _monthly(scope, _requests(scope), "created_at", {"n": _count()})
    total = sum(m["n"] for m in months.values())
    return Figure(
        total,
        _fmt(total),
        f"requests filed in {scope.filters.period.label}",
        ("Month", "Requests"),
        [Row(m.strftime("%Y-%m"), m.strftime("%b %Y"), (c["n"],)) for m, c in months.items()],
        (Series("Requests", 0),),
    )


def _volume_by(group: str, label: str, none_label: str) -> Callable[[Scope], Figure]:
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
            _fmt(total),
            f"requests filed in {scope.filters.period.label}, in {len(rows)} groups",
            ("Group", "Requests"),
            rows,
            (Series("Requests", 0),),
        )

    return compute


def _volume_rows(group: str) -> Callable[[Scope, str], Drill]:
    def drill(scope: Scope, bucket: str) -> Drill:
        rows = _requests(scope)
        if group == "month":
            if times := _month_bucket(bucket):
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
                Cell(r[1], _url("engagements:detail", r[0])),
                Cell(r[3], _url("customers:account-detail", r[2])),
                Cell(r[4] or "—"),
                Cell(RequestState(r[5]).label),
                Cell(_when(r[6])),
            ],
        )

    return drill


# --- CTAs ---------------------------------------------------------------------------------


def _case_ctas(scope: Scope) -> QuerySet:
    return scope.narrow(
        Cta.objects.filter(source__in=CASE_SOURCES).order_by(), when="raised_at", cse="owner"
    )


FIRST_CONTACT = SecondsBetween(F("outreach_message__created_at"), F("raised_at"))


def _duration_trend(scope: Scope, rows: QuerySet, duration: Any, unit: str, noun: str) -> Figure:
    counted = _monthly(
        scope,
        rows,
        "raised_at",
        {
            "n": _count(),
            "mean": lambda window: Avg(duration, filter=window),
        },
    )
    convert = rules.hours if unit == "h" else rules.days
    empty: tuple[int, float | None] = (0, None)
    months = dict.fromkeys(scope.filters.period.months(), empty)
    weighted, total = 0.0, 0
    for month, row in counted.items():
        seconds = _seconds(row["mean"])
        if seconds is not None:
            months[month] = (row["n"], convert(seconds))
            weighted += seconds * row["n"]
            total += row["n"]
    value = convert(weighted / total) if total else None
    return Figure(
        value,
        _fmt(value, unit),
        f"average over {total} {noun}",
        ("Month", noun.capitalize(), f"Average ({unit})"),
        [Row(m.strftime("%Y-%m"), m.strftime("%b %Y"), v) for m, v in months.items()],
        (Series(f"Average ({unit})", 1),),
    )


def cta_latency(scope: Scope) -> Figure:
    return _duration_trend(
        scope, _case_ctas(scope).filter(latency__isnull=False), F("latency"), "h", "CTAs"
    )


def first_contact(scope: Scope) -> Figure:
    return _duration_trend(
        scope,
        _case_ctas(scope).filter(outreach_message__isnull=False),
        FIRST_CONTACT,
        "h",
        "CTAs with an outreach email",
    )


def _cta_rows(only: Q, duration: Any) -> Callable[[Scope, str], Drill]:
    def drill(scope: Scope, bucket: str) -> Drill:
        rows = _case_ctas(scope).filter(only)
        if times := _month_bucket(bucket):
            rows = rows.filter(raised_at__gte=times[0], raised_at__lt=times[1])
        return Drill(
            ("CTA", "Account", "Owner", "Raised", "Hours"),
            rows.annotate(took=duration)
            .order_by("-raised_at", "-id")
            .values_list(
                "id", "name", "account_id", "account__name", "owner__username", "raised_at", "took"
            ),
            lambda r: [
                Cell(r[1], _url("ctas:detail", r[0])),
                Cell(r[3], _url("customers:account-detail", r[2])),
                Cell(r[4] or "Unassigned"),
                Cell(_when(r[5])),
                Cell(_fmt(rules.hours(_seconds(r[6])))),
            ],
        )

    return drill


# --- SLA compliance ----------------------------------------------------------------------


def _sla(scope: Scope, model: Any, done: str, noun: str) -> Figure:
    rows = scope.narrow(model.objects.order_by(), when="due_at", cse="cse")
    counts_as_due = Q(**{f"{done}__isnull": False}) | Q(due_at__lt=scope.now)
    months = _monthly(
        scope, rows, "due_at", {"due": _count(counts_as_due), "on_time": _count(Q(on_time=True))}
    )
    due = sum(m["due"] for m in months.values())
    on_time = sum(m["on_time"] for m in months.values())
    value = rules.percent(on_time, due)
    return Figure(
        value,
        _fmt(value, "%"),
        f"{on_time} of {due} {noun} on time",
        ("Month", "Due", "On time", "% on time"),
        [
            Row(
                m.strftime("%Y-%m"),
                m.strftime("%b %Y"),
                (c["due"], c["on_time"], rules.percent(c["on_time"], c["due"])),
            )
            for m, c in months.items()
        ],
        (Series("% on time", 2),),
    )


def followup_sla(scope: Scope) -> Figure:
    return _sla(scope, FollowUp, "sent_at", "follow-ups")


def answer_sla(scope: Scope) -> Figure:
    return _sla(scope, FurtherQuestion, "answered_at", "answers to further questions")


def _sla_rows(model: Any, done: str, url: str | None) -> Callable[[Scope, str], Drill]:
    def drill(scope: Scope, bucket: str) -> Drill:
        rows = scope.narrow(model.objects.order_by(), when="due_at", cse="cse").filter(
            Q(**{f"{done}__isnull": False}) | Q(due_at__lt=scope.now)
        )
        if times := _month_bucket(bucket):
            rows = rows.filter(due_at__gte=times[0], due_at__lt=times[1])
        return Drill(
            ("Account", "CSE", "Due", "Done", "On time"),
            rows.order_by("-due_at", "-id").values_list(
                "id", "account_id", "account__name", "cse__username", "due_at", done, "on_time"
            ),
            lambda r: [
                Cell(r[2], _url(url, r[0]) if url else _url("customers:account-detail", r[1])),
                Cell(r[3]),
                Cell(_when(r[4])),
                Cell(_when(r[5])),
                Cell("yes" if r[6] else "no"),
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
        rows.append(Row(state.value, state.label, (row["n"], rules.days(_seconds(row["mean"])))))
    review = counted.get(RequestState.REVIEW, {"mean": None})["mean"]
    value = rules.days(_seconds(review))
    return Figure(
        value,
        _fmt(value, "days"),
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
            Cell(r[1], _url("engagements:detail", r[0])),
            Cell(RequestState(r[2]).label),
            Cell(_when(r[3])),
            Cell(_when(r[4])),
            Cell(_fmt(rules.days(_seconds(r[5])))),
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
        _fmt(total),
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
            Cell(r[1], _url("engagements:detail", r[0])),
            Cell(r[2]),
            Cell(RejectionReason(r[3]).label if r[3] else "—"),
            Cell(r[4]),
            Cell(_when(r[5])),
        ],
    )


# --- Capacity ----------------------------------------------------------------------------


def _cses(scope: Scope) -> QuerySet:
    started = (
        EngagementRequest.objects.filter(
            assigned_cse=OuterRef("pk"), state=RequestState.STARTED, archived_at__isnull=True
        )
        .order_by()
        .values("assigned_cse")
        .annotate(h=Sum("hours_per_week"))
        .values("h")
    )
    open_ctas = (
        Cta.objects.filter(owner=OuterRef("pk"), source__in=CASE_SOURCES)
        .exclude(status=CtaStatus.CLOSED)
        .order_by()
        .values("owner")
        .annotate(n=Count("id"))
        .values("n")
    )
    cses = User.objects.active().filter(groups__name=Role.CSE.label)
    if scope.filters.cse is not None:
        cses = cses.filter(pk=scope.filters.cse)
    if scope.filters.region:
        cses = cses.filter(region=scope.filters.region)
    return cses.annotate(
        engagement_hours=Coalesce(
            Subquery(started, output_field=DecimalField(max_digits=8, decimal_places=1)),
            Value(Decimal("0")),
            output_field=DecimalField(max_digits=8, decimal_places=1),
        ),
        open_ctas=Coalesce(Subquery(open_ctas, output_field=IntegerField()), Value(0)),
    ).order_by("first_name", "last_name", "username")


def capacity(scope: Scope) -> Figure:
    cta_hours = Decimal(settings.RHYTHM_CTA_HOURS_PER_WEEK)
    rows, planned, available = [], Decimal("0"), Decimal("0")
    for cse in _cses(scope).values(
        "pk",
        "first_name",
        "last_name",
        "username",
        "weekly_capacity_hours",
        "engagement_hours",
        "open_ctas",
    ):
        load = cse["engagement_hours"] + cse["open_ctas"] * cta_hours
        planned, available = planned + load, available + cse["weekly_capacity_hours"]
        name = f"{cse['first_name']} {cse['last_name']}".strip() or cse["username"]
        rows.append(
            Row(
                str(cse["pk"]),
                name,
                (
                    float(load),
                    float(cse["weekly_capacity_hours"]),
                    rules.utilisation(float(load), float(cse["weekly_capacity_hours"])),
                ),
            )
        )
    value = rules.utilisation(float(planned), float(available))
    return Figure(
        value,
        _fmt(value, "%"),
        f"{float(planned):.1f} h planned a week of {float(available):.1f} h "
        f"across {len(rows)} CSEs",
        ("CSE", "Planned h/week", "Capacity h/week", "% utilised"),
        rows,
        (Series("% utilised", 2),),
    )


def capacity_rows(scope: Scope, bucket: str) -> Drill:
    rows = scope.narrow(
        EngagementRequest.objects.filter(state=RequestState.STARTED).active(),
        cse="assigned_cse",
        offering="offering",
    )
    if bucket.isdigit():
        rows = rows.filter(assigned_cse_id=int(bucket))
    return Drill(
        ("Engagement", "Account", "CSE", "Started", "Hours a week"),
        rows.order_by("assigned_cse__username", "target_start_date", "id").values_list(
            "id",
            "title",
            "account__name",
            "assigned_cse__username",
            "target_start_date",
            "hours_per_week",
        ),
        lambda r: [
            Cell(r[1], _url("engagements:detail", r[0])),
            Cell(r[2]),
            Cell(r[3] or ""),
            Cell(r[4].strftime("%d %b %Y")),
            Cell(f"{r[5]:.1f}"),
        ],
    )


# --- Escalations (a seam: the app is built beside this one) -------------------------------------


def escalation_model() -> Any:
    """The escalations model when its app is installed and has the fields this KPI
    groups by; None otherwise."""
    if not apps.is_installed(ESCALATION_APP):
        return None
    try:
        model = apps.get_model(ESCALATION_MODEL)
    except LookupError:
        return None
    names = {f.name for f in model._meta.get_fields()}
    needed = {ESCALATION_KIND_FIELD, ESCALATION_OUTCOME_FIELD, ESCALATION_DATE_FIELD, "account"}
    return model if needed <= names else None


def escalations(scope: Scope) -> Figure:
    model = escalation_model()
    columns = ("Kind · outcome", "Escalations")
    if model is None:
        return Figure(
            None, "—", "The escalations app is not installed yet.", columns, [], available=False
        )
    counted = (
        scope.narrow(model.objects.order_by(), when=ESCALATION_DATE_FIELD)
        .values(ESCALATION_KIND_FIELD, ESCALATION_OUTCOME_FIELD)
        .annotate(n=Count("pk"))
        .order_by(ESCALATION_KIND_FIELD, ESCALATION_OUTCOME_FIELD)
    )
    kinds = dict(model._meta.get_field(ESCALATION_KIND_FIELD).flatchoices)
    outcomes = dict(model._meta.get_field(ESCALATION_OUTCOME_FIELD).flatchoices)
    rows = [
        Row(
            f"{r[ESCALATION_KIND_FIELD]}:{r[ESCALATION_OUTCOME_FIELD]}",
            f"{kinds.get(r[ESCALATION_KIND_FIELD], r[ESCALATION_KIND_FIELD])} · "
            f"{outcomes.get(r[ESCALATION_OUTCOME_FIELD], r[ESCALATION_OUTCOME_FIELD])}",
            (r["n"],),
        )
        for r in counted
    ]
    total = sum(r.values[0] for r in rows)
    return Figure(
        total,
        _fmt(total),
        "escalations, by kind and outcome",
        columns,
        rows,
        (Series("Escalations", 0),),
    )


def escalation_rows(scope: Scope, bucket: str) -> Drill:
    model = escalation_model()
    if model is None:
        return Drill(
            ("Escalation",), EngagementRequest.objects.none().values_list("id"), lambda r: []
        )
    rows = scope.narrow(model.objects.order_by(), when=ESCALATION_DATE_FIELD)
    if ":" in bucket:
        kind, outcome = bucket.split(":", 1)
        rows = rows.filter(**{ESCALATION_KIND_FIELD: kind, ESCALATION_OUTCOME_FIELD: outcome})
    return Drill(
        ("Account", "Kind", "Outcome", "Raised"),
        rows.order_by(f"-{ESCALATION_DATE_FIELD}", "-pk").values_list(
            "account_id",
            "account__name",
            ESCALATION_KIND_FIELD,
            ESCALATION_OUTCOME_FIELD,
            ESCALATION_DATE_FIELD,
        ),
        lambda r: [
            Cell(r[1], _url("customers:account-detail", r[0])),
            Cell(str(r[2])),
            Cell(str(r[3])),
            Cell(_when(r[4])),
        ],
    )


# --- The registry ------------------------------------------------------------------------

_NOW = frozenset({REGION, SEGMENT, CSE, OFFERING})
_SURVEYS = frozenset({PERIOD, REGION, SEGMENT, CSE})

KPIS: tuple[Kpi, ...] = (
    Kpi(
        "green_plans",
        "Green success plans",
        "Of the active success plans with at least one objective: the share whose every "
        "objective is Green, and the share whose every objective is at 100% progress "
        "(complete). Plans as they stand today: the period does not apply, nor the CSE.",
        "bar",
        green_plans,
        green_plans_rows,
        frozenset({REGION, SEGMENT}),
    ),
    Kpi(
        "deliverables",
        "Deliverables on time",
        "Of the deliverables agreed for complex engagements completed in the period, the "
        "share the CSE marked achieved within the agreed timeline when marking the "
        "engagement complete.",
        "line",
        deliverables,
        deliverables_rows,
    ),
    Kpi(
        "csat",
        "CSAT",
        "The average score (1–5) of the CSAT surveys sent in the period, their distribution, "
        "and the response rate (answered of sent). Surveys are not tied to an offering.",
        "bar",
        csat,
        _survey_rows(SurveyKind.CSAT),
        _SURVEYS,
    ),
    Kpi(
        "nps",
        "NPS",
        "Net Promoter Score of the NPS surveys sent in the period: % promoters (9–10) − % "
        "detractors (0–6) of the answers, from −100 to 100.",
        "bar",
        nps,
        _survey_rows(SurveyKind.NPS),
        _SURVEYS,
    ),
    Kpi(
        "docs_updated",
        "Docs and guidelines updated",
        "Of the engagements completed in the period, the share whose CSE linked the doc or "
        "guideline it updated on completing it (the aim: one per engagement); the others "
        "said none, with a reason, or were completed before Rhythm asked.",
        "bar",
        docs_updated,
        docs_updated_rows,
    ),
    Kpi(
        "volume_by_month",
        "Requests by month",
        "Engagement requests filed in the period, per month of filing.",
        "line",
        volume_by_month,
        _volume_rows("month"),
    ),
    Kpi(
        "volume_by_offering",
        "Requests by offering",
        "Engagement requests filed in the period, per catalog offering "
        "(none: not from the catalog).",
        "bar",
        _volume_by("offering_id", "offering__name", "Not from the catalog"),
        _volume_rows("offering_id"),
    ),
    Kpi(
        "volume_by_segment",
        "Requests by segment",
        "Engagement requests filed in the period, per the account's segment.",
        "bar",
        _volume_by("account__segment_id", "account__segment__name", "—"),
        _volume_rows("account__segment_id"),
    ),
    Kpi(
        "volume_by_region",
        "Requests by region",
        "Engagement requests filed in the period, per the account's region.",
        "bar",
        _volume_by("account__region", "account__region", "—"),
        _volume_rows("account__region"),
    ),
    Kpi(
        "cta_latency",
        "CTA latency",
        "Hours from a CS Help case being saved to its CTA being raised (the seed's batch "
        "took up to four hours), averaged over the CTAs raised in the period. Owner is the CSE.",
        "line",
        cta_latency,
        _cta_rows(Q(latency__isnull=False), F("latency")),
        _SURVEYS,
    ),
    Kpi(
        "first_contact",
        "Time to first customer contact",
        "Hours from a case's CTA being raised to its outreach email to the customer, "
        "averaged over the CTAs raised in the period that have one.",
        "line",
        first_contact,
        _cta_rows(Q(outreach_message__isnull=False), FIRST_CONTACT),
        _SURVEYS,
    ),
    Kpi(
        "followup_sla",
        "Follow-up SLA",
        "Of the follow-up emails due in the period (3 business days after the call, on the "
        "CSE's calendar) that were sent or are past due, the share sent on time.",
        "line",
        followup_sla,
        _sla_rows(FollowUp, "sent_at", "followups:detail"),
        _SURVEYS,
    ),
    Kpi(
        "answer_sla",
        "Further-question SLA",
        "Of the customers' further questions due in the period (1 business day) that were "
        "answered or are past due, the share answered on time.",
        "line",
        answer_sla,
        _sla_rows(FurtherQuestion, "answered_at", None),
        _SURVEYS,
    ),
    Kpi(
        "time_in_state",
        "Time in each review state",
        "Average days a request stayed in each state it entered in the period, until its "
        "next move (a request still in the state is not counted yet).",
        "bar",
        time_in_state,
        time_in_state_rows,
    ),
    Kpi(
        "rejection_reasons",
        "Rejection reasons",
        "Requests rejected in the period, by the reason code the manager gave.",
        "bar",
        rejection_reasons,
        rejection_rows,
    ),
    Kpi(
        "capacity",
        "Capacity utilisation",
        "Per active CSE, today: the hours a week of their started engagements plus "
        f"{settings.RHYTHM_CTA_HOURS_PER_WEEK} h for each open CS Help CTA, over their weekly "
        "capacity. The region filter is the CSE's own region; the period does not apply.",
        "bar",
        capacity,
        capacity_rows,
        frozenset({REGION, CSE}),
    ),
    Kpi(
        "escalations",
        "Escalations by kind and outcome",
        "Escalations raised in the period, by kind (support, account) and where they stand "
        "(approved, declined, active, resolved, closed).",
        "bar",
        escalations,
        escalation_rows,
        _SURVEYS,
    ),
)
BY_KEY = {kpi.key: kpi for kpi in KPIS}


def compute(scope: Scope, keys: Iterable[str] | None = None) -> list[tuple[Kpi, Figure]]:
    """Each KPI's figure (all of them unless `keys` says which), one query or so each."""
    chosen = KPIS if keys is None else [BY_KEY[k] for k in keys]
    return [(kpi, kpi.compute(scope)) for kpi in chosen]


def offerings() -> QuerySet:
    return Offering.objects.active().order_by("position", "name")
