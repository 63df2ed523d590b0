"""The team's pages (month planning, an event, the sign-up page, the demo
architects' board) and the public ones (calendar, iCal, registration, the
registrant's link, redemption): thin, each parses, calls one service, renders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_ratelimit.decorators import ratelimit

from rhythm.content import views as content_views
from rhythm.core import workflow
from rhythm.core.http import AuthedRequest, post_only
from rhythm.webinars import rules, services
from rhythm.webinars.choices import RegistrationStatus, RequestStatus, WebinarStatus
from rhythm.webinars.forms import (
    AttendanceImportForm,
    CodesForm,
    EnvironmentRequestForm,
    LabTemplateForm,
    PostEventForm,
    RedeemForm,
    RegistrationForm,
    WebinarEditForm,
    WebinarForm,
)
from rhythm.webinars.models import ChecklistItem, EnvironmentRequest, LabTemplate, Webinar


def _month(request: HttpRequest) -> tuple[datetime, datetime]:
    """The month asked for (?month=YYYY-MM), this one by default, in UTC."""
    try:
        first = datetime.strptime(request.GET.get("month", ""), "%Y-%m")
    except ValueError:
        first = timezone.now().replace(day=1, tzinfo=None)
    start = first.replace(day=1, hour=0, minute=0, second=0, microsecond=0, tzinfo=UTC)
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


def _month_nav(start: datetime) -> dict[str, Any]:
    before = (start - timedelta(days=1)).strftime("%Y-%m")
    after = (start + timedelta(days=32)).strftime("%Y-%m")
    return {"month": start, "previous": before, "next": after}


def _form_errors(form, exc: ValidationError) -> None:
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


# --- The team's pages -------------------------------------------------------------------


@login_required
@permission_required("webinars.view_webinar", raise_exception=True)
def webinar_list(request: AuthedRequest):
    start, end = _month(request)
    webinars = list(
        Webinar.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("host", "lab_template")
        .order_by("starts_at", "id")
    )
    seats = services.seat_counts(webinars)
    redeemed = services.redemption_counts(webinars)
    rows = [(w, seats.get(w.pk, 0), redeemed.get(w.pk, 0)) for w in webinars]
    return render(request, "webinars/list.html", {"rows": rows, **_month_nav(start)})


@login_required
@permission_required("webinars.add_webinar", raise_exception=True)
def webinar_new(request: AuthedRequest):
    form = WebinarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            webinar = services.save_webinar(form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Drafted. Publish it once a CSE signs up as its DRI.")
            return redirect(webinar)
    status = 422 if form.errors else 200
    return render(request, "webinars/form.html", {"form": form}, status=status)


@login_required
@permission_required("webinars.change_webinar", raise_exception=True)
def webinar_edit(request: AuthedRequest, webinar_id: int):
    """The program manager changes a planned event; a published one's registrants are
    told of a new title or time (services.save_webinar)."""
    webinar = get_object_or_404(
        Webinar.objects.select_related("host", "lab_template"), pk=webinar_id
    )
    form = WebinarEditForm.for_event(webinar, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_webinar(form.cleaned_data, actor=request.user, webinar=webinar)
        except ValidationError as exc:
            _form_errors(form, exc)
        except workflow.TransitionConflict as exc:
            form.add_error(None, str(exc))
        else:
            told = webinar.status == WebinarStatus.PUBLISHED
            messages.success(
                request,
                "Saved. Registrants are told of a new title or time." if told else "Saved.",
            )
            return redirect(webinar)
    status = 422 if form.errors else 200
    return render(request, "webinars/form.html", {"form": form, "webinar": webinar}, status=status)


@login_required
@permission_required("webinars.view_labtemplate", raise_exception=True)
def lab_templates(request: AuthedRequest):
    """The labs delivered month after month, with how often each is planned."""
    templates = LabTemplate.objects.annotate(uses=Count("events")).order_by("name", "id")
    return render(
        request,
        "webinars/lab_templates.html",
        {"templates": templates, "may_keep": request.user.has_perm(services.KEEP)},
    )


@login_required
@permission_required("webinars.change_labtemplate", raise_exception=True)
def lab_template_form(request: AuthedRequest, template_id: int | None = None):
    template = get_object_or_404(LabTemplate, pk=template_id) if template_id else None
    initial = (
        {name: getattr(template, name) for name in services.TEMPLATE_FIELDS} if template else None
    )
    form = LabTemplateForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_lab_template(
                form.cleaned_data, actor=request.user, template=template
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"Saved the lab template {saved.name}.")
            return redirect("webinars:lab-templates")
    status = 422 if form.errors else 200
    return render(
        request,
        "webinars/lab_template_form.html",
        {"form": form, "template": template},
        status=status,
    )


def _detail_context(request: AuthedRequest, webinar: Webinar) -> dict[str, Any]:
    user = request.user
    env = EnvironmentRequest.objects.filter(webinar=webinar).first()
    who = services.parties(webinar, user)
    registrations = (
        list(webinar.registrations.all()) if user.has_perm("webinars.view_registration") else []
    )
    checklist = list(webinar.checklist.select_related("done_by"))
    now = timezone.now()
    content_items = list(webinar.content_items.order_by("title"))
    return {
        "webinar": webinar,
        "content_items": content_items,
        "content_bugs": content_views.bugs_panel(
            request, content_items, title="Open bugs in its content"
        ),
        "helpers": list(webinar.helpers.all()),
        "env": env,
        "may_see_codes": services.may_see_codes(webinar, user),
        # Delivering waits for the start: offered once it could succeed.
        "moves": [
            (to, move)
            for to, move in rules.WEBINAR_FLOW.moves_for(webinar.status, who)
            if to != WebinarStatus.DELIVERED or rules.has_started(webinar.starts_at, now)
        ],
        "is_dri": rules.DRI in who,
        "manages": rules.PROGRAM_MANAGER in who,
        "may_edit": rules.PROGRAM_MANAGER in who
        and webinar.status in (WebinarStatus.DRAFT, WebinarStatus.PUBLISHED),
        "may_sign_up": user.has_perm("webinars.add_signup")
        and webinar.status in (WebinarStatus.DRAFT, WebinarStatus.PUBLISHED),
        "may_tick": bool(who & {rules.DRI, rules.PROGRAM_MANAGER}),
        "checklist": checklist,
        "left": [item for item in checklist if item.done_at is None],
        "registrations": registrations,
        "seats": sum(r.status == RegistrationStatus.CONFIRMED for r in registrations),
        "waiting": sum(r.status == RegistrationStatus.WAITLISTED for r in registrations),
        "redeemed": webinar.redemptions.count(),
        "env_form": EnvironmentRequestForm(),
        "post_form": PostEventForm(
            initial={"recording_url": webinar.recording_url, "deck_url": webinar.deck_url}
        ),
        "import_form": AttendanceImportForm(),
        "lead_days": settings.RHYTHM_LAB_REQUEST_LEAD_DAYS,
        "now": now,
    }


@login_required
@permission_required("webinars.view_webinar", raise_exception=True)
def webinar_detail(request: AuthedRequest, webinar_id: int):
    webinar = get_object_or_404(
        Webinar.objects.select_related("host", "lab_template", "created_by"), pk=webinar_id
    )
    return render(request, "webinars/detail.html", _detail_context(request, webinar))


def _act(request: AuthedRequest, webinar: Webinar, act, done: str) -> HttpResponse:
    """Run a service for the event page's forms: a refusal is a message saying why."""
    try:
        act()
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    except (PermissionDenied, workflow.TransitionConflict) as exc:
        messages.error(request, str(exc) or "Not yours to do.")
    else:
        messages.success(request, done)
    return redirect(webinar)


