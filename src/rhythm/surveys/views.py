"""The public answer page (no sign-in: the link's token is the key), and the panels
surveys bring to the request and member pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_ratelimit.decorators import ratelimit

from rhythm.surveys import selectors, services
from rhythm.surveys.forms import AnswerForm

# What a refused link answers: a page saying why, with a status a robot understands.
REFUSED = {services.INVALID: 404, "expired": 410, "answered": 200}


def _rate(group: str, request: HttpRequest) -> str:
    return settings.RHYTHM_SURVEY_RATE  # read per request, so a deployment (or test) sets it


def _refused(request: HttpRequest, refusal: services.LinkRefused, *, posted: bool) -> HttpResponse:
    status = REFUSED[refusal.state]
    if refusal.state == "answered" and posted:
        status = 409  # a second answer: refused, politely
    return render(
        request,
        "surveys/link_refused.html",
        {"state": refusal.state, "survey": refusal.survey},
        status=status,
    )


@never_cache
@ratelimit(key="ip", rate=_rate, method=ratelimit.ALL, block=False)
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """A contact's survey, from the link in its email: the question, then thanks."""
    if getattr(request, "limited", False):
        return render(request, "surveys/limited.html", status=429)
    try:
        survey = services.openable(token)
    except services.LinkRefused as refusal:
        return _refused(request, refusal, posted=request.method == "POST")
    # Bound on every POST, an empty one too: no score is an error naming the field.
    form = AnswerForm(request.POST if request.method == "POST" else None, kind=survey.kind)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer(token, **form.cleaned_data)
        except services.LinkRefused as refusal:
            return _refused(request, refusal, posted=True)
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return render(request, "surveys/thanks.html", {"survey": survey})
    status = 422 if form.errors else 200
    return render(request, "surveys/answer.html", {"survey": survey, "form": form}, status=status)


# --- Panels on other apps' pages (core.registry.Panel) --------------------------------


def subject_panel(request: Any, subject: Any) -> str:
    """The surveys sent about an engagement (or any subject) and their answers."""
    if not request.user.has_perm("surveys.view_survey"):
        return ""
    sent = list(selectors.about(request.user, subject)[:50])
    return render_to_string(
        "surveys/_subject_panel.html", {"surveys": sent, "subject": subject}, request=request
    )


# The member page's figures: the last quarter or so, as a CSE's review reads them.
MEMBER_PERIOD = timedelta(days=90)


def member_panel(request: Any, member: Any) -> str:
    """A CSE's survey figures over the last 90 days and their latest answers, of the
    accounts the viewer sees."""
    if not request.user.has_perm("surveys.view_survey"):
        return ""
    theirs = selectors.in_period(
        selectors.surveys(request.user), cse=member, since=timezone.now() - MEMBER_PERIOD
    )
    figures = selectors.kpis(theirs)
    if not any(k.sent for k in figures.values()):
        return ""
    latest = list(
        theirs.filter(answered_at__isnull=False)
        .select_related("account", "response")
        .order_by("-answered_at")[:10]
    )
    return render_to_string(
        "surveys/_member_panel.html",
        {
            "figures": figures.values(),
            "latest": latest,
            "member": member,
            "days": MEMBER_PERIOD.days,
        },
        request=request,
    )
