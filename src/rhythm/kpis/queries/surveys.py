"""CSAT and NPS, from the surveys sent in the period (surveys.selectors.kpis)."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import (
    QuerySet,
)

from rhythm.kpis import rules
from rhythm.kpis.figures import (
    Cell,
    Drill,
    Figure,
    Row,
    Scope,
    Series,
    fmt,
    link_to,
    local_time,
)
from rhythm.surveys import rules as survey_rules
from rhythm.surveys import selectors as surveys
from rhythm.surveys.choices import SurveyKind
from rhythm.surveys.models import Survey

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
        f"(response rate {fmt(figures.response_rate, '%')}); "
        f"{fmt(figures.satisfied_percent, '%')} satisfied (4–5)",
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
        f"({fmt(figures.response_rate, '%')} of {figures.sent} answered)",
        ("Score", "Answers", "% of answers"),
        rows,
        (Series("Answers", 0),),
    )


def survey_rows(kind: str) -> Callable[[Scope, str], Drill]:
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
                Cell(r[1], link_to("customers:account-detail", r[0])) if r[0] else Cell("—"),
                Cell(r[2]),
                Cell(r[3]),
                Cell(local_time(r[4])),
                Cell("—" if r[5] is None else str(r[5])),
                Cell(r[6] or ""),
            ],
        )

    return drill
