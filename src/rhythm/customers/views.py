from __future__ import annotations

import copy
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect
from pydantic import ValidationError as PydanticValidationError

from rhythm.core.forms import once
from rhythm.core.http import AuthedRequest, sign_in_first
from rhythm.core.paging import page_of
from rhythm.customers import account_page, services
from rhythm.customers.account_page import safe_next
from rhythm.customers.filters import AccountFilter
from rhythm.customers.forms import AccountForm, ContactForm, ObjectiveForm, SuccessPlanForm
from rhythm.customers.models import Account, Objective, Opportunity, Segment, SuccessPlan

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
    page = page_of(accounts, PAGE_SIZE, request.GET.get("page"))
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
            return redirect("customers:account-tab", account_id=account.pk, tab="contacts")
    return render(request, "customers/contact_form.html", {"account": account, "form": form})


# --- Success plans and objectives (the account page's success plans tab) ---------


def _attach(form, exc: ValidationError) -> None:
    """The service's errors beside the fields they name; the others above the form."""
    by_field = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
    for field, errors in by_field.items():
        form.add_error(field if field in form.fields else None, errors)


def _plans_tab(account: Account, next_url: str = "") -> str:
    url = reverse("customers:account-tab", args=[account.pk, "success-plans"])
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _saved(
    request: AuthedRequest, account: Account, said: str, objective: Objective | None = None
) -> HttpResponse:
    """After a save: back to the request form that sent the CSM here, with the new
    objective chosen; else the success plans tab, saying what was saved."""
    next_url = safe_next(request)
    if next_url and objective is not None:
        target = _with_query(next_url, objective=objective.pk)
        return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    messages.success(request, said)
    tab = _plans_tab(account, next_url)
    # The whole page again, by HTMX too: the header counts the plans' health anew.
    return HttpResponseClientRedirect(tab) if request.htmx else redirect(tab)


def _with_query(url: str, **params: Any) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query)) | {k: str(v) for k, v in params.items()}
    return urlunsplit(parts._replace(query=urlencode(query)))


def _form_page(
    request: AuthedRequest, account: Account, form, *, what: str, action: str, **extra: Any
) -> HttpResponse:
    """The form alone for HTMX (it opens inside the tab), else a page of its own."""
    context = {
        "account": account,
        "form": form,
        "what": what,
        "action": action,
        "next": safe_next(request),
        "cancel": _plans_tab(account, safe_next(request)),
        **extra,
    }
    template = "customers/_plan_form.html" if request.htmx else "customers/plan_form.html"
    return render(request, template, context)


@sign_in_first
@permission_required("customers.add_successplan", raise_exception=True)
def plan_create(request: AuthedRequest, account_id: int) -> HttpResponse:
    account = account_page.visible_account(request, account_id)
    form = SuccessPlanForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            plan, _ = once(
                request,
                lambda: services.save_success_plan(
                    request.user, {**form.cleaned_data, "account": account.pk}
                ),
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            return _saved(request, account, f"Success plan {plan} created: add its objectives.")
    action = reverse("customers:plan-create", args=[account.pk])
    return _form_page(request, account, form, what="New success plan", action=action, creates=True)


def _plan_for(request: AuthedRequest, plan_id: int) -> SuccessPlan:
    return get_object_or_404(
        SuccessPlan.objects.visible_to(request.user).active().select_related("account"),
        pk=plan_id,
    )


@sign_in_first
@permission_required("customers.change_successplan", raise_exception=True)
def plan_edit(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for(request, plan_id)
    initial = {"name": plan.name, "summary": plan.summary}
    form = SuccessPlanForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_success_plan(request.user, form.cleaned_data, plan)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            return _saved(request, plan.account, f"Success plan {form.cleaned_data['name']} saved.")
    action = reverse("customers:plan-edit", args=[plan.pk])
    return _form_page(request, plan.account, form, what=f"Edit {plan}", action=action, plan=plan)


@sign_in_first
@permission_required("customers.add_objective", raise_exception=True)
def objective_create(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for(request, plan_id)
    form = ObjectiveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            objective, _ = once(
                request, lambda: services.save_objective(form.cleaned_data, plan=plan)
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            said = f"Objective {objective} added to {plan}."
            return _saved(request, plan.account, said, objective)
    action = reverse("customers:objective-create", args=[plan.pk])
    return _form_page(
        request,
        plan.account,
        form,
        what=f"New objective of {plan}",
        action=action,
        plan=plan,
        creates=True,
    )


@sign_in_first
@permission_required("customers.change_objective", raise_exception=True)
def objective_edit(request: AuthedRequest, objective_id: int) -> HttpResponse:
    objective = get_object_or_404(
        Objective.objects.visible_to(request.user)
        .active()
        .filter(success_plan__archived_at__isnull=True)
        .select_related("success_plan__account"),
        pk=objective_id,
    )
    plan = objective.success_plan
    form = ObjectiveForm(request.POST if request.method == "POST" else None, objective=objective)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_objective(form.cleaned_data, objective)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            said = f"Objective {form.cleaned_data['title']} saved."
            return _saved(request, plan.account, said, objective)
    action = reverse("customers:objective-edit", args=[objective.pk])
    return _form_page(
        request, plan.account, form, what=f"Edit {objective}", action=action, plan=plan
    )
