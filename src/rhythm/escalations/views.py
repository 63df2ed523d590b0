from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.vary import vary_on_headers
from pydantic import ValidationError as PydanticValidationError

from rhythm.cases.choices import CaseKind
from rhythm.cases.models import Case
from rhythm.core.forms import once
from rhythm.core.http import AuthedRequest, post_only, sign_in_first
from rhythm.core.registry import AccountFigure
from rhythm.core.workflow import TransitionConflict
from rhythm.customers.models import Account, Segment
from rhythm.escalations import rules, services
from rhythm.escalations.choices import (
    EscalationKind,
    EscalationState,
    VerdictOutcome,
)
from rhythm.escalations.filters import EscalationFilter
from rhythm.escalations.forms import MoveForm, RaiseForm
from rhythm.escalations.models import Escalation

PAGE_SIZE = 50
TAB = "escalations"  # its tab on the account page
TAB_LIMIT = 100
_REASON_LABELS = {
    "approve": "Why you approve it",
    "decline": "Why you decline it",
    "resolve": "How it was resolved",
}


def _escalations(request: AuthedRequest):
    return Escalation.objects.visible_to(request.user)


def _filters(request: AuthedRequest) -> tuple[EscalationFilter, list[str]]:
    """The list's filters as given, less those that do not parse (reported, not fatal)."""
    params: dict[str, Any] = {k: v for k, v in request.GET.items() if v != "" and k != "page"}
    try:
        return EscalationFilter(**params), []
    except PydanticValidationError as exc:
        errors = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
    try:
        return EscalationFilter(**{k: v for k, v in params.items() if k not in bad}), errors
    except PydanticValidationError:
        return EscalationFilter(), errors


@sign_in_first
@permission_required("escalations.view_escalation", raise_exception=True)
@vary_on_headers("HX-Request")
def escalation_list(request: AuthedRequest) -> HttpResponse:
    """Escalations, newest first, filtered by state, kind, segment, region and verdict."""
    filters, errors = _filters(request)
    escalations = filters.filter(
        _escalations(request).select_related("account", "segment", "raised_by", "decided_by")
    )
    raw_page = request.GET.get("page", "1")
    number = int(raw_page) if raw_page.isdigit() and int(raw_page) > 0 else 1
    # One row past the page says whether there is a next one, without counting.
    start = (number - 1) * PAGE_SIZE
    rows = list(escalations[start : start + PAGE_SIZE + 1])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "escalations/escalation_list.html",
        {
            "escalations": rows[:PAGE_SIZE],
            "filters": filters,
            "filter_errors": errors,
            "states": EscalationState,
            "kinds": EscalationKind,
            "verdicts": VerdictOutcome,
            "segments": Segment.objects.active(),
            "regions": settings.RHYTHM_REGIONS,
            "page": {
                "number": number,
                "previous": number - 1 if number > 1 else None,
                "next": number + 1 if len(rows) > PAGE_SIZE else None,
                "query": query.urlencode(),
            },
        },
    )


def _attach(form, exc: ValidationError) -> None:
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@login_required
@permission_required("escalations.add_escalation", raise_exception=True)
def escalation_create(request: AuthedRequest) -> HttpResponse:
    """Raise an escalation on an account (?account=) or from an escalation case (?case=),
    the verdict it would get shown beside the form."""
    source = request.POST if request.method == "POST" else request.GET
    case = None
    if source.get("case"):
        case = get_object_or_404(
            Case.objects.visible_to(request.user).select_related("account__segment"),
            pk=source["case"] if str(source["case"]).isdigit() else 0,
            kind=CaseKind.ESCALATION,
        )
        account = case.account
    elif str(source.get("account", "")).isdigit():
        account = get_object_or_404(
            Account.objects.visible_to(request.user).select_related("segment"),
            pk=source["account"],
        )
    else:
        raise Http404("Raise an escalation from an account or an escalation case.")
    initial = {"kind": EscalationKind.ACCOUNT}
    if case is not None:
        initial["impact"] = case.challenges
    form = RaiseForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = {**form.service_data(), "account": account.pk, "case": case.pk if case else None}
        try:
            escalation, created = once(
                request, lambda: services.raise_escalation(request.user, data).escalation
            )
        except ValidationError as exc:
            _attach(form, exc)
            status = 422
        else:
            if created:
                messages.success(request, f"Escalation #{escalation.pk} raised.")
            return redirect(escalation)
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "escalations/escalation_form.html",
        {
            "form": form,
            "account": account,
            "case": case,
            "verdict": services.assess(account),
            "weighting": rules.weighting_text(services.thresholds()),
        },
        status=status,
    )


