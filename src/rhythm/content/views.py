"""Content pages: the library, an item with its guidelines and bugs, the bug report
form, a bug, and the owner's queue. Thin: parse, call a service, render."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse

from rhythm.content import rules, services
from rhythm.content.choices import BugStatus, ContentKind, ContentStatus
from rhythm.content.forms import BugForm, ItemForm, MoveForm
from rhythm.content.models import Bug, ContentItem
from rhythm.core import forms as core_forms
from rhythm.core.http import AuthedRequest, post_only

PAGE_SIZE = 50
VIEW_ITEM = "content.view_contentitem"


def _refused(form, exc: ValidationError) -> None:
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _labelled(transitions, states) -> list:
    """The log rows with their states' labels, as the page shows them."""
    labels = dict(states.choices)
    rows = list(transitions)
    for row in rows:
        row.from_label = labels.get(row.from_state, "—")
        row.to_label = labels.get(row.to_state, row.to_state)
    return rows


def library_rows(filters: dict[str, str]):
    """The library's items with their open-bug and guideline counts: one query."""
    items = ContentItem.objects.select_related("owner").annotate(
        open_bugs=Count("bugs", filter=Q(bugs__status__in=rules.OPEN_BUG_STATUSES), distinct=True),
        severe_bugs=Count(
            "bugs",
            filter=Q(bugs__status__in=rules.OPEN_BUG_STATUSES, bugs__severity__in=rules.SEVERE),
            distinct=True,
        ),
        checks_total=Count("checks", distinct=True),
        checks_done=Count("checks", filter=Q(checks__done_at__isnull=False), distinct=True),
    )
    if filters.get("kind") in ContentKind.values:
        items = items.filter(kind=filters["kind"])
    if filters.get("status") in ContentStatus.values:
        items = items.filter(status=filters["status"])
    else:
        items = items.exclude(status=ContentStatus.RETIRED)
    return items.order_by("title", "pk")


