"""What the engagement page tests share: a signed-in client, a request's data and form, a move,
the errors beside a field."""

from __future__ import annotations

import re
from decimal import Decimal

from rhythm.engagements import services
from rhythm.engagements.services import TransitionInput
from tests.engagements_fixtures import TARGET_START

HTMX = {"HX-Request": "true"}
STAKEHOLDER = {"name": "Ana Costa", "role_title": "VP Eng", "responsibilities": "Sponsor"}


def signed_in(client, user):
    client.force_login(user)
    return client


def service_data(account, objective) -> dict:
    """A complex request as the service takes it, every rule met."""
    return {
        "account": account.pk,
        "objective": objective.pk,
        "title": "CI for three teams",
        "effort_kind": "duration",
        "duration_weeks": 6,
        "hours_per_week": Decimal("5"),
        "target_start_date": TARGET_START,
        "outcome": "Every team builds on GitLab CI.",
        "metrics": ["Pipelines under 10 minutes"],
        "deliverables": ["Reference pipeline"],
    }


# The doc a completed engagement updated, as the helpers' completions link it.
DOC_URL = "https://docs.example/runbooks/ci-caching"


def all_achieved(request) -> tuple[services.DeliverableAnswer, ...]:
    """Marking complete's answers when every agreed deliverable was achieved on time."""
    request.refresh_from_db(fields=["deliverables"])
    return tuple(
        services.DeliverableAnswer(achieved=True, on_time=True) for _ in request.deliverables
    )


def move(request, actor, to, **kw):
    if to == "complete" and "deliverables" not in kw:
        kw["deliverables"] = all_achieved(request)
    if to == "complete" and "doc_url" not in kw and "doc_none_reason" not in kw:
        kw["doc_url"] = DOC_URL
    return services.transition(request, actor, TransitionInput(to=to, **kw))


def field_errors(html: str, field: str) -> str:
    found = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)).strip() if found else ""


def move_errors(html: str, element_id: str) -> str:
    """The errors beside one field of a transition form (ids like reason-clarification)."""
    found = re.search(rf'<ul class="errorlist" id="{element_id}_error"[^>]*>(.*?)</ul>', html, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)).strip() if found else ""


def request_form(chosen, **changes) -> dict:
    data = {
        "objective": chosen.pk,
        "title": "CI for three teams",
        "effort_kind": "duration",
        "duration_weeks": "6",
        "hours_per_week": "5",
        "target_start_date": TARGET_START.isoformat(),
        "outcome": "Every team builds on GitLab CI.",
        "metrics": "Pipelines under 10 minutes\nNo Jenkins jobs left",
        "deliverables": "Reference pipeline",
        "stakeholders-TOTAL_FORMS": "3",
        "stakeholders-INITIAL_FORMS": "0",
        "stakeholders-MIN_NUM_FORMS": "0",
        "stakeholders-MAX_NUM_FORMS": "20",
        "stakeholders-0-name": STAKEHOLDER["name"],
        "stakeholders-0-role_title": STAKEHOLDER["role_title"],
        "stakeholders-0-responsibilities": STAKEHOLDER["responsibilities"],
    }
    data.update(changes)
    return data
