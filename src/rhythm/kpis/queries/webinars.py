"""The webinars dashboard's figures, from what rhythm.webinars records (events,
registrations, attendance, redemptions) and the post-event survey rhythm.surveys
sends about each event.

An event counts in the period it starts in; drafts and cancelled events do not
count. The post-event survey is counted by its subject (the event), never by the
contact it went to: a survey may go to someone who is no customer's contact.
Events belong to no account, so no account rule narrows them: the dashboard is for
program managers and CSE managers (kpis.views.WEBINARS_DASHBOARD)."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Avg, Count, FloatField, IntegerField, OuterRef, Q, QuerySet
from django.db.models import Subquery as SubqueryExpression
from django.db.models.functions import Coalesce

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
from rhythm.surveys import selectors as surveys
from rhythm.surveys.choices import SurveyKind
from rhythm.surveys.models import Survey
from rhythm.webinars.choices import Kind, RegistrationStatus, WebinarStatus
from rhythm.webinars.models import Redemption, Registration, Webinar

NOT_COUNTED = (WebinarStatus.DRAFT, WebinarStatus.CANCELLED)
CONFIRMED = RegistrationStatus.CONFIRMED
# The survey's subject is an event: its content type, named by a join (no lookup query).
ABOUT_AN_EVENT = Q(subject_type__app_label="webinars", subject_type__model="webinar")


def _narrow(scope: Scope, queryset: QuerySet, event: str = "") -> QuerySet:
    """`queryset` (of events, or of rows whose event is at `event`, "webinar__") to
    the events of the period, region and kind asked, drafts and cancelled left out."""
    f = scope.filters
    queryset = queryset.filter(
        **{f"{event}starts_at__gte": scope.since, f"{event}starts_at__lt": scope.until}
    ).exclude(**{f"{event}status__in": NOT_COUNTED})
    if f.region:
        queryset = queryset.filter(**{f"{event}region": f.region})
    if f.kind:
        queryset = queryset.filter(**{f"{event}kind": f.kind})
    return queryset


def _events(scope: Scope) -> QuerySet:
    return _narrow(scope, Webinar.objects.order_by())


def _registrations(scope: Scope) -> QuerySet:
    return _narrow(scope, Registration.objects.order_by(), "webinar__")


def _post_event_surveys(scope: Scope) -> QuerySet:
    return (
        Survey.objects.active()
        .filter(ABOUT_AN_EVENT, kind=SurveyKind.CSAT, subject_id__in=_events(scope).values("pk"))
        .order_by()
    )


def _month_rows(months: dict, values: Callable[[dict], tuple]) -> list[Row]:
    return [Row(m.strftime("%Y-%m"), m.strftime("%b %Y"), values(c)) for m, c in months.items()]


# --- Registrations and attendance, by month --------------------------------------------


def attendance(scope: Scope) -> Figure:
    """One aggregate over the events joined to their registrations: events are
    counted distinct, registrations once each (one join, no fan-out)."""
    confirmed = Q(registrations__status=CONFIRMED)
    months = monthly(
        scope,
        _events(scope),
        "starts_at",
        {
            "events": lambda w: Count("pk", filter=w, distinct=True),
            "registered": lambda w: Count("registrations", filter=w & confirmed),
            "held_registered": lambda w: Count(
                "registrations", filter=w & confirmed & Q(starts_at__lt=scope.now)
            ),
            "attended": lambda w: Count(
                "registrations", filter=w & Q(registrations__attended=True)
            ),
        },
    )
    registered = sum(m["registered"] for m in months.values())
    held = sum(m["held_registered"] for m in months.values())
    attended = sum(m["attended"] for m in months.values())
    value = rules.percent(attended, held)
    return Figure(
        value,
        fmt(value, "%"),
        f"{attended} attended of {held} registered for events held; "
        f"{registered} registrations in all",
        ("Month", "Events", "Registered", "Attended", "% attended"),
        _month_rows(
            months,
            lambda c: (
                c["events"],
                c["registered"],
                c["attended"],
                rules.percent(c["attended"], c["held_registered"]),
            ),
        ),
        (Series("Registered", 1), Series("Attended", 2)),
    )


def _registration_rows(scope: Scope, rows: QuerySet) -> Drill:
    return Drill(
        ("Registrant", "Company", "Event", "Starts", "Status", "Attended", "Redeemed"),
        rows.order_by("-webinar__starts_at", "webinar_id", "name", "id").values_list(
            "name",
            "company",
            "webinar_id",
            "webinar__title",
            "webinar__starts_at",
            "status",
            "attended",
            "redemption__redeemed_at",
        ),
        lambda r: [
            Cell(r[0]),
            Cell(r[1]),
            Cell(r[3], link_to("webinars:detail", r[2])),
            Cell(local_time(r[4])),
            Cell(RegistrationStatus(r[5]).label),
            Cell("yes" if r[6] else "no"),
            Cell(local_time(r[7]) if r[7] else "—"),
        ],
    )


def attendance_rows(scope: Scope, bucket: str) -> Drill:
    rows = _registrations(scope).filter(status=CONFIRMED)
    if times := month_bucket(bucket):
        rows = rows.filter(webinar__starts_at__gte=times[0], webinar__starts_at__lt=times[1])
    return _registration_rows(scope, rows)


# --- Each event ---------------------------------------------------------------------------


def _count_of(queryset: QuerySet, link: str) -> Coalesce:
    counted = (
        queryset.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(SubqueryExpression(counted, output_field=IntegerField()), 0)


def per_event(scope: Scope) -> Figure:
    """One query: each event of the period with its counts as correlated subqueries
    (one per figure, so that no join multiplies another's rows)."""
    answered = Survey.objects.active().filter(
        ABOUT_AN_EVENT, kind=SurveyKind.CSAT, answered_at__isnull=False
    )
    score = (
        answered.filter(subject_id=OuterRef("pk"))
        .order_by()
        .values("subject_id")
        .annotate(mean=Avg("response__score"))
        .values("mean")
    )
    events = (
        _events(scope)
        .annotate(
            registered=_count_of(Registration.objects.filter(status=CONFIRMED), "webinar"),
            attended=_count_of(Registration.objects.filter(attended=True), "webinar"),
            redeemed=_count_of(Redemption.objects.all(), "webinar"),
            answers=_count_of(answered, "subject_id"),
            score=SubqueryExpression(score, output_field=FloatField()),
        )
        .order_by("starts_at", "id")
        .values(
            "pk",
            "title",
            "kind",
            "region",
            "starts_at",
            "registered",
            "attended",
            "redeemed",
            "answers",
            "score",
        )
    )
    rows = [
        Row(
            str(e["pk"]),
            f"{e['title']} · {e['region']} · {e['starts_at']:%d %b}",
            (
                Kind(e["kind"]).label,
                e["registered"],
                e["attended"],
                rules.percent(e["attended"], e["registered"])
                if e["starts_at"] < scope.now
                else None,
                e["redeemed"] if e["kind"] == Kind.LAB else None,
                e["answers"],
                round(e["score"], 2) if e["score"] is not None else None,
            ),
        )
        for e in events
    ]
    return Figure(
        len(rows),
        fmt(len(rows)),
        "events in the period, each with its registrations, attendance, redemptions "
        "and post-event survey",
        (
            "Event",
            "Kind",
            "Registered",
            "Attended",
            "% attended",
            "Redeemed",
            "Survey answers",
            "Average score",
        ),
        rows,
        (Series("Registered", 1), Series("Attended", 2)),
    )


def per_event_rows(scope: Scope, bucket: str) -> Drill:
    rows = _registrations(scope).exclude(status=RegistrationStatus.CANCELLED)
    if bucket.isdigit():
        rows = rows.filter(webinar_id=int(bucket))
    return _registration_rows(scope, rows)


# --- Code redemptions (labs) ------------------------------------------------------------------


def redemptions(scope: Scope) -> Figure:
    """Over the registrations of labs, one aggregate: a registration has at most one
    redemption (a one-to-one), so the join counts each once."""
    labs = _registrations(scope).filter(webinar__kind=Kind.LAB, status=CONFIRMED)
    months = monthly(
        scope,
        labs,
        "webinar__starts_at",
        {
            "registered": count_in(),
            "held": count_in(Q(webinar__starts_at__lt=scope.now)),
            "redeemed": count_in(Q(redemption__isnull=False)),
        },
    )
    held = sum(m["held"] for m in months.values())
    redeemed = sum(m["redeemed"] for m in months.values())
    value = rules.percent(redeemed, held)
    return Figure(
        redeemed,
        fmt(redeemed),
        f"invitation codes redeemed, {fmt(value, '%')} of {held} registered for labs held",
        ("Month", "Lab registrations", "Redeemed", "% redeemed"),
        _month_rows(
            months,
            lambda c: (c["registered"], c["redeemed"], rules.percent(c["redeemed"], c["held"])),
        ),
        (Series("Redeemed", 1),),
    )


def redemption_rows(scope: Scope, bucket: str) -> Drill:
    rows = _registrations(scope).filter(webinar__kind=Kind.LAB, redemption__isnull=False)
    if times := month_bucket(bucket):
        rows = rows.filter(webinar__starts_at__gte=times[0], webinar__starts_at__lt=times[1])
    return _registration_rows(scope, rows)


# --- The post-event survey ---------------------------------------------------------------


def survey_by_month(scope: Scope) -> Figure:
    """Each survey counted in the month its event started: the event's start read
    by a subquery on the subject, then one conditional aggregate per month."""
    starts = Webinar.objects.filter(pk=OuterRef("subject_id")).values("starts_at")[:1]
    rows = _post_event_surveys(scope).annotate(event_start=SubqueryExpression(starts))
    answered = Q(answered_at__isnull=False)
    months = monthly(
        scope,
        rows,
        "event_start",
        {
            "sent": count_in(),
            "answered": count_in(answered),
            "mean": lambda w: Avg("response__score", filter=w & answered),
        },
    )
    sent = sum(m["sent"] for m in months.values())
    figures = surveys.kpis(_post_event_surveys(scope))[SurveyKind.CSAT]
    average = round(figures.average, 2) if figures.average is not None else None
    return Figure(
        average,
        f"{average:.2f} / 5" if average is not None else "—",
        f"{figures.answered} answers of {sent} post-event surveys sent "
        f"(response rate {fmt(figures.response_rate, '%')})",
        ("Month", "Sent", "Answered", "Average score"),
        _month_rows(
            months,
            lambda c: (
                c["sent"],
                c["answered"],
                round(c["mean"], 2) if c["mean"] is not None else None,
            ),
        ),
        (Series("Average score", 2),),
    )


def survey_scores(scope: Scope) -> Figure:
    figures = surveys.kpis(_post_event_surveys(scope))[SurveyKind.CSAT]
    rows = [
        Row(str(s), str(s), (n, rules.percent(n, figures.answered) if figures.answered else None))
        for s, n in figures.distribution.items()
    ]
    rows.append(Row("unanswered", "No answer", (figures.sent - figures.answered, None)))
    return Figure(
        figures.answered,
        fmt(figures.answered),
        f"answers; {fmt(figures.satisfied_percent, '%')} satisfied (4–5)",
        ("Score", "Answers", "% of answers"),
        rows,
        (Series("Answers", 0),),
    )


def survey_rows(scope: Scope, bucket: str) -> Drill:
    starts = Webinar.objects.filter(pk=OuterRef("subject_id")).values("starts_at")[:1]
    rows = _post_event_surveys(scope).annotate(event_start=SubqueryExpression(starts))
    if bucket == "unanswered":
        rows = rows.filter(answered_at__isnull=True)
    elif bucket.isdigit():
        rows = rows.filter(response__score=int(bucket))
    elif times := month_bucket(bucket):
        rows = rows.filter(event_start__gte=times[0], event_start__lt=times[1])
    return Drill(
        ("Event", "Event start", "Sent", "Answered", "Score", "Comment"),
        rows.order_by("-event_start", "-sent_at", "-id").values_list(
            "subject_id",
            "about",
            "event_start",
            "sent_at",
            "answered_at",
            "response__score",
            "response__comment",
        ),
        lambda r: [
            Cell(r[1], link_to("webinars:detail", r[0])),
            Cell(local_time(r[2])),
            Cell(local_time(r[3])),
            Cell(local_time(r[4])),
            Cell("—" if r[5] is None else str(r[5])),
            Cell(r[6] or ""),
        ],
    )
