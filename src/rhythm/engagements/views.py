from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from rhythm.core.http import AuthedRequest
from rhythm.customers.models import Account
from rhythm.engagements import board, rules, services
from rhythm.engagements.choices import RejectionReason, RequestState
from rhythm.engagements.forms import RequestForm, StakeholderFormSet, TransitionForm
from rhythm.engagements.models import EngagementRequest


def _requests(request: AuthedRequest):
    return EngagementRequest.objects.filter(
        account__in=Account.objects.visible_to(request.user)
    ).select_related("account", "assigned_cse", "requested_by")


@login_required
@permission_required("engagements.view_engagementrequest", raise_exception=True)
def request_list(request: AuthedRequest):
    requests = _requests(request)
    state = request.GET.get("state", "")
    if state in RequestState.values:
        requests = requests.filter(state=state)
    if request.GET.get("mine"):
        requests = requests.filter(assigned_cse=request.user) | requests.filter(
            requested_by=request.user
        )
    page = Paginator(requests, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "engagements/request_list.html",
        {"page": page, "state": state, "states": RequestState.choices},
    )


@login_required
@permission_required("engagements.add_engagementrequest", raise_exception=True)
def request_create(request: AuthedRequest, account_id: int):
    account = get_object_or_404(Account.objects.visible_to(request.user).active(), pk=account_id)
    form = RequestForm(request.POST or None, account=account)
    people = StakeholderFormSet(request.POST or None, prefix="stakeholders")
    if request.method == "POST" and form.is_valid() and people.is_valid():
        stakeholders = [p.cleaned_data for p in people.forms if any(p.cleaned_data.values())]
        try:
            filed = services.file_request(request.user, form.service_data(account), stakeholders)
        except ValidationError as exc:
            _attach(form, people, exc)
        else:
            messages.success(request, "Request filed: a CSE manager reviews it next.")
            return redirect("engagements:detail", request_id=filed.pk)
    return render(
        request,
        "engagements/request_form.html",
        {"form": form, "people": people, "account": account},
    )


def _attach(form, people, exc: ValidationError) -> None:
    for field, errors in exc.error_dict.items():
        if field.startswith("stakeholders."):
            _, index, name = field.split(".")
            people.forms[int(index)].add_error(name, errors)
        elif field in form.fields:
            form.add_error(field, errors)
        else:
            form.add_error(None, errors)


@login_required
@permission_required("engagements.view_engagementrequest", raise_exception=True)
def request_detail(request: AuthedRequest, request_id: int, errors=None, status=200):
    engagement = get_object_or_404(
        _requests(request).prefetch_related("stakeholders", "transitions__actor"),
        pk=request_id,
    )
    parties = services.parties(request.user, engagement)
    moves = [
        (to, move)
        for to, move in rules.moves_from(RequestState(engagement.state))
        if parties & move.parties
    ]
    suggestions = []
    if any(to == RequestState.STARTED for to, _ in moves):
        suggestions = services.suggest_cses(engagement)
    context = {
        "engagement": engagement,
        "moves": moves,
        "suggestions": suggestions,
        "reasons": RejectionReason.choices,
        "time_in_states": sorted(
            services.time_in_states(engagement).items(), key=lambda item: item[0].label
        ),
        "errors": errors or {},
    }
    return render(request, "engagements/request_detail.html", context, status=status)


@login_required
@require_POST
def request_transition(request: AuthedRequest, request_id: int):
    engagement = get_object_or_404(_requests(request), pk=request_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return request_detail(request, request_id, errors=form.errors, status=422)
    data = form.cleaned_data
    try:
        services.transition(engagement, request.user, _input(data))
    except services.TransitionConflict as exc:
        messages.warning(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        return request_detail(request, request_id, errors=exc.message_dict, status=422)
    else:
        messages.success(request, f"Moved to {RequestState(data['to']).label}.")
    return redirect("engagements:detail", request_id=engagement.pk)


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


@login_required
@permission_required("engagements.view_engagementrequest", raise_exception=True)
def board_page(request: AuthedRequest):
    filters = board.BoardFilters.from_query(request.GET)
    return render(
        request,
        "engagements/board.html",
        {"columns": board.COLUMNS, "filters": filters, **board.filter_choices()},
    )


@login_required
@permission_required("engagements.view_engagementrequest", raise_exception=True)
def board_column(request: AuthedRequest, column: str):
    """One column's cards, 50 at a time: the board stays quick at thousands of cards."""
    filters = board.BoardFilters.from_query(request.GET)
    page_number = int(request.GET.get("page", "1") or 1)
    cards, has_more, total = board.column_cards(request.user, column, filters, page_number)
    return render(
        request,
        "engagements/_board_cards.html",
        {
            "cards": cards,
            "column": column,
            "has_more": has_more,
            "next_page": page_number + 1,
            "total": total,
            "query": filters.as_query(),
            "first_page": page_number == 1,
        },
    )


@login_required
@require_POST
def board_move(request: AuthedRequest):
    """A drag and drop: the same services as the buttons; a refusal snaps the card back."""
    result = board.move(request.user, request.POST.get("card", ""), request.POST.get("column", ""))
    return JsonResponse(
        {"ok": result.ok, "message": result.message}, status=200 if result.ok else 409
    )


@login_required
@permission_required("engagements.view_engagementrequest", raise_exception=True)
def capacity_page(request: AuthedRequest):
    rows = services.capacity(weeks=8)
    weeks = board.week_starts(8)
    return render(request, "engagements/capacity.html", {"rows": rows, "weeks": weeks})
