from __future__ import annotations

from itertools import chain
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from pydantic import ValidationError as PydanticValidationError

from rhythm.core.http import AuthedRequest
from rhythm.customers import services
from rhythm.customers.filters import AccountFilter
from rhythm.customers.forms import AccountForm, ContactForm
from rhythm.customers.models import Account, Contact, Objective, Opportunity, Segment, SuccessPlan

PAGE_SIZE = 25


@login_required
@permission_required("customers.view_account", raise_exception=True)
def account_list(request: AuthedRequest) -> HttpResponse:
    params: dict[str, Any] = {k: v for k, v in request.GET.items() if v != "" and k != "page"}
    try:
        filters = AccountFilter(**params)
        filter_errors: list[str] = []
    except PydanticValidationError as exc:
        filters = AccountFilter()
        filter_errors = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
    accounts = filters.filter(
        Account.objects.visible_to(request.user).select_related("segment", "account_owner", "csm")
    )
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
    }
    template = "customers/_account_table.html" if request.htmx else "customers/account_list.html"
    return render(request, template, context)


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
        "contact_form": ContactForm() if request.user.has_perm("customers.add_contact") else None,
    }
    return render(request, "customers/account_detail.html", context)


def _history(account: Account, limit: int = 30) -> list:
    """The account's own changes and those of its contacts, newest first."""
    own = account.history.select_related("history_user").order_by("-history_date")[:limit]
    contacts = (
        Contact.history.filter(account_id=account.pk)
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
    rows = sorted(chain(own, contacts), key=lambda row: row.history_date, reverse=True)
    return rows[:limit]


@login_required
@permission_required("customers.change_account", raise_exception=True)
def account_edit(request: AuthedRequest, account_id: int) -> HttpResponse:
    account = _account_for(request, account_id)
    form = AccountForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_account(form.cleaned_data, Account.objects.get(pk=account.pk))
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