def _event_page(webinar_id: int, **_: Any) -> str:
    return reverse("webinars:detail", args=[webinar_id])


@login_required
@permission_required("webinars.view_webinar", raise_exception=True)
@post_only(_event_page)
def webinar_move(request: AuthedRequest, webinar_id: int):
    webinar = get_object_or_404(Webinar, pk=webinar_id)
    to = request.POST.get("to", "")
    label = rules.WEBINAR_FLOW.states.get(to, to)
    return _act(
        request,
        webinar,
        lambda: services.move(
            webinar, to, actor=request.user, expected_state=request.POST.get("from", "")
        ),
        f"The event is {label.lower()}.",
    )


@login_required
@permission_required("webinars.add_signup", raise_exception=True)
@post_only(_event_page)
def sign_up(request: AuthedRequest, webinar_id: int):
    webinar = get_object_or_404(Webinar, pk=webinar_id)
    role = request.POST.get("role", "")
    response = _act(
        request,
        webinar,
        lambda: services.sign_up(webinar, request.user, role),
        "You are the DRI." if role == "host" else "You help with Q&A.",
    )
    if request.POST.get("back") == "sign-up":
        return redirect("webinars:sign-up")
    return response


@login_required
@permission_required("webinars.add_signup", raise_exception=True)
def sign_up_page(request: AuthedRequest):
    upcoming = list(
        Webinar.objects.filter(services.upcoming_filter(), starts_at__gte=timezone.now())
        .select_related("host")
        .prefetch_related("helpers")
        .order_by("starts_at", "id")[:100]
    )
    return render(request, "webinars/sign_up.html", {"webinars": upcoming})


