"""The KPI pages: the manager's dashboard, a CSE's own page, the rows behind a figure,
each table as CSV, and an account's QBR. Thin: the filters are parsed by forms.py,
the figures computed by definitions.py (and qbr.py for the QBR)."""

from __future__ import annotations

import csv
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode

from rhythm.core.http import AuthedRequest
from rhythm.core.paging import page_of
from rhythm.customers.models import Account
from rhythm.kpis import definitions, figures, qbr, rules
from rhythm.kpis.forms import FilterForm, WebinarFilterForm
from rhythm.people.rules import MANAGES_CSES

# Who has a page of their own figures: those who hold calls and send their follow-ups
# (CSEs; managers and admins, who may stand in).
OWN = "followups.change_followup"
CSV_LIMIT = 100_000  # rows a drill-down's CSV holds at most
# The webinars dashboard: the program manager's, who runs the calendar, and the CSE
# managers', whose CSEs host the events (either right opens it).
PLANS_WEBINARS = "webinars.change_webinar"
WEBINARS_DASHBOARD = (PLANS_WEBINARS, MANAGES_CSES)
TEAM_URLS = {"rows_url": "kpis:rows", "table_csv_url": "kpis:table-csv"}
WEBINAR_URLS = {"rows_url": "kpis:webinar-rows", "table_csv_url": "kpis:webinar-table-csv"}


def may_see_webinars(user: Any) -> bool:
    return any(user.has_perm(perm) for perm in WEBINARS_DASHBOARD)


def _webinars_viewer(request: AuthedRequest) -> None:
    if not may_see_webinars(request.user):
        raise PermissionDenied(
            "Your role does not allow this (the webinars dashboard is for program managers "
            "and CSE managers)."
        )


def _fixed_cse(request: AuthedRequest, *, own: bool = False) -> Any:
    """None when the viewer may see the whole team's figures; themselves when they may
    see only their own; a 403 otherwise."""
    user = request.user
    if not own and user.has_perm(MANAGES_CSES):
        return None
    if user.has_perm(OWN) or (own and user.has_perm(MANAGES_CSES)):
        return user
    raise PermissionDenied("Your role does not allow this (KPIs are for CSEs and their managers).")


def _form(request: AuthedRequest, fixed_cse: Any) -> FilterForm:
    form = FilterForm(request.GET, fixed_cse=fixed_cse)
    form.is_valid()
    return form


def _scope(request: AuthedRequest, form: FilterForm | WebinarFilterForm) -> figures.Scope:
    return figures.Scope(request.user, form.filters(), timezone.now())


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    """The menu's KPIs: the team's dashboard for a manager, one's own for a CSE."""
    if _fixed_cse(request) is None:
        return redirect("kpis:dashboard")
    return redirect("kpis:mine")


def _dashboard(request: AuthedRequest, fixed_cse: Any, template_context: dict) -> HttpResponse:
    form = _form(request, fixed_cse)
    context = {
        "form": form,
        "may_see_webinars": may_see_webinars(request.user),
        **TEAM_URLS,
        **template_context,
    }
    if form.errors:
        return render(request, "kpis/dashboard.html", context, status=422)
    scope = _scope(request, form)
    context |= {
        "scope": scope,
        "figures": definitions.compute(scope),
        "query": urlencode(scope.filters.query()),
    }
    return render(request, "kpis/dashboard.html", context)


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_perm(MANAGES_CSES):
        raise PermissionDenied("Your role does not allow this (people.manage_cses).")
    return _dashboard(request, None, {"title": "Team KPIs", "mine": False})


@login_required
def mine(request: AuthedRequest) -> HttpResponse:
    fixed = _fixed_cse(request, own=True)
    return _dashboard(request, fixed, {"title": "My KPIs", "mine": True})


def _kpi(key: str, registry: dict[str, figures.Kpi] = definitions.BY_KEY) -> figures.Kpi:
    kpi = registry.get(key)
    if kpi is None:
        raise Http404(f"No KPI {key!r}.")
    return kpi


@login_required
def rows(request: AuthedRequest, key: str) -> HttpResponse:
    """The rows behind a KPI's figure (a bucket of its table, or all of them)."""
    form = _form(request, _fixed_cse(request))
    dashboard = "kpis:dashboard" if _fixed_cse(request) is None else "kpis:mine"
    return _rows(request, _kpi(key), form, dashboard, "kpis:rows-csv")


