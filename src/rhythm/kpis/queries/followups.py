"""SLA compliance: follow-up emails and answers to further questions on time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import (
    Q,
)

from rhythm.followups.models import FollowUp, FurtherQuestion
from rhythm.kpis import rules
from rhythm.kpis.figures import (
    Cell,
    Drill,
    Figure,
    Row,
    Scope,
    Series,
    count_in,
    fmt,
    link_to,
    local_time,
    month_bucket,
    monthly,
)

# --- SLA compliance ----------------------------------------------------------------------


def _sla(scope: Scope, model: Any, done: str, noun: str) -> Figure:
    rows = scope.narrow(model.objects.order_by(), when="due_at", cse="cse")
    counts_as_due = Q(**{f"{done}__isnull": False}) | Q(due_at__lt=scope.now)
    months = monthly(
        scope,
        rows,
        "due_at",
        {"due": count_in(counts_as_due), "on_time": count_in(Q(on_time=True))},
    )
    due = sum(m["due"] for m in months.values())
    on_time = sum(m["on_time"] for m in months.values())
    value = rules.percent(on_time, due)
    return Figure(
        value,
        fmt(value, "%"),
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


def sla_rows(model: Any, done: str, url: str | None) -> Callable[[Scope, str], Drill]:
    def drill(scope: Scope, bucket: str) -> Drill:
        rows = scope.narrow(model.objects.order_by(), when="due_at", cse="cse").filter(
            Q(**{f"{done}__isnull": False}) | Q(due_at__lt=scope.now)
        )
        if times := month_bucket(bucket):
            rows = rows.filter(due_at__gte=times[0], due_at__lt=times[1])
        return Drill(
            ("Account", "CSE", "Due", "Done", "On time"),
            rows.order_by("-due_at", "-id").values_list(
                "id", "account_id", "account__name", "cse__username", "due_at", done, "on_time"
            ),
            lambda r: [
                Cell(
                    r[2], link_to(url, r[0]) if url else link_to("customers:account-detail", r[1])
                ),
                Cell(r[3]),
                Cell(local_time(r[4])),
                Cell(local_time(r[5])),
                Cell("yes" if r[6] else "no"),
            ],
        )

    return drill