@login_required
@permission_required(VIEW_ITEM, raise_exception=True)
def library(request: AuthedRequest):
    filters = {"kind": request.GET.get("kind", ""), "status": request.GET.get("status", "")}
    page = Paginator(library_rows(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "content/library.html",
        {
            "page": page,
            "filters": filters,
            "kinds": ContentKind.choices,
            "statuses": ContentStatus.choices,
            "may_add": request.user.has_perm(services.ADD_ITEM),
            "query": "&".join(f"{k}={v}" for k, v in filters.items() if v),
        },
    )


def _item_page(request: AuthedRequest, item: ContentItem, *, status: int = 200, move_form=None):
    checks = list(item.checks.select_related("done_by"))
    texts = {g.code: g.text for g in rules.GUIDELINES}
    bugs = list(
        item.bugs.select_related("reported_by").order_by(
            "closed_at", services.severity_order(), "-created_at"
        )[:PAGE_SIZE]
    )
    transitions = _labelled(
        item.transitions.select_related("actor").order_by("-at", "-pk")[:20], ContentStatus
    )
    return render(
        request,
        "content/item_detail.html",
        {
            "item": item,
            "checks": [(c, texts.get(c.code, c.code)) for c in checks],
            "checks_done": sum(c.done for c in checks),
            "bugs": bugs,
            "open_bugs": sum(b.is_open for b in bugs),
            "transitions": transitions,
            "moves": services.item_moves(item, request.user),
            "may_edit": services.may_edit(item, request.user),
            "may_report": request.user.has_perm(services.REPORT_BUG)
            and item.status != ContentStatus.RETIRED,
            "move_form": move_form,
        },
        status=status,
    )


def _item(item_id: int) -> ContentItem:
    return get_object_or_404(ContentItem.objects.select_related("owner"), pk=item_id)


@login_required
@permission_required(VIEW_ITEM, raise_exception=True)
def item_detail(request: AuthedRequest, content_item_id: int):
    return _item_page(request, _item(content_item_id))


@login_required
@permission_required(services.ADD_ITEM, raise_exception=True)
def item_new(request: AuthedRequest):
    form = ItemForm(request.POST or None, initial={"owner": request.user.pk})
    if request.method == "POST":
        try:
            item, _ = core_forms.once(
                request, lambda: services.add_item(request.user, form.values())
            )
        except ValidationError as exc:
            form.is_valid()
            _refused(form, exc)
            return render(request, "content/item_form.html", {"form": form}, status=422)
        messages.success(request, "Content added in draft, with the webinar guidelines to check.")
        return redirect(item)
    return render(request, "content/item_form.html", {"form": form})


@login_required
@permission_required(VIEW_ITEM, raise_exception=True)
def item_edit(request: AuthedRequest, content_item_id: int):
    item = _item(content_item_id)
    if not services.may_edit(item, request.user):
        raise PermissionDenied("Only the owner or a content maintainer edits this content.")
    initial = {"title": item.title, "link": item.link, "owner": item.owner_id}
    form = ItemForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST":
        try:
            services.update_item(item, request.user, form.values())
        except ValidationError as exc:
            form.is_valid()
            _refused(form, exc)
            return render(
                request, "content/item_form.html", {"form": form, "item": item}, status=422
            )
        messages.success(request, "Saved.")
        return redirect(item)
    return render(request, "content/item_form.html", {"form": form, "item": item})


@login_required
@permission_required(VIEW_ITEM, raise_exception=True)
@post_only(lambda content_item_id, code: reverse("content:item", args=[content_item_id]))
def guideline_tick(request: AuthedRequest, content_item_id: int, code: str):
    item = _item(content_item_id)
    try:
        services.set_guideline(item, code, done=request.POST.get("done") == "1", actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(reverse("content:item", args=[item.pk]) + "#guidelines")


@login_required
@permission_required(VIEW_ITEM, raise_exception=True)
@post_only(lambda content_item_id: reverse("content:item", args=[content_item_id]))
def item_move(request: AuthedRequest, content_item_id: int):
    item = _item(content_item_id)
    form = MoveForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        services.move_item(
            item,
            request.user,
            data.get("to", ""),
            reason=data.get("reason", ""),
            expected_state=data.get("expected_state", ""),
        )
    except ValidationError as exc:
        _refused(form, exc)
        return _item_page(request, _item(content_item_id), status=422, move_form=form)
    messages.success(request, f"Now {ContentItem.objects.get(pk=item.pk).status_enum.label}.")
    return redirect(item)


@login_required
@permission_required(services.REPORT_BUG, raise_exception=True)
def bug_new(request: AuthedRequest, content_item_id: int):
    item = _item(content_item_id)
    form = BugForm(request.POST or None)
    if request.method == "POST":
        try:
            bug, _ = core_forms.once(
                request, lambda: services.report_bug(request.user, item, form.values()).bug
            )
        except ValidationError as exc:
            form.is_valid()
            _refused(form, exc)
            return render(
                request, "content/bug_form.html", {"form": form, "item": item}, status=422
            )
        messages.success(
            request, f"Reported: it is in {item.owner.get_full_name() or item.owner}'s queue."
        )
        return redirect(bug)
    return render(request, "content/bug_form.html", {"form": form, "item": item})


def _bug(bug_id: int) -> Bug:
    return get_object_or_404(
        Bug.objects.select_related("item", "item__owner", "owner", "reported_by"), pk=bug_id
    )


def _bug_page(request: AuthedRequest, bug: Bug, *, form=None, status: int = 200):
    return render(
        request,
        "content/bug_detail.html",
        {
            "bug": bug,
            "moves": services.bug_moves(bug, request.user),
            "transitions": _labelled(
                bug.transitions.select_related("actor").order_by("at", "pk"), BugStatus
            ),
            "form": form,
            "severity_means": rules.SEVERITY_MEANS[bug.severity_enum],
        },
        status=status,
    )


@login_required
@permission_required("content.view_bug", raise_exception=True)
def bug_detail(request: AuthedRequest, bug_id: int):
    return _bug_page(request, _bug(bug_id))


@login_required
@permission_required("content.view_bug", raise_exception=True)
@post_only(lambda bug_id: reverse("content:bug", args=[bug_id]))
def bug_move(request: AuthedRequest, bug_id: int):
    bug = _bug(bug_id)
    form = MoveForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        bug = services.move_bug(
            bug,
            request.user,
            data.get("to", ""),
            reason=data.get("reason", ""),
            expected_state=data.get("expected_state", ""),
        )
    except ValidationError as exc:
        _refused(form, exc)
        return _bug_page(request, _bug(bug_id), form=form, status=422)
    messages.success(request, f"Bug {bug.status_enum.label.lower()}.")
    return redirect(bug)


@login_required
@permission_required("content.view_bug", raise_exception=True)
def queue(request: AuthedRequest):
    """The open bugs in a content owner's queue, the worst first: one's own, or (for a
    maintainer) another owner's, named by ?owner=."""
    owner = request.user
    asked = request.GET.get("owner", "")
    if asked.isdigit() and int(asked) != request.user.pk:
        if not request.user.has_perm(services.MAINTAIN_BUGS):
            raise PermissionDenied("Only a content maintainer reads another owner's queue.")
        owner = get_object_or_404(get_user_model(), pk=int(asked))
    bugs = Paginator(services.owner_queue(owner), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "content/queue.html",
        {"owner": owner, "page": bugs, "own": owner.pk == request.user.pk},
    )


def bugs_panel(
    request: Any, items: Iterable[ContentItem | int], *, title: str = "Content bugs"
) -> str:
    """The open bugs of the content an event uses, the worst first, linked to each bug
    and to the item's report form: for the webinars app's event page (one query)."""
    if not request.user.has_perm("content.view_bug"):
        return ""
    items = list(items)
    found = services.open_bugs_for(items)
    rows = [bug for bugs in found.values() for bug in bugs]
    rows.sort(key=lambda b: (rules.SEVERITY_RANK[b.severity], b.created_at))
    return render_to_string(
        "content/_bugs_panel.html",
        {
            "bugs": rows,
            "items": [i for i in items if isinstance(i, ContentItem)],
            "severe": sum(rules.is_severe(b.severity) for b in rows),
            "title": title,
            "BugStatus": BugStatus,
        },
        request=request,
    )
