from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from rhythm.core import registry
from rhythm.core.forms import once
from rhythm.core.http import AuthedRequest, post_only, sign_in_first
from rhythm.customers.models import Account
from rhythm.timeline import services
from rhythm.timeline.models import TimelineEntry

PAGE_SIZE = 50


@sign_in_first
@permission_required("timeline.view_timelineentry", raise_exception=True)
def account_timeline(request: AuthedRequest, account_id: int) -> HttpResponse:
    """One page of an account's timeline, for HTMX to append ("load more")."""
    account = get_object_or_404(Account.objects.visible_to(request.user), pk=account_id)
    kind = request.GET.get("kind", "")
    entries = TimelineEntry.objects.filter(account=account, archived_at__isnull=True)
    if kind in registry.timeline_kinds():
        entries = entries.filter(kind=kind)
    else:
        kind = ""
    page = Paginator(entries.select_related("actor"), PAGE_SIZE).get_page(request.GET.get("page"))
    template = "timeline/_entries.html" if request.GET.get("page") else "timeline/_timeline.html"
    return render(
        request,
        template,
        {"account": account, "page": page, "kind": kind, "kinds": registry.timeline_kind_choices()},
    )


@sign_in_first
@permission_required("timeline.add_timelineentry", raise_exception=True)
@post_only(lambda account_id: reverse("customers:account-detail", args=[account_id]))
def add_note(request: AuthedRequest, account_id: int) -> HttpResponse:
    """Add a note; HTMX gets the refreshed timeline, a plain form post the account page."""
    account = get_object_or_404(Account.objects.visible_to(request.user), pk=account_id)
    error, created = "", False
    try:
        _, created = once(
            request,
            lambda: services.add_note(
                account=account, author=request.user, text=request.POST.get("text", "")
            ),
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if not request.htmx:
        if error:
            messages.error(request, f"Note not added: {error}")
        elif created:
            messages.success(request, "Note added to the timeline.")
        return redirect("customers:account-detail", account_id=account.pk)
    entries = TimelineEntry.objects.filter(account=account, archived_at__isnull=True)
    page = Paginator(entries.select_related("actor"), PAGE_SIZE).get_page(1)
    return render(
        request,
        "timeline/_timeline.html",
        {
            "account": account,
            "page": page,
            "kind": "",
            "kinds": registry.timeline_kind_choices(),
            "note_error": error,
            "note_text": request.POST.get("text", "") if error else "",
        },
    )
