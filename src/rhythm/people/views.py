from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from rhythm.core import services as core_services
from rhythm.core.http import AuthedRequest
from rhythm.customers.models import Account, Segment
from rhythm.people import services
from rhythm.people.forms import MemberForm
from rhythm.people.models import User


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """A person's start page: their accounts and the renewals coming up."""
    today = timezone.localdate()
    accounts = Account.objects.visible_to(request.user).active()
    renewing = (
        accounts.filter(renewal_date__range=(today, today + timedelta(days=90)))
        .select_related("segment", "account_owner", "csm")
        .order_by("renewal_date")[:10]
    )
    return render(
        request,
        "people/home.html",
        {"account_count": accounts.count(), "renewing": renewing},
    )


def _team():
    return User.objects.active().prefetch_related(
        "groups", Prefetch("covered_segments", Segment.objects.order_by("arr_floor"))
    )


@login_required
@permission_required("people.view_user", raise_exception=True)
def team(request: AuthedRequest) -> HttpResponse:
    return render(request, "people/team.html", {"members": _team()})


@login_required
@permission_required("people.view_user", raise_exception=True)
def member(request: AuthedRequest, member_id: int) -> HttpResponse:
    person = get_object_or_404(_team(), pk=member_id)
    form = None
    if request.user.has_perm("people.change_user"):
        form = MemberForm(request.POST or None, instance=person)
        if request.method == "POST" and form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "covered_segments"}
            segment_ids = [s.pk for s in form.cleaned_data["covered_segments"]]
            try:
                services.update_member(person, data, segment_ids=segment_ids)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"{person} updated.")
                return redirect("people:member", member_id=person.pk)
    history = person.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request, "people/member.html", {"person": person, "form": form, "history": history}
    )


@login_required
def tokens(request: AuthedRequest) -> HttpResponse:
    created = request.session.pop("new_token", None)
    return render(
        request,
        "people/tokens.html",
        {"tokens": request.user.api_tokens.all(), "new_token": created},
    )


@login_required
@require_POST
def create_token(request: AuthedRequest) -> HttpResponse:
    _token, plain = core_services.create_token(request.user, request.POST.get("name", ""))
    # Shown once on the next page, then gone: only its hash is kept.
    request.session["new_token"] = plain
    return redirect("people:tokens")


@login_required
@require_POST
def revoke_token(request: AuthedRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(request.user.api_tokens, pk=token_id)
    core_services.revoke_token(token)
    messages.info(request, f"Token {token} revoked.")
    return redirect("people:tokens")
