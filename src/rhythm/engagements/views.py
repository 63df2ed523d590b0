import dataclasses
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.vary import vary_on_headers

from rhythm.core.forms import duplicate_warning, once, without_duplicate_warning
from rhythm.core.http import AuthedRequest, post_only, sign_in_first
from rhythm.core.paging import page_of
from rhythm.core.registry import AccountFigure
from rhythm.core.workflow import TransitionConflict
from rhythm.customers.models import Account
from rhythm.engagements import board, board_moves, capacity, rules, services
from rhythm.engagements.choices import RejectionReason, RequestState
from rhythm.engagements.forms import RequestForm, StakeholderFormSet, TransitionForm
from rhythm.engagements.models import EngagementRequest

VIEW = "engagements.view_engagementrequest"
TAB = "requests"  # its tab on the account page


def _requests(request: AuthedRequest):
    return EngagementRequest.objects.visible_to(request.user).select_related(
        "account", "assigned_cse", "requested_by"
    )


@sign_in_first
@permission_required(VIEW, raise_exception=True)
@vary_on_headers("HX-Request")
def request_list(request: AuthedRequest) -> HttpResponse:
    """Every request one may see, or an account's (the account page loads it by HTMX)."""
    requests = _requests(request)
    raw_account = request.GET.get("account", "")
    if raw_account:
        visible = Account.objects.visible_to(request.user)
        if not raw_account.isdigit() or not visible.filter(pk=raw_account).exists():
            raise Http404(f"No account {raw_account}.")
        requests = requests.filter(account_id=int(raw_account))
    state = request.GET.get("state", "")
    if state in RequestState.values:
        requests = requests.filter(state=state)
    else:
        state = ""
    late = bool(request.GET.get("late"))
    if late:
        requests = requests.late()
    if request.GET.get("mine"):
        requests = requests.filter(assigned_cse=request.user) | requests.filter(
            requested_by=request.user
        )
    page = page_of(requests, 50, request.GET.get("page"))
    partial = request.htmx and not request.htmx.history_restore_request
    template = "engagements/_request_table.html" if partial else "engagements/request_list.html"
    return render(
        request,
        template,
        {
            "page": page,
            "state": state,
            "states": RequestState.choices,
            "scoped": raw_account,
            "late": late,
        },
    )


def account_tab(request: AuthedRequest, account: Account) -> HttpResponse:
    """The account page's "Engagement requests" tab: its requests, by state, paged."""
    requests = _requests(request).filter(account=account)
    state = request.GET.get("state", "")
    if state in RequestState.values:
        requests = requests.filter(state=state)
    else:
        state = ""
    page = page_of(requests, 25, request.GET.get("page"))
    return render(
        request,
        "engagements/account_tab.html",
        {
            "account": account,
            "page": page,
            "state": state,
            "states": RequestState.choices,
            "scoped": account.pk,
            "tab_paging": True,
            "tab_url": reverse("customers:account-tab", args=[account.pk, TAB]),
        },
    )


def account_figures(user, account: Account) -> list[AccountFigure]:
    """The requests waiting for a reviewer, for the CSM's answer, and those running:
    one query."""
    counts = (
        EngagementRequest.objects.visible_to(user)
        .active()
        .filter(account=account)
        .aggregate(
            review=Count("pk", filter=Q(state=RequestState.REVIEW)),
            clarification=Count("pk", filter=Q(state=RequestState.CLARIFICATION)),
            started=Count("pk", filter=Q(state=RequestState.STARTED)),
        )
    )
    return [
        AccountFigure("Requests in review", counts["review"], TAB, colour="primary"),
        AccountFigure(
            "Requests waiting for an answer", counts["clarification"], TAB, colour="warning"
        ),
        AccountFigure("Engagements running", counts["started"], TAB),
    ]