@login_required
@permission_required("webinars.add_environmentrequest", raise_exception=True)
@post_only(_event_page)
def file_request(request: AuthedRequest, webinar_id: int):
    webinar = get_object_or_404(Webinar, pk=webinar_id)
    form = EnvironmentRequestForm(request.POST)
    form.is_valid()
    return _act(
        request,
        webinar,
        lambda: services.file_environment_request(
            webinar,
            actor=request.user,
            late_reason=form.cleaned_data.get("late_reason", ""),
            notes=form.cleaned_data.get("notes", ""),
        ),
        "Filed: the demo architects are told.",
    )


@login_required
@permission_required("webinars.view_webinar", raise_exception=True)
@post_only(_event_page)
def tick(request: AuthedRequest, webinar_id: int, checklist_item_id: int):
    item = get_object_or_404(ChecklistItem, pk=checklist_item_id, webinar_id=webinar_id)
    return _act(
        request,
        item.webinar,
        lambda: services.tick(item, actor=request.user, done=request.POST.get("done") == "1"),
        "Run of show updated.",
    )


@login_required
@permission_required("webinars.change_registration", raise_exception=True)
@post_only(_event_page)
def attendance(request: AuthedRequest, webinar_id: int):
    """The page's ticks, or the meeting tool's CSV export."""
    webinar = get_object_or_404(Webinar, pk=webinar_id)
    upload = request.FILES.get("file")
    if upload is not None:
        text = upload.read(2_000_000).decode("utf-8", errors="replace")
        emails, replace = rules.parse_attendance_csv(text), False
    else:
        ids = [int(i) for i in request.POST.getlist("attended") if i.isdigit()]
        emails = list(webinar.registrations.filter(pk__in=ids).values_list("email", flat=True))
        replace = True
    result: dict[str, services.Attendance] = {}

    def record() -> None:
        result["r"] = services.record_attendance(
            webinar, emails, actor=request.user, replace=replace
        )

    response = _act(request, webinar, record, "Attendance recorded.")
    if result and result["r"].unknown:
        messages.warning(
            request,
            f"{len(result['r'].unknown)} email(s) match no registrant: "
            + ", ".join(result["r"].unknown[:10]),
        )
    return response


@login_required
@permission_required("webinars.change_webinar", raise_exception=True)
@post_only(_event_page)
def post_event(request: AuthedRequest, webinar_id: int):
    webinar = get_object_or_404(Webinar, pk=webinar_id)
    form = PostEventForm(request.POST)
    form.is_valid()
    sent: dict[str, dict[str, int]] = {}

    def send() -> None:
        sent["n"] = services.send_post_event(
            webinar,
            actor=request.user,
            recording_url=request.POST.get("recording_url", ""),
            deck_url=request.POST.get("deck_url", ""),
        )

    response = _act(request, webinar, send, "Post-event email sent.")
    if sent:
        n = sent["n"]
        messages.info(request, f"{n['attendees']} attendees, {n['no_shows']} no-shows emailed.")
    return response


@login_required
@permission_required("webinars.change_environmentrequest", raise_exception=True)
def board(request: AuthedRequest):
    open_requests = list(
        EnvironmentRequest.objects.select_related("webinar", "filed_by", "assignee")
        .exclude(webinar__status__in=rules.FINISHED)
        .order_by("webinar__starts_at", "id")[:200]
    )
    columns = [
        (status, [r for r in open_requests if r.status == status]) for status in RequestStatus
    ]
    return render(request, "webinars/board.html", {"columns": columns, "codes_form": CodesForm()})