def _detail(request: AuthedRequest, escalation: Escalation, forms: dict | None = None, status=200):
    moves = services.moves_for(request.user, escalation)
    may_move = request.user.has_perm("escalations.change_escalation")
    offered = []
    for to, move in moves if may_move else []:
        form = (forms or {}).get(to) or MoveForm(
            initial={"to": to, "expected_state": escalation.state}, auto_id=f"{to}_%s"
        )
        # Each move's reason says what it is for: "Why you approve it", "How it was resolved".
        form.fields["reason"].label = _REASON_LABELS.get(move.action, "Reason")
        form.fields["reason"].help_text = move.needs.get("reason", "Optional.")
        offered.append({"to": to, "move": move, "form": form, "state": EscalationState(to)})
    deciding = any(item["to"] == EscalationState.APPROVED for item in offered)
    return render(
        request,
        "escalations/escalation_detail.html",
        {
            "escalation": escalation,
            "verdict": escalation.given_verdict,
            "weighting": rules.weighting_text(escalation.given_thresholds),
            "given_on": escalation.given_inputs.today,
            "transitions": list(escalation.transitions.select_related("actor")),
            "offered": offered,
            "quarter": services.segment_this_quarter(escalation) if deciding else None,
            "against_verdict": not escalation.qualifies,
        },
        status=status,
    )


def _one(request: AuthedRequest, escalation_id: int) -> Escalation:
    return get_object_or_404(
        _escalations(request).select_related(
            "account", "segment", "case", "raised_by", "decided_by"
        ),
        pk=escalation_id,
    )


@login_required
@permission_required("escalations.view_escalation", raise_exception=True)
def escalation_detail(request: AuthedRequest, escalation_id: int) -> HttpResponse:
    return _detail(request, _one(request, escalation_id))


@login_required
@permission_required("escalations.change_escalation", raise_exception=True)
@post_only(lambda escalation_id: reverse("escalations:detail", args=[escalation_id]))
def escalation_transition(request: AuthedRequest, escalation_id: int) -> HttpResponse:
    escalation = _one(request, escalation_id)
    form = MoveForm(request.POST, auto_id=f"{request.POST.get('to', '')}_%s")
    if not form.is_valid():
        return _detail(request, escalation, {request.POST.get("to", ""): form}, status=422)
    move = services.MoveInput(**form.cleaned_data)
    try:
        services.transition(escalation, request.user, move)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(escalation)
    except TransitionConflict as exc:
        messages.error(request, exc.message)
        return redirect(escalation)
    except ValidationError as exc:
        _attach(form, exc)
        return _detail(request, _one(request, escalation_id), {move.to: form}, status=422)
    messages.success(
        request, f"Escalation #{escalation.pk} is {EscalationState(move.to).label.lower()}."
    )
    return redirect(escalation)


# --- On other apps' pages: the account's tab, the case's panel -------------------------


def account_tab(request: AuthedRequest, account: Account) -> HttpResponse:
    """The account's escalations, newest first, each with its verdict and state."""
    escalations = (
        _escalations(request)
        .filter(account=account)
        .select_related("raised_by", "decided_by", "case")[:TAB_LIMIT]
    )
    return render(
        request,
        "escalations/account_tab.html",
        {"account": account, "escalations": escalations, "limit": TAB_LIMIT},
    )


def account_figures(user, account: Account) -> list[AccountFigure]:
    """Open escalations, and those waiting for a manager's decision: one query."""
    counts = (
        Escalation.objects.visible_to(user)
        .filter(account=account)
        .aggregate(
            open=Count("pk", filter=Q(state__in=rules.OPEN_STATES)),
            waiting=Count("pk", filter=Q(state=EscalationState.RAISED)),
        )
    )
    return [
        AccountFigure("Open escalations", counts["open"], TAB, colour="danger"),
        AccountFigure("Escalations awaiting a decision", counts["waiting"], TAB, colour="warning"),
    ]


def case_panel(request: Any, case: Any) -> str:
    """On an escalation case's page: its escalation, or the way to raise it."""
    if case.kind != CaseKind.ESCALATION or not request.user.has_perm("escalations.view_escalation"):
        return ""
    escalation = Escalation.objects.filter(case=case).first()
    return render_to_string(
        "escalations/_case_panel.html",
        {
            "case": case,
            "escalation": escalation,
            "verdict": escalation.given_verdict if escalation else services.assess(case.account),
        },
        request=request,
    )
