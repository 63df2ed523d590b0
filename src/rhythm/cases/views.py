from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.vary import vary_on_headers

from rhythm.cases import services
from rhythm.cases.choices import CaseStatus
from rhythm.cases.forms import CaseForm
from rhythm.cases.models import Case
from rhythm.core.forms import duplicate_warning, once, without_duplicate_warning
from rhythm.core.http import AuthedRequest, sign_in_first
from rhythm.core.registry import AccountFigure
from rhythm.ctas.choices import CtaStatus
from rhythm.ctas.models import Cta
from rhythm.customers.models import Account, Opportunity

LIST_LIMIT = 100
PAGE_SIZE = 50  # the cases list, a page at a time, as the requests list
TAB = "cases"  # its tab on the account page


def _visible_cases(request: AuthedRequest):
    return Case.objects.visible_to(request.user)


@sign_in_first
@permission_required("cases.view_case", raise_exception=True)
@vary_on_headers("HX-Request")
def case_list(request: AuthedRequest) -> HttpResponse:
    """Cases of an account or an opportunity; a partial when HTMX asks for it.

    The account and opportunity pages load it by URL, so an account or an
    opportunity the person may not see is a 404, as its own page would be.
    """
    cases = _visible_cases(request).select_related("offering", "opportunity", "cta", "opened_by")
    scope = {}
    for key, model in (("account", Account), ("opportunity", Opportunity)):
        raw = request.GET.get(key, "")
        if not raw:
            continue
        if not raw.isdigit() or not model.objects.visible_to(request.user).filter(pk=raw).exists():
            raise Http404(f"No {key} {raw}.")
        scope[key] = int(raw)
        cases = cases.filter(**{f"{key}_id": int(raw)})
    partial = request.htmx and not request.htmx.history_restore_request
    template = "cases/_case_list.html" if partial else "cases/case_list.html"
    raw_page = request.GET.get("page", "1")
    number = int(raw_page) if raw_page.isdigit() and int(raw_page) > 0 else 1
    # One row past the page says whether there is a next one, without counting them
    # all: the list makes the same queries on every page, however many cases there are.
    start = (number - 1) * PAGE_SIZE
    rows = list(cases[start : start + PAGE_SIZE + 1])
    return render(
        request,
        template,
        {
            "cases": rows[:PAGE_SIZE],
            "scope": scope,
            "page": {
                "number": number,
                "previous": number - 1 if number > 1 else None,
                "next": number + 1 if len(rows) > PAGE_SIZE else None,
                "query": "&".join(f"{key}={value}" for key, value in scope.items()),
            },
        },
    )


@login_required
@permission_required("cases.add_case", raise_exception=True)
def case_create(request: AuthedRequest, opportunity_id: int) -> HttpResponse:
    opportunity = get_object_or_404(
        Opportunity.objects.visible_to(request.user).select_related("account__segment"),
        pk=opportunity_id,
    )
    eligibility = services.eligibility(opportunity)
    form = CaseForm(
        request.POST or None, account=opportunity.account, cse_help=eligibility.eligible
    )
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            case, created = once(
                request,
                lambda: services.open_case(request.user, form.service_data(opportunity)).case,
            )
        except ValidationError as exc:
            duplicate = duplicate_warning(exc)
            _attach(form, exc)
        else:
            if created:
                messages.success(request, f"Case #{case.pk} opened.")
            return redirect("cases:detail", case_id=case.pk)
    return render(
        request,
        "cases/case_form.html",
        {
            "form": form,
            "opportunity": opportunity,
            "eligibility": eligibility,
            "duplicate": duplicate,
        },
    )


def _attach(form, exc: ValidationError) -> None:
    """Put each service error next to its field; the rest above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in without_duplicate_warning(exc).items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
@permission_required("cases.view_case", raise_exception=True)
def case_detail(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = get_object_or_404(
        _visible_cases(request).select_related(
            "account", "opportunity", "offering", "contact", "opened_by", "cta__owner"
        ),
        pk=case_id,
    )
    return render(request, "cases/case_detail.html", {"case": case})


# --- The account page's "Cases and CTAs" tab (customers' account 360) ------------------


def account_tab(request: AuthedRequest, account: Account) -> HttpResponse:
    """The account's CS Help cases with their CTAs, and the CTAs raised otherwise
    (with an engagement request, or by a campaign), newest first."""
    cases = _visible_cases(request).filter(account=account)
    cases = cases.select_related("offering", "opportunity", "cta__owner", "opened_by")
    others = (
        Cta.objects.visible_to(request.user)
        .filter(account=account, case__isnull=True)
        .select_related("owner")
        .order_by("-raised_at", "-id")
    )
    return render(
        request,
        "cases/account_tab.html",
        {
            "account": account,
            "cases": cases[:LIST_LIMIT],
            "ctas": others[:LIST_LIMIT],
            "limit": LIST_LIMIT,
        },
    )


def account_figures(user, account: Account) -> list[AccountFigure]:
    """Open cases, open CTAs and those nobody has taken yet: two queries."""
    cases = Case.objects.visible_to(user).filter(account=account)
    open_cases = cases.exclude(status=CaseStatus.CLOSED).count()
    ctas = (
        Cta.objects.visible_to(user)
        .filter(account=account)
        .aggregate(
            open=Count("pk", filter=~Q(status=CtaStatus.CLOSED)),
            unassigned=Count("pk", filter=Q(status=CtaStatus.OPEN, owner__isnull=True)),
        )
    )
    return [
        AccountFigure("Open CS Help cases", open_cases, TAB),
        AccountFigure("Open CTAs", ctas["open"], TAB),
        AccountFigure("CTAs nobody has taken", ctas["unassigned"], TAB, colour="warning"),
    ]
