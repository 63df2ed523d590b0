"""Community events on the account page: the tab, the form to log one, the edit
page. Thin: parse, call a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from rhythm.community import services
from rhythm.community.forms import CommunityEventForm
from rhythm.community.models import CommunityEvent
from rhythm.core import forms as core_forms
from rhythm.core.http import AuthedRequest, post_only
from rhythm.core.registry import AccountFigure
from rhythm.customers.models import Account

TAB = "community"
PAGE_SIZE = 25


def _tab_url(account_id: int) -> str:
    return reverse("customers:account-tab", args=[account_id, TAB])


def _events(request: AuthedRequest):
    return CommunityEvent.objects.visible_to(request.user).active()


def account_tab(request: AuthedRequest, account) -> HttpResponse:
    """The account's community events, newest first, with their contributors."""
    rows = (
        _events(request)
        .filter(account=account)
        .prefetch_related("contributors")
        .order_by("-date", "-pk")
    )
    return render(
        request,
        "community/account_tab.html",
        {
            "account": account,
            "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "tab_url": _tab_url(account.pk),
            "may_log": request.user.has_perm(services.LOG),
            "today": timezone.localdate(),
        },
    )


def account_figures(user, account) -> list[AccountFigure]:
    """Community events this year and in all: one query."""
    year_start = timezone.localdate().replace(month=1, day=1)
    found = (
        CommunityEvent.objects.visible_to(user)
        .active()
        .filter(account=account)
        .aggregate(all=Count("pk"), this_year=Count("pk", filter=Q(date__gte=year_start)))
    )
    return [
        AccountFigure("Community events", found["all"], TAB, note=f"{found['this_year']} this year")
    ]


@login_required
@permission_required(services.LOG, raise_exception=True)
def log_new(request: AuthedRequest, account_id: int):
    account = get_object_or_404(Account.objects.visible_to(request.user), pk=account_id)
    form = CommunityEventForm(
        request.POST or None,
        initial={"contributors": [request.user.pk], "date": timezone.localdate()},
    )
    if request.method == "POST":
        try:
            core_forms.once(
                request, lambda: services.log_event(request.user, account, form.values())
            )
        except ValidationError as exc:
            for name, errors in exc.error_dict.items():
                form.add_error(name if name in form.fields else None, errors)
            return render(
                request, "community/event_form.html", {"form": form, "account": account}, status=422
            )
        messages.success(
            request, "Logged: it is on the account's timeline and counts for the KPIs."
        )
        return redirect(_tab_url(account.pk))
    return render(request, "community/event_form.html", {"form": form, "account": account})


def _event(request: AuthedRequest, community_event_id: int) -> CommunityEvent:
    return get_object_or_404(
        _events(request).select_related("account").prefetch_related(Prefetch("contributors")),
        pk=community_event_id,
    )


@login_required
@permission_required("community.view_communityevent", raise_exception=True)
def edit(request: AuthedRequest, community_event_id: int):
    community_event = _event(request, community_event_id)
    initial = {
        name: getattr(community_event, name)
        for name in ("name", "kind", "date", "contribution", "details", "outcome")
    }
    initial["contributors"] = [u.pk for u in community_event.contributors.all()]
    form = CommunityEventForm(request.POST or None, initial=initial)
    context = {
        "form": form,
        "account": community_event.account,
        "community_event": community_event,
        "may_change": request.user.has_perm(services.CHANGE),
    }
    if request.method == "POST":
        try:
            services.update_event(community_event, request.user, form.values())
        except ValidationError as exc:
            for name, errors in exc.error_dict.items():
                form.add_error(name if name in form.fields else None, errors)
            return render(request, "community/event_form.html", context, status=422)
        messages.success(request, "Saved.")
        return redirect(_tab_url(community_event.account_id))
    return render(request, "community/event_form.html", context)


@login_required
@permission_required(services.CHANGE, raise_exception=True)
@post_only(lambda community_event_id: reverse("community:edit", args=[community_event_id]))
def archive(request: AuthedRequest, community_event_id: int):
    community_event = _event(request, community_event_id)
    services.archive_event(community_event, request.user)
    messages.success(request, f"{community_event.name} archived.")
    return redirect(_tab_url(community_event.account_id))
