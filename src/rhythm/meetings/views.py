from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Min, Q
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from rhythm.core.forms import once
from rhythm.core.http import AuthedRequest, post_only
from rhythm.core.registry import AccountFigure
from rhythm.meetings import ical, services
from rhythm.meetings.choices import MeetingStatus
from rhythm.meetings.forms import BookForm, HeldForm, ScheduleForm
from rhythm.meetings.models import ChecklistItem, Meeting

TAB = "meetings"  # its tab on the account page
UPCOMING_LIMIT = 50


def _meetings(request: AuthedRequest):
    return Meeting.objects.visible_to(request.user)


@login_required
@permission_required("meetings.view_meeting", raise_exception=True)
def meeting_detail(request: AuthedRequest, meeting_id: int, form: ScheduleForm | None = None):
    meeting = get_object_or_404(
        _meetings(request)
        .select_related("account", "cse", "ae", "cta", "request")
        .prefetch_related("participants", "contacts"),
        pk=meeting_id,
    )
    zone = meeting.time_zone or request.user.time_zone
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "checklist": list(meeting.checklist.select_related("done_by")),
            "form": form or ScheduleForm(initial={"time_zone": zone}),
            "held_form": HeldForm(),
            "may_run": services.may_run(meeting, request.user),
            "may_schedule": services.may_schedule(meeting, request.user),
        },
    )


# The objects a call is booked for, by the name in its address, as the meeting's
# own fields name them (meetings reads them; their apps change them).
SOURCES = {"cta": "cta", "request": "request"}


def _source(request: AuthedRequest, source: str, source_id: int):
    if source not in SOURCES:
        raise Http404
    model = Meeting._meta.get_field(SOURCES[source]).related_model
    related = ("account", "owner", "case") if source == "cta" else ("account", "assigned_cse")
    return get_object_or_404(
        model.objects.visible_to(request.user).select_related(*related),  # type: ignore[union-attr]
        pk=source_id,
    )


@login_required
@permission_required("meetings.add_meeting", raise_exception=True)
def meeting_book(request: AuthedRequest, source: str, source_id: int):
    """Book the customer call of a CTA or of a complex engagement."""
    thing = _source(request, source, source_id)
    account = thing.account
    cse_id = thing.owner_id if source == "cta" else thing.assigned_cse_id
    if not services.may_book(cse_id, request.user):
        raise PermissionDenied
    ae = account.account_owner
    form = BookForm(
        request.POST or None,
        account=account,
        ae=ae,
        initial={"time_zone": request.user.time_zone},
    )
    refusal = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = services.Details(
            scheduled_at=data["scheduled_at"].replace(tzinfo=None),
            time_zone=data["time_zone"],
            duration_minutes=data["duration_minutes"],
            contacts=list(data["contacts"]),
            ae=ae if data.get("invite_ae") else None,
            video_url=data["video_url"],
            notes_url=data["notes_url"],
            deck_url=data["deck_url"],
            notes=data["notes"],
            new_topic=data["new_topic"],
            offering_id=data["offering"].pk if data["offering"] else None,
        )
        book = services.book_for_cta if source == "cta" else services.book_for_request
        try:
            meeting, created = once(
                request, lambda: book(thing, actor=request.user, details=details)
            )
        except ValidationError as exc:
            topic = getattr(exc, "error_dict", {}).get("topic")
            if topic:
                refusal = {
                    "codes": " ".join(str(e.code) for e in topic),
                    "new_request": services.new_request_url(
                        account_id=account.pk,
                        cta=thing if source == "cta" else None,
                        request=thing if source == "request" else None,
                        contact_id=details.contacts[0].pk if details.contacts else None,
                        topic=details.notes,
                    ),
                }
            _errors_onto(form, exc)
        else:
            if created:
                messages.success(request, "Booked, with its preparation checklist.")
            return redirect(meeting)
    return render(
        request,
        "meetings/meeting_book.html",
        {
            "form": form,
            "thing": thing,
            "source": source,
            "account": account,
            "topic_refusal": refusal,
        },
        status=422 if refusal else 200,
    )


def _errors_onto(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@login_required
@permission_required("meetings.add_meeting", raise_exception=True)
@post_only(lambda meeting_id, item_id: reverse("meetings:detail", args=[meeting_id]))
def checklist_item(request: AuthedRequest, meeting_id: int, item_id: int):
    item = get_object_or_404(
        ChecklistItem.objects.visible_to(request.user).select_related("meeting"),
        pk=item_id,
        meeting_id=meeting_id,
    )
    try:
        services.set_checklist_item(item, done=request.POST.get("done") == "1", actor=request.user)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("meetings:detail", meeting_id=meeting_id)


@login_required
@permission_required("meetings.view_meeting", raise_exception=True)
def meeting_invitation(request: AuthedRequest, meeting_id: int):
    meeting = get_object_or_404(
        _meetings(request).select_related("account", "cse", "ae").exclude(scheduled_at=None),
        pk=meeting_id,
    )
    response = HttpResponse(ical.invitation(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


def calendar_feed(request, token: str):
    """A CSE's calls as an iCal feed, for their calendar app: no sign-in, the
    signed token in the address is the key (reset it to revoke the address)."""
    owner = services.feed_owner(token)
    if owner is None:
        raise Http404("This calendar address was reset or never existed.")
    body = ical.feed(services.feed_meetings(owner), owner)
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


def feed_url(request, token: str) -> str:
    return request.build_absolute_uri(reverse("meetings:feed", args=[token]))


MINE_LIMIT = 100


@login_required
@permission_required("meetings.view_meeting", raise_exception=True)
def my_meetings(request: AuthedRequest):
    """The calls a person runs or attends, soonest first, and their calendar feed."""
    upcoming = (
        _meetings(request)
        .active()
        .filter(status=MeetingStatus.SCHEDULED)
        .filter(Q(cse=request.user) | Q(ae=request.user) | Q(participants=request.user))
        .distinct()
        .select_related("account", "cse")
        .annotate(
            items=Count("checklist", distinct=True),
            items_done=Count(
                "checklist", filter=Q(checklist__done_at__isnull=False), distinct=True
            ),
        )
        .order_by(F("scheduled_at").asc(nulls_first=True), "pk")
    )
    return render(
        request,
        "meetings/my_meetings.html",
        {
            "upcoming": upcoming[:MINE_LIMIT],
            "limit": MINE_LIMIT,
            "feed_url": feed_url(request, services.feed_token(request.user)),
        },
    )


@login_required
@permission_required("meetings.view_meeting", raise_exception=True)
@post_only(lambda: reverse("meetings:mine"))
def feed_reset(request: AuthedRequest):
    services.reset_feed(request.user)
    messages.success(request, "A new calendar address: the old one no longer works.")
    return redirect("meetings:mine")


@login_required
@permission_required("meetings.add_meeting", raise_exception=True)
@post_only(lambda meeting_id: reverse("meetings:detail", args=[meeting_id]))
def meeting_held(request: AuthedRequest, meeting_id: int):
    meeting = get_object_or_404(_meetings(request), pk=meeting_id)
    form = HeldForm(request.POST)
    form.is_valid()  # every field is optional; the service keeps what is given
    words = {k: form.cleaned_data.get(k) or "" for k in ("notes", "summary", "outcome")}
    try:
        services.log_held(meeting, actor=request.user, **words)
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
                meeting,
                actor=request.user,
                scheduled_at=form.cleaned_data["scheduled_at"].replace(tzinfo=None),
                time_zone=form.cleaned_data["time_zone"],
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
