from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Min, Q
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from rhythm.core.http import AuthedRequest, post_only
from rhythm.core.registry import AccountFigure
from rhythm.meetings import services
from rhythm.meetings.choices import MeetingStatus
from rhythm.meetings.forms import ScheduleForm
from rhythm.meetings.models import Meeting

TAB = "meetings"  # its tab on the account page
UPCOMING_LIMIT = 50


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
            "may_schedule": services.may_schedule(meeting, request.user),
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
@permission_required("meetings.view_meeting", raise_exception=True)
@post_only(lambda meeting_id: reverse("meetings:detail", args=[meeting_id]))
def meeting_schedule(request: AuthedRequest, meeting_id: int):
    meeting = get_object_or_404(_meetings(request), pk=meeting_id)
    if not services.may_schedule(meeting, request.user):
        raise PermissionDenied
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


# --- The account page's "Meetings" tab (customers' account 360) ------------------------

PAST_PAGE_SIZE = 20


def account_tab(request: AuthedRequest, account) -> HttpResponse:
    """The account's calls: those to come (a time not yet set first), then those held
    or cancelled, newest first, paged."""
    meetings = _meetings(request).active().filter(account=account).select_related("cse")
    upcoming = meetings.filter(status=MeetingStatus.SCHEDULED).order_by(
        F("scheduled_at").asc(nulls_first=True), "id"
    )
    past = meetings.exclude(status=MeetingStatus.SCHEDULED).order_by(
        Coalesce("held_at", "scheduled_at").desc(nulls_last=True), "-id"
    )
    return render(
        request,
        "meetings/account_tab.html",
        {
            "account": account,
            "upcoming": upcoming[:UPCOMING_LIMIT],
            "upcoming_limit": UPCOMING_LIMIT,
            "past": Paginator(past, PAST_PAGE_SIZE).get_page(request.GET.get("page")),
            "tab_url": reverse("customers:account-tab", args=[account.pk, TAB]),
        },
    )


def account_figures(user, account) -> list[AccountFigure]:
    """The calls to come and when the next one is: one query."""
    upcoming = (
        Meeting.objects.visible_to(user)
        .active()
        .filter(account=account, status=MeetingStatus.SCHEDULED)
        .aggregate(
            count=Count("pk"), next=Min("scheduled_at", filter=Q(scheduled_at__gte=timezone.now()))
        )
    )
    soonest = upcoming["next"]
    note = f"next {date_format(timezone.localtime(soonest), 'j M, H:i T')}" if soonest else ""
    return [AccountFigure("Calls to come", upcoming["count"], TAB, note=note)]
