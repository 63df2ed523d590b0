"""docs/kpis.md, written from the registry (definitions.KPIS): the definitions a
reader finds in the repository are the ones the dashboard shows on hover."""

from __future__ import annotations

from rhythm.kpis import definitions, figures

FILTER_NAMES = {
    figures.PERIOD: "period",
    figures.REGION: "region",
    figures.SEGMENT: "segment",
    figures.CSE: "CSE",
    figures.OFFERING: "offering",
}


def markdown() -> str:
    lines = [
        "# The KPIs",
        "",
        "<!-- Written by `rhythm kpis --write-docs docs/kpis.md` from "
        "src/rhythm/kpis/definitions.py; a test keeps it in step. -->",
        "",
        "What the team's dashboard (`/kpis/team/`), a CSE's own page (`/kpis/mine/`) and "
        "`GET /api/v1/kpis?period=&region=&segment=&cse=&offering=` count, each from the "
        "records the other apps keep (never typed in), in one aggregate query. A period is "
        "a month (`2026-11`), a fiscal quarter (`FY2027-Q2`) or a fiscal year (`FY2027`); "
        "the fiscal year starts on the first of `RHYTHM_FISCAL_YEAR_START_MONTH` and is "
        "named by the year it ends in. Every figure opens the rows behind it; every table "
        "downloads as CSV.",
        "",
        "| KPI | key | definition | filters that apply |",
        "|---|---|---|---|",
    ]
    for kpi in definitions.KPIS:
        filters = ", ".join(FILTER_NAMES[f] for f in FILTER_NAMES if f in kpi.filters)
        lines.append(f"| {kpi.name} | `{kpi.key}` | {kpi.definition} | {filters} |")
    lines += [
        "",
        "The escalations KPI reads `escalations.Escalation` (its `kind`, `state` and "
        "`created_at`) once the escalations app is installed; until then it says so.",
        "",
        "## The webinars dashboard",
        "",
        "What the webinars dashboard (`/kpis/webinars/`), "
        "`GET /api/v1/kpis/webinars?period=&region=&kind=` and "
        "`rhythm kpis --webinars --as USERNAME` count, from the events, registrations, "
        "attendance and redemptions `rhythm.webinars` records and the post-event survey "
        "`rhythm.surveys` sends about each event. An event counts in the period it starts "
        "in (drafts and cancelled events do not); the region and kind (webinar or lab) are "
        "the event's. For program managers and CSE managers.",
        "",
        "| KPI | key | definition | filters that apply |",
        "|---|---|---|---|",
    ]
    for kpi in definitions.WEBINAR_KPIS:
        filters = ", ".join(FILTER_NAMES[f] for f in FILTER_NAMES if f in kpi.filters)
        lines.append(f"| {kpi.name} | `{kpi.key}` | {kpi.definition} | {filters} |")
    lines += [""]
    return "\n".join(lines)
