from __future__ import annotations

import copy

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from rhythm.core import history
from rhythm.core import services as core_services
from rhythm.core.http import AuthedRequest, post_only, sign_in_first
from rhythm.people import services
from rhythm.people.choices import Role
from rhythm.people.forms import MemberForm, ProfileForm
from rhythm.people.models import User


def _team():
    # Segments come in their own order (by ARR floor).
    return User.objects.active().prefetch_related("groups", "covered_segments")


@sign_in_first
@permission_required("people.view_user", raise_exception=True)
def team(request: AuthedRequest) -> HttpResponse:
    members = _team()
    region = request.GET.get("region", "")
    if region in settings.RHYTHM_REGIONS:
        members = members.filter(region=region)
    else:
        region = ""
    role = request.GET.get("role", "")
    if role in Role.values:
        members = members.with_role(Role(role))
    else:
        role = ""
    members = list(members)
    context = {
        "members": members,
        # The engagement hours the team can give: its CSEs', not every member's.
        "capacity": sum(m.weekly_capacity_hours for m in members if m.has_role(Role.CSE)),
        "region": region,
        "role": role,
        "regions": settings.RHYTHM_REGIONS,
        "roles": Role.choices,
    }
    return render(request, "people/team.html", context)


@login_required
def member(request: AuthedRequest, member_id: int) -> HttpResponse:
    """A member's page; everyone may see their own, managers may change capacity and coverage."""
    if not (request.user.has_perm("people.view_user") or request.user.pk == member_id):
        raise PermissionDenied
    can_change = request.user.has_perm("people.change_user")
    own = request.user.pk == member_id
    if request.method == "POST" and not (can_change or own):
        raise PermissionDenied
    person = get_object_or_404(_team(), pk=member_id)
    form: ProfileForm | MemberForm | None = None
    if own and not can_change:
        # Their own contact details and calendar: the booking link the outreach sends.
        form = ProfileForm(request.POST or None, instance=copy.copy(person))
        if request.method == "POST" and form.is_valid():
            try:
                services.update_member(person, form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Your details are saved.")
                return redirect("people:member", member_id=person.pk)
    elif can_change:
        # A copy: a refused form must not show its typed values as the saved ones.
        form = manager_form = MemberForm(request.POST or None, instance=copy.copy(person))
        if request.method == "POST" and manager_form.is_valid():
            cleaned = manager_form.cleaned_data
            data = {k: v for k, v in cleaned.items() if k != "covered_segments"}
            segment_ids = [s.pk for s in cleaned["covered_segments"]]
            try:
                services.update_member(person, data, segment_ids=segment_ids)
            except ValidationError as exc:
                manager_form.add_error(None, exc)
            else:
                messages.success(request, f"{person} updated.")
                return redirect("people:member", member_id=person.pk)
    entries = history.entries(User.history.filter(id=person.pk), limit=20)
    return render(
        request, "people/member.html", {"person": person, "form": form, "history": entries}
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
@post_only(lambda: reverse("people:tokens"))
def create_token(request: AuthedRequest) -> HttpResponse:
    _token, plain = core_services.create_token(request.user, request.POST.get("name", ""))
    # Shown once on the next page, then gone: only its hash is kept.
    request.session["new_token"] = plain
    return redirect("people:tokens")


@login_required
@post_only(lambda token_id: reverse("people:tokens"))
def revoke_token(request: AuthedRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(request.user.api_tokens, pk=token_id)
    core_services.revoke_token(token)
    messages.info(request, f"Token {token} revoked.")
    return redirect("people:tokens")
