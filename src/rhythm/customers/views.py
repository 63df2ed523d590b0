from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.vary import vary_on_headers
from pydantic import ValidationError as PydanticValidationError

from rhythm.core import history
from rhythm.core.http import AuthedRequest, sign_in_first
from rhythm.customers import services
from rhythm.customers.filters import AccountFilter
from rhythm.customers.forms import AccountForm, ContactForm
from rhythm.customers.models import Account, Contact, Objective, Opportunity, Segment, SuccessPlan

PAGE_SIZE = 25

# The orders a person may pick on the account list: value -> (label, order_by).
SORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "name": ("Name", ("name", "id")),
    "-arr": ("ARR, highest first", ("-arr", "name", "id")),
    "arr": ("ARR, lowest first", ("arr", "name", "id")),
    "renewal": ("Renewal, soonest first", ("renewal_date", "name", "id")),
    "-updated": ("Recently changed", ("-updated_at", "id")),
}


@sign_in_first
@permission_required("customers.view_account", raise_exception=True)
# The same URL answers with a page or with the table alone: caches must tell them apart.
@vary_on_headers("HX-Request")
def account_list(request: AuthedRequest) -> HttpResponse:
    params: dict[str, Any] = {
        k: v for k, v in request.GET.items() if v != "" and k not in ("page", "sort")
    }
    filters, filter_errors = _account_filters(params)
    sort = request.GET.get("sort", "")
    if sort not in SORTS:
        sort = "name"
    accounts = filters.filter(
        Account.objects.visible_to(request.user).select_related("segment", "account_owner", "csm")
    ).order_by(*SORTS[sort][1])
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "filter_errors": filter_errors,
        "query": query.urlencode(),
        "segments": Segment.objects.active(),
        "regions": settings.RHYTHM_REGIONS,
        "sort": sort,
        "sorts": [(value, label) for value, (label, _) in SORTS.items()],
    }
    # Going back in history makes htmx ask for the whole page again.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "customers/_account_table.html" if partial else "customers/account_list.html"
    return render(request, template, context)


def _account_filters(params: dict[str, Any]) -> tuple[AccountFilter, list[str]]:
    """The filters as given, less those that do not parse (reported, not fatal)."""
    try:
        return AccountFilter(**params), []
    except PydanticValidationError as exc:
        errors = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
    try:
        return AccountFilter(**{k: v for k, v in params.items() if k not in bad}), errors
    except PydanticValidationError:
        return AccountFilter(), errors


def _account_for(request: AuthedRequest, account_id: int) -> Account:
    return get_object_or_404(
        Account.objects.visible_to(request.user).select_related("segment", "account_owner", "csm"),
        pk=account_id,
    )


@login_required
@permission_required("customers.view_account", raise_exception=True)
def account_detail(request: AuthedRequest, account_id: int) -> HttpResponse:
    account = _account_for(request, account_id)
    plans = (
        SuccessPlan.objects.active()
        .filter(account=account)
        .prefetch_related(
            Prefetch("objectives", Objective.objects.active(), to_attr="active_objectives")
        )
    )
    context = {
        "account": account,
        "contacts": Contact.objects.active().filter(account=account),
        "opportunities": Opportunity.objects.active()
        .filter(account=account)
        .select_related("owner"),
        "plans": plans,
        "history": _history(account),
        "can_add_contact": request.user.has_perm("customers.add_contact"),
    }
    return render(request, "customers/account_detail.html", context)


@login_required
@permission_required("customers.view_opportunity", raise_exception=True)
def opportunity_detail(request: AuthedRequest, opportunity_id: int) -> HttpResponse:
    """An opportunity, its CS Help button and its cases.

    The cases come from the cases app by URL (HTMX), so customers imports nothing of it.
    """
    opportunity = get_object_or_404(
        Opportunity.objects.visible_to(request.user).select_related("account__segment", "owner"),
        pk=opportunity_id,
    )
    return render(request, "customers/opportunity_detail.html", {"opportunity": opportunity})


def _history(account: Account, limit: int = 30) -> list[history.HistoryEntry]:
    """Changes to the account and to everything on its page, newest first."""
    return history.entries(
        Account.history.filter(id=account.pk),
        Contact.history.filter(account_id=account.pk),
        Opportunity.history.filter(account_id=account.pk),
        SuccessPlan.history.filter(account_id=account.pk),
        Objective.history.filter(
            success_plan_id__in=SuccessPlan.objects.filter(account=account).values("pk")
        ),
        limit=limit,
    )


@login_required
@permission_required("customers.change_account", raise_exception=True)
def account_edit(request: AuthedRequest, account_id: int) -> HttpResponse:
    account = _account_for(request, account_id)
    # A copy: validating the form writes the typed values onto its instance, and
    # the page's title should keep the saved name when the form is refused.
    form = AccountForm(request.POST or None, instance=copy.copy(account))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_account(form.cleaned_data, account)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{account} saved.")
            return redirect("customers:account-detail", account_id=account.pk)
    return render(request, "customers/account_form.html", {"account": account, "form": form})


@login_required
@permission_required("customers.add_contact", raise_exception=True)
def contact_create(request: AuthedRequest, account_id: int) -> HttpResponse:
    account = _account_for(request, account_id)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_contact(request.user, {**form.cleaned_data, "account": account})
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Contact {form.cleaned_data['name']} added.")
            return redirect("customers:account-detail", account_id=account.pk)
    return render(request, "customers/contact_form.html", {"account": account, "form": form})
