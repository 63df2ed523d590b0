"""What the engagement page tests share: a signed-in client, a request's data, a move."""

from __future__ import annotations

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


def all_achieved(request) -> tuple[services.DeliverableAnswer, ...]:
    """Marking complete's answers when every agreed deliverable was achieved on time."""
    request.refresh_from_db(fields=["deliverables"])
    return tuple(
        services.DeliverableAnswer(achieved=True, on_time=True) for _ in request.deliverables
    )


def move(request, actor, to, **kw):
    if to == "complete" and "deliverables" not in kw:
        kw["deliverables"] = all_achieved(request)
    return services.transition(request, actor, TransitionInput(to=to, **kw))