def _rows(
    request: AuthedRequest,
    kpi: figures.Kpi,
    form: FilterForm | WebinarFilterForm,
    dashboard: str,
    rows_csv_url: str,
) -> HttpResponse:
    if form.errors:
        return render(request, "kpis/rows.html", {"form": form, "kpi": kpi}, status=422)
    scope = _scope(request, form)
    bucket = request.GET.get("bucket", "")[:100]
    drill = kpi.drill(scope, bucket)
    page = page_of(drill.queryset, figures.DRILL_PAGE, request.GET.get("page"))
    query = scope.filters.query() | ({"bucket": bucket} if bucket else {})
    return render(
        request,
        "kpis/rows.html",
        {
            "kpi": kpi,
            "form": form,
            "scope": scope,
            "bucket": bucket,
            "columns": drill.columns,
            "page": page,
            "rows": [drill.cells(row) for row in page.object_list],
            "query": urlencode(query),
            "dashboard": dashboard,
            "rows_csv_url": rows_csv_url,
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv(name: str, header: tuple[str, ...], lines: Any) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(line) for line in _chain(header, lines)), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _error_text(form: FilterForm | WebinarFilterForm) -> str:
    return "; ".join(
        f"{name}: {' '.join(map(str, errors))}" for name, errors in form.errors.items()
    )


def _chain(header: tuple[str, ...], lines: Any):
    yield header
    yield from lines


@login_required
def table_csv(request: AuthedRequest, key: str) -> HttpResponse | StreamingHttpResponse:
    """A KPI's table (the one under its chart) as CSV."""
    return _table_csv(request, _kpi(key), _form(request, _fixed_cse(request)))


def _table_csv(
    request: AuthedRequest, kpi: figures.Kpi, form: FilterForm | WebinarFilterForm
) -> HttpResponse | StreamingHttpResponse:
    if form.errors:
        return HttpResponse(_error_text(form), status=422, content_type="text/plain")
    figure = kpi.compute(_scope(request, form))
    lines = [(row.label, *("" if v is None else v for v in row.values)) for row in figure.rows]
    return _csv(f"{kpi.key}-{form.filters().period.key}", figure.columns, lines)


@login_required
def rows_csv(request: AuthedRequest, key: str) -> HttpResponse | StreamingHttpResponse:
    """The rows behind a figure as CSV (every row, up to CSV_LIMIT)."""
    return _rows_csv(request, _kpi(key), _form(request, _fixed_cse(request)))


def _rows_csv(
    request: AuthedRequest, kpi: figures.Kpi, form: FilterForm | WebinarFilterForm
) -> HttpResponse | StreamingHttpResponse:
    if form.errors:
        return HttpResponse(_error_text(form), status=422, content_type="text/plain")
    drill = kpi.drill(_scope(request, form), request.GET.get("bucket", "")[:100])
    lines = (
        [cell.text for cell in drill.cells(row)] for row in drill.queryset[:CSV_LIMIT].iterator()
    )
    return _csv(f"{kpi.key}-rows", drill.columns, lines)


# --- The webinars dashboard -----------------------------------------------------------------


def _webinar_form(request: AuthedRequest) -> WebinarFilterForm:
    form = WebinarFilterForm(request.GET)
    form.is_valid()
    return form


@login_required
def webinars(request: AuthedRequest) -> HttpResponse:
    """Registrations, attendance, redemptions and the post-event survey, per event and
    per month (the seed's webinars dashboard)."""
    _webinars_viewer(request)
    form = _webinar_form(request)
    context: dict[str, Any] = {
        "form": form,
        "title": "Webinars and labs",
        "webinars": True,
        **WEBINAR_URLS,
    }
    if form.errors:
        return render(request, "kpis/dashboard.html", context, status=422)
    scope = _scope(request, form)
    context |= {
        "scope": scope,
        "figures": definitions.compute_webinars(scope),
        "query": urlencode(scope.filters.query()),
    }
    return render(request, "kpis/dashboard.html", context)


@login_required
def webinar_rows(request: AuthedRequest, key: str) -> HttpResponse:
    _webinars_viewer(request)
    kpi = _kpi(key, definitions.WEBINAR_BY_KEY)
    return _rows(request, kpi, _webinar_form(request), "kpis:webinars", "kpis:webinar-rows-csv")


@login_required
def webinar_table_csv(request: AuthedRequest, key: str) -> HttpResponse | StreamingHttpResponse:
    _webinars_viewer(request)
    return _table_csv(request, _kpi(key, definitions.WEBINAR_BY_KEY), _webinar_form(request))


@login_required
def webinar_rows_csv(request: AuthedRequest, key: str) -> HttpResponse | StreamingHttpResponse:
    _webinars_viewer(request)
    return _rows_csv(request, _kpi(key, definitions.WEBINAR_BY_KEY), _webinar_form(request))


# --- The account's QBR ---------------------------------------------------------------------


def _qbr_context(request: AuthedRequest, account: Account) -> tuple[FilterForm, dict]:
    data = request.GET.copy()
    if not data.get("period"):
        # A quarterly review: this fiscal quarter unless another period is asked for.
        data["period"] = rules.period_choices(
            timezone.localdate(), settings.RHYTHM_FISCAL_YEAR_START_MONTH
        )[2].key
    form = FilterForm(data, fixed_cse=None)
    form.is_valid()
    context: dict[str, Any] = {"account": account, "form": form}
    if not form.errors:
        context |= qbr.review(request.user, account, form.filters().period, timezone.now())
    return form, context


@login_required
@permission_required("customers.view_account", raise_exception=True)
def qbr_page(request: AuthedRequest, account_id: int) -> HttpResponse:
    """The account's quarterly business review, printable (print CSS) in a page or two."""
    account = get_object_or_404(
        Account.objects.visible_to(request.user).select_related("segment", "account_owner", "csm"),
        pk=account_id,
    )
    form, context = _qbr_context(request, account)
    return render(request, "kpis/qbr.html", context, status=422 if form.errors else 200)


def account_tab(request: AuthedRequest, account: Account) -> HttpResponse:
    """The account page's QBR tab: the review's summary, and the printable page."""
    form, context = _qbr_context(request, account)
    return render(request, "kpis/account_tab.html", context, status=422 if form.errors else 200)