@login_required
@permission_required("engagements.add_engagementrequest", raise_exception=True)
def request_create(request: AuthedRequest, account_id: int) -> HttpResponse:
    account = get_object_or_404(Account.objects.visible_to(request.user).active(), pk=account_id)
    # Bound on every POST, an empty one too: its errors are what the CSM needs.
    posted = request.POST if request.method == "POST" else None
    # Back from the success plans tab with the objective just added (?objective=).
    chosen = request.GET.get("objective", "")
    initial = {"objective": chosen} if chosen.isdigit() else {}
    initial.update(_prefilled(request.GET))
    form = RequestForm(posted, account=account, initial=initial)
    people = StakeholderFormSet(
        posted, prefix="stakeholders", initial=_prefilled_stakeholders(request.GET, account)
    )
    stakeholder_errors: list[str] = []
    duplicate = None
    if request.method == "POST":
        # The form checks the types, the service the rules; both run, so that a
        # CSM sees everything that is missing in one go.
        form_valid, people_valid = form.is_valid(), people.is_valid()
        filled = [
            (index, person.cleaned_data)
            for index, person in enumerate(people.forms)
            if any(getattr(person, "cleaned_data", {}).values())
        ]
        # The service counts the rows that were filled in; the page counts them all.
        rows = [index for index, _ in filled]
        stakeholders = [data for _, data in filled]
        try:
            if form_valid and people_valid:
                filed, created = once(
                    request,
                    lambda: services.file_request(
                        request.user, form.service_data(account), stakeholders
                    ),
                )
                if created:
                    messages.success(request, "Request filed: a CSE manager reviews it next.")
                return redirect("engagements:detail", request_id=filed.pk)
            services.validate_request(request.user, form.service_data(account), stakeholders)
        except ValidationError as exc:
            duplicate = duplicate_warning(exc)
            stakeholder_errors = _attach(form, people, rows, exc)
    return render(
        request,
        "engagements/request_form.html",
        {
            "form": form,
            "people": people,
            "account": account,
            "stakeholder_errors": stakeholder_errors,
            "duplicate": duplicate,
            "has_objectives": form.fields["objective"].queryset.exists(),  # type: ignore[attr-defined]
        },
    )


def _prefilled(query) -> dict[str, Any]:
    """What "open a new request" links carry from an engagement a topic rule refused
    more work on (followups.services.new_request_url): its offering and the topic."""
    initial: dict[str, Any] = {}
    if query.get("offering", "").isdigit():
        initial["offering"] = query["offering"]
    topic = " ".join(query.get("topic", "").split())
    if topic:
        initial["title"] = topic[:200]
        initial["outcome"] = topic
    return initial


def _prefilled_stakeholders(query, account: Account) -> list[dict[str, str]]:
    """The link's contact (one of the account's) as the first stakeholder."""
    contact_id = query.get("contact", "")
    contact = account.contacts.filter(pk=contact_id).first() if contact_id.isdigit() else None
    if contact is None:
        return []
    return [{"name": contact.name, "role_title": contact.title, "email": contact.email}]


def _attach(form, people, rows: list[int], exc: ValidationError) -> list[str]:
    """Each service error beside its field; returns those about the stakeholders as a whole."""
    about_people: list[str] = []
    for field, errors in without_duplicate_warning(exc).items():
        if field.startswith("stakeholders."):
            _, index, name = field.split(".")
            row = people.forms[rows[int(index)]]
            if name not in row.errors:
                row.add_error(name, errors)
        elif field == "stakeholders":
            about_people += [message for error in errors for message in error.messages]
        elif field in form.fields:
            # The form's own complaint about a field (not a date, say) says it best.
            if field not in form.errors:
                form.add_error(field, errors)
        else:
            form.add_error(None, errors)
    return about_people