@login_required
@permission_required("webinars.change_environmentrequest", raise_exception=True)
@post_only(lambda environment_request_id: reverse("webinars:board"))
def request_move(request: AuthedRequest, environment_request_id: int):
    env = get_object_or_404(
        EnvironmentRequest.objects.select_related("webinar"), pk=environment_request_id
    )
    to = request.POST.get("to", "")
    try:
        services.move_request(
            env,
            to,
            actor=request.user,
            production_code=request.POST.get("production_code"),
            testing_code=request.POST.get("testing_code"),
            expected_state=request.POST.get("from", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    except (PermissionDenied, workflow.TransitionConflict) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{env.webinar.deck_name}: {RequestStatus(to).label}.")
    return redirect("webinars:board")


# --- Public pages (no sign-in), rate-limited -------------------------------------------


def _rate(group: str, request: HttpRequest) -> str:
    return settings.RHYTHM_WEBINAR_RATE  # read per request, so a test sets it


def _limited(request: HttpRequest) -> HttpResponse | None:
    if getattr(request, "limited", False):
        return render(request, "webinars/public/limited.html", status=429)
    return None


@never_cache
@ratelimit(key="ip", rate=_rate, method=ratelimit.ALL, block=False)
def calendar(request: HttpRequest):
    start, end = _month(request)
    webinars = list(services.published_in(start, end))
    regions = [
        (region, [w for w in webinars if w.region == region]) for region in ("AMER", "EMEA", "APAC")
    ]
    return render(
        request, "webinars/public/calendar.html", {"regions": regions, **_month_nav(start)}
    )


@ratelimit(key="ip", rate=_rate, method=ratelimit.ALL, block=False)
def calendar_ics(request: HttpRequest):
    if (refused := _limited(request)) is not None:
        return refused
    now = timezone.now()
    webinars = services.published_in(now - timedelta(days=31), now + timedelta(days=93))
    response = HttpResponse(services.ical(webinars), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="webinars.ics"'
    return response


def _public_webinar(webinar_id: int) -> Webinar:
    return get_object_or_404(
        Webinar.objects.select_related("lab_template").exclude(status=WebinarStatus.DRAFT),
        pk=webinar_id,
    )


@never_cache
@ratelimit(key="ip", rate=_rate, method=ratelimit.ALL, block=False)
@ratelimit(key="post:email", rate=_rate, method="POST", block=False)
def register(request: HttpRequest, webinar_id: int):
    if (refused := _limited(request)) is not None:
        return refused
    webinar = _public_webinar(webinar_id)
    form = RegistrationForm(request.POST or None)
    full = (
        webinar.capacity is not None
        and services.seat_counts([webinar]).get(webinar.pk, 0) >= webinar.capacity
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.register(webinar, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        except workflow.TransitionConflict as exc:
            form.add_error(None, str(exc))
        else:
            # The same answer whether the email was known or not.
            return render(request, "webinars/public/check_inbox.html", {"webinar": webinar})
    context = {
        "webinar": webinar,
        "form": form,
        "full": full,
        "open": services.open_for_registration(webinar),
    }
    return render(
        request, "webinars/public/register.html", context, status=422 if form.errors else 200
    )


@never_cache
@ratelimit(key="ip", rate=_rate, method=ratelimit.ALL, block=False)
def registration(request: HttpRequest, token: str):
    """The registrant's link: confirm, see where they stand, cancel."""
    if (refused := _limited(request)) is not None:
        return refused
    try:
        found = services.by_token(token)
    except services.LinkRefused as exc:
        return render(request, "webinars/public/link_refused.html", {"state": str(exc)}, status=404)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "confirm":
                found = services.confirm(token)
            elif action == "cancel":
                found = services.cancel_by_token(token)
        except workflow.TransitionConflict as exc:
            messages.error(request, str(exc))
        return redirect("webinars:registration", token=token)
    redemption = getattr(found, "redemption", None)
    return render(
        request,
        "webinars/public/registration.html",
        {
            "registration": found,
            "webinar": found.webinar,
            "redemption": redemption,
            "now": timezone.now(),
        },
    )


@never_cache
@ratelimit(key="ip", rate=_rate, method=ratelimit.ALL, block=False)
@ratelimit(key="post:email", rate=_rate, method="POST", block=False)
def redeem(request: HttpRequest, webinar_id: int):
    if (refused := _limited(request)) is not None:
        return refused
    webinar = _public_webinar(webinar_id)
    form = RedeemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = services.redeem(webinar, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return render(
                request,
                "webinars/public/redeemed.html",
                {
                    "webinar": webinar,
                    "redemption": done.redemption,
                    "instructions": done.instructions,
                },
            )
    return render(
        request,
        "webinars/public/redeem.html",
        {"webinar": webinar, "form": form},
        status=422 if form.errors else 200,
    )
