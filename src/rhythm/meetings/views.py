from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from rhythm.core.http import AuthedRequest, post_only
from rhythm.meetings import services
from rhythm.meetings.forms import ScheduleForm
from rhythm.meetings.models import Meeting


def _meetings(request: AuthedRequest):
    return Meeting.objects.visible_to(request.user)


@login_required
@permission_required("meetings.view_meeting", raise_exception=True)
def meeting_detail(request: AuthedRequest, meeting_id: int, form: ScheduleForm | None = None):
    meeting = get_object_or_404(
        _meetings(request).select_related("account", "cse").prefetch_related("participants"),
        pk=meeting_id,
    )
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "form": form or ScheduleForm(),
            "may_run": services.may_run(meeting, request.user),
        },
    )


@login_required
@permission_required("meetings.add_meeting", raise_exception=True)
@post_only(lambda meeting_id: reverse("meetings:detail", args=[meeting_id]))
def meeting_held(request: AuthedRequest, meeting_id: int):
    meeting = get_object_or_404(_meetings(request), pk=meeting_id)
    try:
        services.log_held(meeting, actor=request.user, notes=request.POST.get("notes", ""))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("meetings:detail", meeting_id=meeting.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("meetings:detail", meeting_id=meeting.pk)
    messages.success(request, "Logged on the account timeline as a CSE Engagement.")
    return redirect("meetings:detail", meeting_id=meeting.pk)


@login_required
@permission_required("meetings.add_meeting", raise_exception=True)
@post_only(lambda meeting_id: reverse("meetings:detail", args=[meeting_id]))
def meeting_schedule(request: AuthedRequest, meeting_id: int):
    meeting = get_object_or_404(_meetings(request), pk=meeting_id)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            services.schedule(
                meeting, actor=request.user, scheduled_at=form.cleaned_data["scheduled_at"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("meetings:detail", meeting_id=meeting.pk)
        else:
            messages.success(request, "Scheduled; the account timeline shows the time.")
            return redirect("meetings:detail", meeting_id=meeting.pk)
    return meeting_detail(request, meeting_id, form=form)