def _spent(duration: timedelta) -> str:
    """A time in a state as a person says it: "3 d 4 h", "25 min"."""
    minutes = int(duration.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min" if minutes else "under a minute"


@login_required
@permission_required(VIEW, raise_exception=True)
def request_detail(
    request: AuthedRequest,
    request_id: int,
    failed: str = "",
    errors: dict[str, list[str]] | None = None,
) -> HttpResponse:
    """A request, its history, and the next steps the person may take: one form per
    move, with a refused move's errors beside its fields and what was typed kept."""
    engagement = get_object_or_404(
        _requests(request)
        .select_related("objective", "offering", "cta")
        .prefetch_related(
            "stakeholders",
            "transitions__actor",
            "transitions__assigned_cse",
            "deliverable_outcomes",
        ),
        pk=request_id,
    )
    moves = _next_steps(request, engagement, failed, errors or {})
    suggestions = []
    if any(m["to"] == RequestState.STARTED for m in moves):
        suggestions = capacity.suggest_cses(engagement)
    context = {
        "engagement": engagement,
        "cta": getattr(engagement, "cta", None),
        "moves": moves,
        "suggestions": suggestions,
        "engagement_weeks": capacity.engagement_weeks(engagement),
        # The question being answered, shown above the answer box.
        "open_question": next(
            (
                t
                for t in sorted(engagement.transitions.all(), key=lambda t: (t.at, t.pk))[::-1]
                if t.to_state == RequestState.CLARIFICATION
            ),
            None,
        )
        if engagement.state == RequestState.CLARIFICATION
        else None,
        "reasons": RejectionReason.choices,
        "time_in_states": sorted(
            (
                (RequestState(state), _spent(spent))
                for state, spent in services.time_in_states(engagement).items()
            ),
            key=lambda item: list(RequestState).index(item[0]),
        ),
    }
    return render(request, "engagements/request_detail.html", context)


def _next_steps(
    request: AuthedRequest, engagement: EngagementRequest, failed: str, errors: dict
) -> list[dict[str, Any]]:
    """The moves this person may make now, each with its form's errors and input."""
    parties = services.parties(request.user, engagement)
    moves: list[dict[str, Any]] = [
        {
            "to": to,
            "move": move,
            "errors": errors if to == failed else {},
            "data": request.POST if to == failed else {},
        }
        # Only the moves this person may make: the same list a refused drag on the
        # board offers (Workflow.moves_for).
        for to, move in rules.WORKFLOW.moves_for(engagement.state, parties)
    ]
    if errors and not any(m["errors"] for m in moves):
        # A refusal with no form to show it beside (a move not offered to this person).
        messages.error(request, " ".join(e for field in errors.values() for e in field))
    for m in moves:
        if m["to"] == RequestState.COMPLETE:
            m["deliverables"], m["errors"] = _deliverable_rows(engagement, m["data"], m["errors"])
            m["asks_doc"] = True
    return moves


@login_required
@permission_required(VIEW, raise_exception=True)
@post_only(lambda request_id: reverse("engagements:detail", args=[request_id]))
def request_transition(request: AuthedRequest, request_id: int) -> HttpResponse:
    engagement = get_object_or_404(_requests(request), pk=request_id)
    form = TransitionForm(request.POST)
    target = request.POST.get("to", "")
    if not form.is_valid():
        return request_detail(request, request_id, failed=target, errors=_texts(form.errors))
    data = form.cleaned_data
    try:
        move = _input(data)
        if move.to == RequestState.COMPLETE:
            answers = _answers(request.POST, len(engagement.deliverables))
            move = dataclasses.replace(
                move,
                deliverables=answers,
                doc_url=request.POST.get("doc_url", ""),
                doc_none_reason=request.POST.get("doc_none_reason", ""),
            )
        services.transition(engagement, request.user, move)
    except TransitionConflict as exc:
        messages.warning(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        return request_detail(request, request_id, failed=target, errors=exc.message_dict)
    else:
        messages.success(request, f"Moved to {RequestState(data['to']).label}.")
    return redirect("engagements:detail", request_id=engagement.pk)


def _deliverable_rows(
    engagement: EngagementRequest, data: Any, errors: dict
) -> tuple[list[dict[str, Any]], dict]:
    """The complete form's question per agreed deliverable, with what was answered
    and its errors beside it; the other errors are left for the form's top."""
    rows = [
        {
            "index": index,
            "text": text,
            "achieved": data.get(f"deliverable-{index}-achieved", "") if data else "",
            "on_time": data.get(f"deliverable-{index}-on_time", "") if data else "",
            "achieved_errors": errors.get(f"deliverables.{index}.achieved", []),
            "on_time_errors": errors.get(f"deliverables.{index}.on_time", []),
        }
        for index, text in enumerate(engagement.deliverables)
    ]
    rest = {k: v for k, v in errors.items() if not k.startswith("deliverables.")}
    return rows, rest


def _answers(post: Any, count: int) -> tuple[services.DeliverableAnswer, ...]:
    """The complete form's yes/no answers; anything else is no answer."""

    def yes_no(key: str) -> bool | None:
        return {"yes": True, "no": False}.get(post.get(key, ""))

    return tuple(
        services.DeliverableAnswer(
            achieved=yes_no(f"deliverable-{i}-achieved"), on_time=yes_no(f"deliverable-{i}-on_time")
        )
        for i in range(count)
    )


def _texts(errors: Any) -> dict[str, list[str]]:
    return {field: [str(e) for e in messages_] for field, messages_ in errors.items()}


def _input(data: dict) -> services.TransitionInput:
    return services.TransitionInput(
        to=data["to"],
        reason=data.get("reason") or "",
        reason_code=data.get("reason_code") or "",
        cse=data.get("cse"),
        confirm_over_capacity=bool(data.get("confirm_over_capacity")),
        override_reason=data.get("override_reason") or "",
        expected_state=data.get("expected_state") or "",
    )


@sign_in_first
@permission_required(VIEW, raise_exception=True)
@vary_on_headers("HX-Request")
def board_page(request: AuthedRequest) -> HttpResponse:
    """The board as its URL's filters say; the board's script reloads the cards (the
    partial, by HTMX) after a move, so that every count tells the truth."""
    filters = board.BoardFilters.from_query(request.GET)
    context = {"board": board.load(request.user, filters), "filters": filters}
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "engagements/_board_body.html", context)
    kinds = [
        (key, label, filters.as_query(kind=key), key == filters.kind)
        for key, label in board.KINDS.items()
    ]
    return render(
        request,
        "engagements/board.html",
        {**context, "kinds": kinds, **board.filter_choices()},
    )


@sign_in_first
@permission_required(VIEW, raise_exception=True)
def board_column(request: AuthedRequest, column: str) -> HttpResponse:
    """A cell's next cards (a column's, without swimlanes), 50 at a time, after the
    cursor its "Load more" button carries."""
    filters = board.BoardFilters.from_query(request.GET)
    if board.column_named(filters.kind, column) is None:
        raise Http404(f"No column {column} on the {board.KINDS[filters.kind]} board.")
    lane = request.GET.get("lane", "")
    after = board.Cursor.parse(request.GET.get("after", ""))
    page = board.cell_cards(request.user, filters, column, lane, after)
    return render(
        request,
        "engagements/_board_cards.html",
        {
            "cards": page.cards,
            "next_cursor": page.next_cursor,
            "column": column,
            "lane": lane,
            "query": filters.as_query(),
        },
    )


@post_only(lambda: reverse("engagements:board"))
def board_move(request: AuthedRequest) -> JsonResponse:
    """A drag and drop: the same services as the buttons, answered with the API's
    status codes (403 not your move, 409 not a move from there, 422 a move that
    needs what only its page asks); a refusal lists the moves the viewer may make,
    and the board's script puts the card back."""
    if not request.user.is_authenticated:
        return JsonResponse({"ok": False, "message": "Sign in again to move cards."}, status=401)
    if not request.user.has_perm(VIEW):
        return JsonResponse(
            {"ok": False, "message": "Your role does not use the board."}, status=403
        )
    result = board_moves.move(
        request.user,
        request.POST.get("card", ""),
        request.POST.get("column", ""),
        request.POST.get("from", ""),
    )
    return JsonResponse(result.as_json(), status=result.status)


@login_required
@permission_required(VIEW, raise_exception=True)
def capacity_page(request: AuthedRequest) -> HttpResponse:
    rows = capacity.capacity(weeks=8)
    weeks = board.week_starts(8)
    return render(request, "engagements/capacity.html", {"rows": rows, "weeks": weeks})
