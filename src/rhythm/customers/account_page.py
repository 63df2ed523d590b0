"""The account page, as a 360: the account's essentials in a header, and tabs.

The tabs come from the apps (`account_tabs` in each apps.py, core.registry): the
cases app brings "Cases and CTAs", the timeline app the timeline, and so on, so
customers imports none of them. Each tab is an address of its own
(/accounts/<id>/<tab>/): a full load renders the page with that tab open; an HTMX
request (a click on the tab, or a control inside it, which targets
`#account-tab`) gets the tab's content alone, with the tab bar swapped out of band
so that the open tab is the one marked.

Customers' own tabs (overview, contacts, opportunities, success plans, history)
are the functions below; their forms are in views.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe
from django.views.decorators.vary import vary_on_headers

from rhythm.core import history, registry
from rhythm.core.http import AuthedRequest, sign_in_first
from rhythm.core.registry import AccountFigure, AccountTab
from rhythm.customers import rules
from rhythm.customers.choices import HealthStatus
from rhythm.customers.models import Account, Contact, Objective, Opportunity, SuccessPlan

OVERVIEW = "overview"
# The open opportunities the overview lists, soonest to close first; the tab has all.
OVERVIEW_OPPORTUNITIES = 8
# The id of the element a tab's content is swapped into.
PANEL = "account-tab"


def visible_account(request: AuthedRequest, account_id: int) -> Account:
    return get_object_or_404(
        Account.objects.visible_to(request.user).select_related("segment", "account_owner", "csm"),
        pk=account_id,
    )


def tab_url(account: Account, slug: str) -> str:
    if slug == OVERVIEW:
        return reverse("customers:account-detail", args=[account.pk])
    return reverse("customers:account-tab", args=[account.pk, slug])


def tab_links(account: Account, user) -> list[tuple[AccountTab, str]]:
    return [(tab, tab_url(account, tab.slug)) for tab in _tabs_for(user)]


def _tabs_for(user) -> list[AccountTab]:
    return [
        tab
        for tab in registry.account_tabs().values()
        if not tab.permission or user.has_perm(tab.permission)
    ]


@sign_in_first
@permission_required("customers.view_account", raise_exception=True)
# The same URL answers with the page or with the tab alone: caches must tell them apart.
@vary_on_headers("HX-Request")
def account_detail(request: AuthedRequest, account_id: int, tab: str = OVERVIEW) -> HttpResponse:
    chosen = registry.account_tabs().get(tab)
    if chosen is None:
        raise Http404(f"The account page has no tab {tab!r}.")
    account = visible_account(request, account_id)
    if chosen.permission and not request.user.has_perm(chosen.permission):
        raise PermissionDenied
    content = import_string(chosen.view)(request, account)
    if content.status_code != 200 or content.has_header("HX-Redirect"):
        return content
    context = {"account": account, "tabs": tab_links(account, request.user), "tab": chosen}
    if request.htmx and not request.htmx.history_restore_request:
        nav = render_to_string("customers/_account_tabs.html", {**context, "oob": True}, request)
        content.content = content.content + nav.encode()
        return content
    context |= {
        "essentials": essentials(account),
        "content": mark_safe(content.content.decode()),  # noqa: S308 - our own template's output
    }
    return render(request, "customers/account_detail.html", context)


# --- The header -------------------------------------------------------------------------


@dataclass(frozen=True)
class Essentials:
    renewal: rules.Renewal
    licence_use: int | None
    plans: rules.PlanHealth
    plan_count: int


def essentials(account: Account) -> Essentials:
    """What the header says of the account: one query for its plans' health (a plan
    without objectives counts as a plan, with none)."""
    rows = SuccessPlan.objects.active().filter(account=account)
    rows = rows.values_list(
        "id", "objectives__status", "objectives__progress", "objectives__archived_at"
    )
    plans, objectives = set(), []
    for plan, status, progress, archived_at in rows:
        plans.add(plan)
        if status is not None and archived_at is None:
            objectives.append((status, progress))
    return Essentials(
        renewal=rules.renewal(account.renewal_date, timezone.localdate()),
        licence_use=rules.licence_use(account.licenses_used, account.licenses_purchased),
        plans=rules.plan_health(objectives),
        plan_count=len(plans),
    )


# --- Customers' own tabs ----------------------------------------------------------------


def _plans(account: Account):
    """The account's active plans with their active objectives (by due date, undated
    last on every database) and each plan's health."""
    objectives = Objective.objects.active().order_by(F("due_date").asc(nulls_last=True), "id")
    plans = list(
        SuccessPlan.objects.active()
        .filter(account=account)
        .prefetch_related(Prefetch("objectives", objectives, to_attr="active_objectives"))
    )
    today = timezone.localdate()
    for plan in plans:
        plan.health = rules.plan_health((o.status, o.progress) for o in plan.active_objectives)
        for objective in plan.active_objectives:
            objective.late = bool(
                objective.due_date and objective.due_date < today and objective.progress < 100
            )
    return plans


def _figures(request: AuthedRequest, account: Account) -> list[AccountFigure]:
    figures: list[AccountFigure] = []
    for tab in _tabs_for(request.user):
        if tab.figures:
            figures += import_string(tab.figures)(request.user, account)
    return figures


def overview_tab(request: AuthedRequest, account: Account) -> HttpResponse:
    """What each role acts on first: the open work on the account, the plans' health,
    the objectives at risk, and the open opportunities (CS Help starts there)."""
    plans = _plans(account)
    at_risk = sorted(
        (
            (plan, objective)
            for plan in plans
            for objective in plan.active_objectives
            if objective.status != HealthStatus.GREEN or objective.late
        ),
        key=lambda pair: (
            pair[1].status != HealthStatus.RED,
            not pair[1].late,
            pair[1].due_date or date.max,
        ),
    )
    opportunities = (
        Opportunity.objects.active().filter(account=account, is_open=True).select_related("owner")
    )[:OVERVIEW_OPPORTUNITIES]
    context = {
        "account": account,
        "figures": [(f, tab_url(account, f.tab)) for f in _figures(request, account)],
        "plans": plans,
        "at_risk": at_risk[:5],
        "at_risk_more": max(len(at_risk) - 5, 0),
        "opportunities": opportunities,
    }
    return render(request, "customers/tabs/overview.html", context)


def contacts_tab(request: AuthedRequest, account: Account) -> HttpResponse:
    return render(
        request,
        "customers/tabs/contacts.html",
        {"account": account, "contacts": Contact.objects.active().filter(account=account)},
    )


def opportunities_tab(request: AuthedRequest, account: Account) -> HttpResponse:
    opportunities = Opportunity.objects.active().filter(account=account).select_related("owner")
    return render(
        request,
        "customers/tabs/opportunities.html",
        {"account": account, "opportunities": opportunities},
    )


def success_plans_tab(request: AuthedRequest, account: Account, **extra: Any) -> HttpResponse:
    """The plans and their objectives, with the forms that make and change them. With
    `next` (the request form sent the CSM here), saving an objective goes back there."""
    context = {
        "account": account,
        "plans": _plans(account),
        "next": safe_next(request),
        "today": timezone.localdate(),
        **extra,
    }
    return render(request, "customers/tabs/success_plans.html", context)


def history_tab(request: AuthedRequest, account: Account) -> HttpResponse:
    return render(
        request,
        "customers/tabs/history.html",
        {"account": account, "history": account_history(account)},
    )


def account_history(account: Account, limit: int = 30) -> list[history.HistoryEntry]:
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


def safe_next(request: AuthedRequest) -> str:
    """The `next` address given (GET or POST), if it is one of ours; else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed and target.startswith("/") else ""
