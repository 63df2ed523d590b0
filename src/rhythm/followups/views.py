from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse

from rhythm.core.http import AuthedRequest, post_only
from rhythm.followups import rules, services
from rhythm.followups.forms import ComposeForm
from rhythm.followups.models import FollowUp


def _follow_ups(request: AuthedRequest):
    return FollowUp.objects.visible_to(request.user).select_related(
        "meeting", "account", "cse", "message"
    )


def _page(request: AuthedRequest, follow_up: FollowUp, form: ComposeForm, draft=None, status=200):
    return render(
        request,
        "followups/follow_up_detail.html",
        {
            "follow_up": follow_up,
            "form": form,
            "draft": draft,
            "may_send": request.user.has_perm("followups.change_followup")
            and services.may_send(follow_up, request.user),
            "target_days": rules.TARGET_BUSINESS_DAYS,
            "due_days": rules.DUE_BUSINESS_DAYS,
        },
        status=status,
    )


@login_required
@permission_required("followups.view_followup", raise_exception=True)
def follow_up_detail(request: AuthedRequest, follow_up_id: int):
    follow_up = get_object_or_404(_follow_ups(request), pk=follow_up_id)
    initial = {name: getattr(follow_up, name) for name in rules.PART_NAMES}
    return _page(request, follow_up, ComposeForm(initial=initial))


def _refused(form: ComposeForm, exc: ValidationError) -> None:
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@login_required
@permission_required("followups.change_followup", raise_exception=True)
@post_only(lambda follow_up_id: reverse("followups:detail", args=[follow_up_id]))
def follow_up_send(request: AuthedRequest, follow_up_id: int):
    """Preview the email (the "Preview" button) or send it (the "Send" button)."""
    follow_up = get_object_or_404(_follow_ups(request), pk=follow_up_id)
    form = ComposeForm(request.POST)
    form.is_valid()
    if request.POST.get("action") == "preview":
        try:
            draft = services.preview(follow_up, form.parts())
        except ValidationError as exc:
            _refused(form, exc)
            return _page(request, follow_up, form, status=422)
        return _page(request, follow_up, form, draft=draft)
    try:
        services.send(follow_up, actor=request.user, parts=form.parts())
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(follow_up)
    except ValidationError as exc:
        _refused(form, exc)
        return _page(request, follow_up, form, status=422)
    messages.success(request, "The follow-up went to the call's contacts, each with a CSAT survey.")
    return redirect(follow_up)


def meeting_panel(request: Any, meeting: Any) -> str:
    """The call's follow-up, on the meeting's page: due when, sent or not."""
    if not request.user.has_perm("followups.view_followup"):
        return ""
    follow_up = FollowUp.objects.filter(meeting=meeting).first()
    if follow_up is None:
        return ""
    return render_to_string(
        "followups/_meeting_panel.html", {"follow_up": follow_up}, request=request
    )
