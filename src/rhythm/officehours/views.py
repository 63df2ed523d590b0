from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from rhythm.core.http import AuthedRequest
from rhythm.customers.models import Account
from rhythm.officehours import services
from rhythm.officehours.choices import QuestionStatus
from rhythm.officehours.forms import AnswerForm, QuestionForm, SessionForm, SpotForm
from rhythm.officehours.models import OfficeHourSession, Question


def _questions(request: AuthedRequest):
    return Question.objects.filter(
        account__in=Account.objects.visible_to(request.user)
    ).select_related("session__cse", "account", "asked_by")


def _attach(form, exc: ValidationError) -> None:
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
@permission_required("officehours.view_officehoursession", raise_exception=True)
def session_list(request: AuthedRequest):
    accounts = Account.objects.visible_to(request.user).active().only("pk", "name")
    question_form = QuestionForm(request.POST or None, accounts=accounts, prefix="q")
    session_form = SessionForm(prefix="s")
    if request.method == "POST" and question_form.is_valid():
        data = question_form.cleaned_data
        try:
            question = services.ask(
                request.user,
                session=data["session"],
                account_id=data["account"],
                topic=data["topic"],
                context=data["context"],
            )
        except ValidationError as exc:
            _attach(question_form, exc)
        except PermissionDenied as exc:
            question_form.add_error(None, str(exc))
        else:
            messages.success(request, "Question added to the session.")
            return redirect("officehours:question", question_id=question.pk)
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


@login_required
@permission_required("officehours.add_officehoursession", raise_exception=True)
@require_POST
def session_create(request: AuthedRequest):
    form = SessionForm(request.POST, prefix="s")
    if form.is_valid():
        try:
            services.save_session(request.user, form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Office hours added.")
    else:
        problems = [
            f"{field}: {' '.join(map(str, errors))}" for field, errors in form.errors.items()
        ]
        messages.error(request, "; ".join(problems))
    return redirect("officehours:list")


@login_required
@permission_required("officehours.view_question", raise_exception=True)
def question_detail(request: AuthedRequest, question_id: int):
    question = get_object_or_404(_questions(request).select_related("meeting"), pk=question_id)
    answer_form = AnswerForm(request.POST or None)
    spot_form = SpotForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "spot" and spot_form.is_valid():
                services.make_spot_engagement(
                    question,
                    actor=request.user,
                    scheduled_at=spot_form.cleaned_data["scheduled_at"],
                )
                messages.success(request, "Spot engagement scheduled.")
                return redirect("officehours:question", question_id=question.pk)
            if request.POST.get("action") == "answer" and answer_form.is_valid():
                services.answer(
                    question, actor=request.user, text=answer_form.cleaned_data["answer"]
                )
                messages.success(request, "Answered; the CSM has been emailed.")
                return redirect("officehours:question", question_id=question.pk)
        except ValidationError as exc:
            _attach(answer_form, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
    return render(
        request,
        "officehours/question_detail.html",
        {"question": question, "answer_form": answer_form, "spot_form": spot_form},
    )
