"""The account timeline: the account page's tab, its pages, and notes.

A page is 50 entries, newest first, read by keyset (`?before=<entry id>`, so that a
page costs the same however long the timeline is), plus the rest of its last
object's run of events, so that a group is not cut by the page break; an object's
consecutive events show as one group (rules.group_consecutive).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from rhythm.core import registry
from rhythm.core.forms import once
from rhythm.core.http import AuthedRequest, post_only, sign_in_first
from rhythm.customers.models import Account
from rhythm.timeline import rules, services
from rhythm.timeline.models import TimelineEntry

PAGE_SIZE = 50
# Entries read past a page to finish its last group: a longer run goes on on the
# next page.
LOOKAHEAD = 50
TAB = "timeline"  # its tab on the account page


@dataclass
class Group:
    """An object's consecutive entries: the newest first, then the earlier ones."""

    entries: list[TimelineEntry]

    @property
    def head(self) -> TimelineEntry:
        return self.entries[0]

    @property
    def earlier(self) -> list[TimelineEntry]:
        return self.entries[1:]


@dataclass
class TimelinePage:
    groups: list[Group]
    cursor: int | None  # the last entry shown, when older ones follow
    first: bool  # the newest page

    @property
    def count(self) -> int:
        return sum(len(g.entries) for g in self.groups)


def _entries(account: Account, kind: str) -> QuerySet[TimelineEntry]:
    entries = TimelineEntry.objects.filter(account=account, archived_at__isnull=True)
    return entries.filter(kind=kind) if kind else entries


def _kind(request: AuthedRequest) -> str:
    kind = request.GET.get("kind", "")
    return kind if kind in registry.timeline_kinds() else ""


def read_page(entries: QuerySet[TimelineEntry], before: str = "") -> TimelinePage:
    """The page of `entries` older than the entry `before` (the newest page without
    one, or with an id that is not an entry of these)."""
    older_than = None
    if before.isdigit():
        older_than = entries.filter(pk=before).values_list("occurred_at", "pk").first()
    if older_than is not None:
        at, pk = older_than
        entries = entries.filter(Q(occurred_at__lt=at) | Q(occurred_at=at, pk__lt=pk))
    # One more than can be shown, to know whether older entries follow.
    rows = list(entries.select_related("actor")[: PAGE_SIZE + LOOKAHEAD + 1])
    end = rules.page_end([row.link for row in rows[: PAGE_SIZE + LOOKAHEAD]], PAGE_SIZE)
    shown = rows[:end]
    groups = [Group(run) for run in rules.group_consecutive(shown, lambda e: e.link)]
    cursor = shown[-1].pk if shown and len(rows) > end else None
    return TimelinePage(groups, cursor, first=older_than is None)


def _context(request: AuthedRequest, account: Account, **extra: Any) -> dict[str, Any]:
    kind = _kind(request)
    return {
        "account": account,
        "timeline": read_page(_entries(account, kind), request.GET.get("before", "")),
        "kind": kind,
        "kinds": registry.timeline_kind_choices(),
        "tab_url": reverse("customers:account-tab", args=[account.pk, TAB]),
        **extra,
    }


def account_tab(request: AuthedRequest, account: Account) -> HttpResponse:
    """The account page's "Timeline" tab: the note form, the filters, the first page."""
    return render(request, "timeline/_timeline.html", _context(request, account))


@sign_in_first
@permission_required("timeline.view_timelineentry", raise_exception=True)
def account_timeline(request: AuthedRequest, account_id: int) -> HttpResponse:
    """The timeline panel, or with `before` the next page alone, for HTMX to append
    in place of its "Older entries" button."""
    account = get_object_or_404(Account.objects.visible_to(request.user), pk=account_id)
    template = "timeline/_entries.html" if request.GET.get("before") else "timeline/_timeline.html"
    return render(request, template, _context(request, account))


@sign_in_first
@permission_required("timeline.add_timelineentry", raise_exception=True)
@post_only(lambda account_id: reverse("customers:account-tab", args=[account_id, TAB]))
def add_note(request: AuthedRequest, account_id: int) -> HttpResponse:
    """Add a note; HTMX gets the refreshed timeline, a plain form post the timeline tab."""
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
        return redirect("customers:account-tab", account_id=account.pk, tab=TAB)
    context = _context(
        request,
        account,
        note_error=error,
        note_text=request.POST.get("text", "") if error else "",
    )
    return render(request, "timeline/_timeline.html", context)
