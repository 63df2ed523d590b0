from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from rhythm.core import display
from rhythm.core.http import AuthedRequest, post_only
from rhythm.core.paging import page_of
from rhythm.followups import clocks, rules, services
from rhythm.followups.choices import ClockKind
from rhythm.followups.forms import AnswerForm, AskForm, ComposeForm, PauseForm
from rhythm.followups.models import FollowUp, FurtherQuestion
from rhythm.meetings.models import Meeting
from rhythm.people.choices import Role


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


def _refused(form: forms.Form, exc: ValidationError) -> None:
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


# --- Further questions -----------------------------------------------------------------

QUESTIONS_PER_PAGE = 50


def _open_questions(request: AuthedRequest):
    """The open further questions the viewer sees: a CSE's own (all of them for a
    manager, with ?all=1 for anyone), by due time."""
    rows = FurtherQuestion.objects.visible_to(request.user).filter(answered_at__isnull=True)
    mine = request.GET.get("all") != "1" and Role.CSE in request.user.roles
    if mine:
        rows = rows.filter(cse=request.user)
    rows = rows.select_related("meeting", "account", "cse", "asked_by", "contact")
    return rows.order_by("due_at", "pk"), mine


def _questions_page(request: AuthedRequest, *, bound: dict | None = None, status: int = 200):
    rows, mine = _open_questions(request)
    page = page_of(rows, QUESTIONS_PER_PAGE, request.GET.get("page"))
    calendars, now = clocks.Calendars(), timezone.now()
    bound = bound or {}
    items = [
        {
            "question": question,
            "clock": calendars.clock(ClockKind.QUESTION, question, now),
            "may_answer": request.user.has_perm("followups.change_furtherquestion")
            and services.may_answer(question, request.user),
            "form": bound.get(question.pk) or AnswerForm(prefix=f"q{question.pk}"),
        }
        for question in page.object_list
    ]
    return render(
        request,
        "followups/questions.html",
        {"items": items, "page": page, "mine": mine, "pause_form": PauseForm()},
        status=status,
    )


@login_required
@permission_required("followups.view_furtherquestion", raise_exception=True)
def questions(request: AuthedRequest):
    return _questions_page(request)


@login_required
@permission_required("followups.change_furtherquestion", raise_exception=True)
@post_only(lambda further_question_id: reverse("followups:questions"))
def question_answer(request: AuthedRequest, further_question_id: int):
    question = get_object_or_404(
        FurtherQuestion.objects.visible_to(request.user), pk=further_question_id
    )
    form = AnswerForm(request.POST, prefix=f"q{question.pk}")
    form.is_valid()
    try:
        services.answer(
            question, actor=request.user, text=form.data.get(f"q{question.pk}-answer", "")
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("followups:questions")
    except ValidationError as exc:
        form.add_error("answer", exc.error_dict["answer"])
        return _questions_page(request, bound={question.pk: form}, status=422)
    messages.success(request, "Answered; the AE is told.")
    return redirect("followups:questions")


def _ask_page(request: AuthedRequest, meeting, form: AskForm, *, refusal=None, status=200):
    return render(
        request,
        "followups/ask.html",
        {"meeting": meeting, "form": form, "refusal": refusal},
        status=status,
    )


@login_required
@permission_required("followups.add_furtherquestion", raise_exception=True)
def question_ask(request: AuthedRequest, meeting_id: int):
    """Enter a customer's further question after the call; a topic rule's refusal
    stands beside it with the link to a new request, filled in."""
    meeting = get_object_or_404(
        Meeting.objects.visible_to(request.user).select_related("account"), pk=meeting_id
    )
    if request.method != "POST":
        return _ask_page(request, meeting, AskForm(meeting=meeting))
    form = AskForm(request.POST, meeting=meeting)
    if not form.is_valid():
        return _ask_page(request, meeting, form, status=422)
    try:
        services.ask(
            meeting,
            actor=request.user,
            question=form.data.get("question", ""),
            contact=form.cleaned_data["contact"],
            new_topic=form.cleaned_data["new_topic"],
            offering_id=form.cleaned_data["offering"].pk if form.cleaned_data["offering"] else None,
        )
    except ValidationError as exc:
        topic = exc.error_dict.pop("topic", [])
        _refused(form, exc)
        refusal = {"messages": [e.message for e in topic], "codes": [e.code for e in topic]}
        if topic:
            refusal["new_request"] = services.new_request_url(
                meeting, topic=form.data.get("question", "")
            )
        return _ask_page(request, meeting, form, refusal=refusal, status=422)
    messages.success(request, f"The question went to {meeting.cse}, who held the call.")
    return redirect(meeting)


# --- Pausing a clock -------------------------------------------------------------------


def _clock_target(request: AuthedRequest, name: str, clock_id: int):
    try:
        kind = ClockKind(name)
    except ValueError:
        raise Http404("No such clock.") from None
    item = get_object_or_404(clocks.MODELS[kind].objects.visible_to(request.user), pk=clock_id)
    perm = "change_followup" if kind == ClockKind.FOLLOW_UP else "change_furtherquestion"
    if not request.user.has_perm(f"followups.{perm}"):
        raise PermissionDenied
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return kind, item, back or clocks.clock_of(kind, item).url


def _clock_page(kind: str, clock_id: int) -> str:
    if kind == ClockKind.FOLLOW_UP:
        return reverse("followups:detail", args=[clock_id])
    return reverse("followups:questions")


@login_required
@permission_required("followups.view_followup", raise_exception=True)
@post_only(_clock_page)
def clock_pause(request: AuthedRequest, kind: str, clock_id: int):
    """Pause a clock while the customer owes us something; the reason is required."""
    clock_kind, item, back = _clock_target(request, kind, clock_id)
    form = PauseForm(request.POST)
    form.is_valid()
    try:
        clocks.pause(clock_kind, item, actor=request.user, reason=form.data.get("reason", ""))
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, _said(exc))
        return redirect(back)
    messages.success(request, "The clock is paused; resume it when the customer answers.")
    return redirect(back)


@login_required
@permission_required("followups.view_followup", raise_exception=True)
@post_only(_clock_page)
def clock_resume(request: AuthedRequest, kind: str, clock_id: int):
    clock_kind, item, back = _clock_target(request, kind, clock_id)
    try:
        item = clocks.resume(clock_kind, item, actor=request.user)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, _said(exc))
        return redirect(back)
    messages.success(request, f"The clock runs again, due {display.when(item.due_at)}.")
    return redirect(back)


def _said(exc: Exception) -> str:
    """A refusal in words, naming its field ("Reason: say why …")."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return " ".join(
            f"{field.capitalize()}: {' '.join(str(e.message) for e in errors)}"
            for field, errors in exc.error_dict.items()
        )
    return str(exc)
