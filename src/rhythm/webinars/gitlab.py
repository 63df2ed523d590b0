"""The optional GitLab mirror of a lab's environment request: when RHYTHM_GITLAB_URL,
_TOKEN and _PROJECT are set, filing a request also opens an issue in that project
for the demo architects who work from GitLab, and the issue's address is kept on
the request (shown on the event page and the board).

After commit (a durable subscriber): the queue hands the delivery over once and
retries it with back-off when GitLab refuses or is away. GitLab's issues API takes
no idempotency key, so the issue carries the delivery's key in its description and
a retry first looks for it: a worker that died after GitLab answered, before the
address was saved, finds the issue it opened rather than opening a second."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests
from django.conf import settings

from rhythm.core.events import subscribe
from rhythm.webinars.events import EnvironmentRequested
from rhythm.webinars.models import EnvironmentRequest

TIMEOUT_SECONDS = 10


def configured() -> bool:
    return bool(
        settings.RHYTHM_GITLAB_URL
        and settings.RHYTHM_GITLAB_TOKEN
        and settings.RHYTHM_GITLAB_PROJECT
    )


def _issues_url() -> str:
    project = quote(settings.RHYTHM_GITLAB_PROJECT, safe="")
    return f"{settings.RHYTHM_GITLAB_URL}/api/v4/projects/{project}/issues"


def _headers() -> dict[str, str]:
    return {"PRIVATE-TOKEN": settings.RHYTHM_GITLAB_TOKEN}


def issue_body(request: EnvironmentRequest, key: str) -> dict[str, Any]:
    webinar = request.webinar
    page = settings.SITE_URL + webinar.get_absolute_url()
    lines = [
        f"**{webinar.title}** ({webinar.region}), {webinar.local_when}, "
        f"{webinar.duration_minutes} minutes.",
        "",
        f"- DRI: {webinar.host}",
        f"- Filed {request.days_before} days before delivery"
        + (f", **late**: {request.late_reason}" if request.late else ""),
        f"- Access window: {webinar.access_days or 2} days",
    ]
    if webinar.content_project_url:
        lines.append(f"- Content project: {webinar.content_project_url}")
    if request.notes:
        lines += ["", request.notes]
    lines += [
        "",
        f"Worked in Rhythm: {page} (the invitation codes go there, never here).",
        "",
        f"<!-- rhythm:{key} -->",
    ]
    labels = ["lab-environment"] + (["late"] if request.late else [])
    return {
        "title": f"Lab environment: {webinar.deck_name}",
        "description": "\n".join(lines),
        "labels": ",".join(labels),
    }


def _opened_before(key: str) -> str:
    """The address of the issue an earlier attempt of this delivery opened, or ""."""
    response = requests.get(
        _issues_url(),
        params={"search": f"rhythm:{key}", "in": "description"},
        headers=_headers(),
        timeout=TIMEOUT_SECONDS,
    )
    response.raise_for_status()
    for issue in response.json():
        if f"rhythm:{key}" in (issue.get("description") or ""):
            return str(issue["web_url"])
    return ""


@subscribe(EnvironmentRequested, durable=True)
def mirror_on_gitlab(payload: dict[str, Any], key: str) -> None:
    """Open the request's issue on GitLab, once; keep its address."""
    if not configured():
        return  # GitLab is not configured: nothing to mirror
    request = EnvironmentRequest.objects.select_related(
        "webinar__host", "webinar__lab_template"
    ).get(pk=payload["request"])
    if request.gitlab_issue_url:
        return
    url = _opened_before(key)
    if not url:
        response = requests.post(
            _issues_url(),
            json=issue_body(request, key),
            headers=_headers(),
            timeout=TIMEOUT_SECONDS,
        )
        # A refusal or an outage raises: the delivery is retried with back-off.
        response.raise_for_status()
        url = str(response.json()["web_url"])
    # Only this column: a demo architect may be moving the request meanwhile.
    EnvironmentRequest.objects.filter(pk=request.pk, gitlab_issue_url="").update(
        gitlab_issue_url=url
    )
