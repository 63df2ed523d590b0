from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from rhythm.core.forms import once
from rhythm.core.http import AuthedRequest, post_only
from rhythm.customers.models import Account
from rhythm.officehours import services
from rhythm.officehours.choices import QuestionStatus
from rhythm.officehours.forms import AnswerForm, QuestionForm, SessionForm, SpotForm
from rhythm.officehours.models import OfficeHourSession, Question


def _questions(request: AuthedRequest):
    return Question.objects.visible_to(request.user).select_related(
        "session__cse", "account", "asked_by"
    )


def _attach(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _page(request: AuthedRequest, question_form: QuestionForm, session_form: SessionForm):
    open_questions = _questions(request).filter(status=QuestionStatus.OPEN)
    return render(
        request,
        "officehours/session_list.html",
        {
            "sessions": OfficeHourSession.objects.active().select_related("cse"),
            "open_questions": open_questions[:100],
            "question_form": question_form,
            "session_form": session_form,
        },
    )


def _accounts(request: AuthedRequest):
    return Account.objects.visible_to(request.user).active().only("pk", "name")


@login_required
@permission_required("officehours.view_officehoursession", raise_exception=True)
def session_list(request: AuthedRequest) -> HttpResponse:
    """The sessions, the open questions, and the form a CSM brings a question with."""
    question_form = QuestionForm(request.POST or None, accounts=_accounts(request), prefix="q")
    if request.method == "POST":
        if not request.user.has_perm("officehours.add_question"):
            raise PermissionDenied("Only a CSM brings questions to office hours.")
        if question_form.is_valid():
            data = question_form.cleaned_data
            try:
                question, created = once(
                    request,
                    lambda: services.ask(
                        request.user,
                        session=data["session"],
                        account_id=data["account"],
                        topic=data["topic"],
                        context=data["context"],
                    ),
                )
            except ValidationError as exc:
                _attach(question_form, exc)
            else:
                if created:
                    messages.success(request, "Question added to the session.")
                return redirect("officehours:question", question_id=question.pk)
    return _page(request, question_form, SessionForm(prefix="s"))


@login_required
@permission_required("officehours.add_officehoursession", raise_exception=True)
@post_only(lambda: reverse("officehours:list"))
def session_create(request: AuthedRequest) -> HttpResponse:
    form = SessionForm(request.POST, prefix="s")
    if form.is_valid():
        try:
            _, created = once(
                request, lambda: services.save_session(request.user, form.cleaned_data)
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            if created:
                messages.success(request, "Office hours added.")
            return redirect("officehours:list")
    # The errors beside their fields, on the page the form lives on.
    return _page(request, QuestionForm(accounts=_accounts(request), prefix="q"), form)


@login_required
@permission_required("officehours.view_question", raise_exception=True)
def question_detail(request: AuthedRequest, question_id: int) -> HttpResponse:
    """A question; its CSE (or a manager) answers it or turns it into a spot call."""
    question = get_object_or_404(_questions(request).select_related("meeting"), pk=question_id)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    # Only the form that was sent is bound: the other one shows no errors.
    answer_form = AnswerForm(request.POST if action == "answer" else None)
    spot_form = SpotForm(request.POST if action == "spot" else None)
    can_handle = request.user.manages_cses or (
        request.user.has_perm("officehours.change_question")
        and question.session.cse_id == request.user.pk
    )
    if request.method == "POST":
        if not can_handle:
            raise PermissionDenied("Only the session's CSE or a manager handles its questions.")
        form = spot_form if action == "spot" else answer_form
        try:
            if action == "spot" and spot_form.is_valid():
                question, created = once(
                    request,
                    lambda: services.make_spot_engagement(
                        question,
                        actor=request.user,
                        scheduled_at=spot_form.cleaned_data["scheduled_at"],
                    ),
                )
                if created:
                    messages.success(request, f"Spot engagement scheduled: {question.meeting}.")
                return redirect("officehours:question", question_id=question.pk)
            if action == "answer" and answer_form.is_valid():
                services.answer(
                    question, actor=request.user, text=answer_form.cleaned_data["answer"]
                )
                messages.success(request, "Answered; the CSM has been emailed.")
                return redirect("officehours:question", question_id=question.pk)
        except ValidationError as exc:
            if "status" in getattr(exc, "error_dict", {}):
                # Decided meanwhile (by someone else, or in another tab): show what it became.
                messages.warning(request, " ".join(exc.messages))
                return redirect("officehours:question", question_id=question.pk)
            _attach(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
    return render(
        request,
        "officehours/question_detail.html",
        {
            "question": question,
            "answer_form": answer_form,
            "spot_form": spot_form,
            "can_handle": can_handle,
        },
    )
