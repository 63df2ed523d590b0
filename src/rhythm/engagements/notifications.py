"""Who hears of a request's moves, and what they are told: emails through the
outbox, written in the transaction of the move (rules.NOTIFIED says to whom), by
subscribers to the request's events."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from rhythm.core import services as core_services
from rhythm.core.events import subscribe
from rhythm.engagements import rules
from rhythm.engagements.choices import RequestState
from rhythm.engagements.events import RequestFiled, RequestMoved
from rhythm.engagements.models import EngagementRequest, Transition
from rhythm.people.choices import Role
from rhythm.people.models import User

_HEADLINES = {
    RequestState.CLARIFICATION: "{actor} asked a question about this engagement request.",
    RequestState.REVIEW: "{actor} answered your question; the request is back in review.",
    RequestState.REJECTED: "{actor} rejected this engagement request.",
    RequestState.STARTED: "{actor} qualified this engagement request and assigned {cse}.",
    RequestState.COMPLETE: "{actor} completed this engagement.",
    RequestState.CLOSED: "{actor} closed this engagement request.",
}
_FILED = "{actor} filed a complex engagement request: it waits for a CSE manager's review."
_NEXT_STEPS = {
    (RequestState.REVIEW, rules.Party.MANAGER): "Qualify it, ask the CSM, or reject it.",
    (RequestState.COMPLETE, rules.Party.MANAGER): "Close it to close its CTA.",
    (RequestState.CLARIFICATION, rules.Party.REQUESTER): "Answer it on the request page.",
    (RequestState.STARTED, rules.Party.ASSIGNED_CSE): (
        "Its CTA is on your list, with the playbook's tasks."
    ),
}


def request_moved(request: EngagementRequest, record: Transition) -> None:
    """Email the people the move concerns, through the outbox, once per move.

    Filing goes to every CSE manager, who review it; each later move to the
    parties rules.NOTIFIED names for it."""
    key = (
        (RequestState(record.from_state), RequestState(record.to_state))
        if record.from_state
        else None
    )
    if key is None or key in rules.EVERY_MANAGER_HEARS:
        managers = User.objects.active().filter(groups__name=Role.CSE_MANAGER.label)
        people = [(manager, rules.Party.MANAGER) for manager in managers]
    else:
        people = [(_party_member(request, party), party) for party in rules.NOTIFIED.get(key, ())]
    recipients: dict[int, tuple[User, rules.Party]] = {}
    for person, party in people:
        if person is not None and person.pk != record.actor_id and person.email:
            recipients.setdefault(person.pk, (person, party))
    if not recipients:
        return
    state = RequestState(record.to_state)
    headline = (_HEADLINES[state] if record.from_state else _FILED).format(
        actor=record.actor, cse=request.assigned_cse
    )
    for person, party in recipients.values():
        context = {
            "recipient": person,
            "request": request,
            "record": record,
            "headline": headline,
            "next_step": _NEXT_STEPS.get((state, party), ""),
            "url": settings.SITE_URL + request.get_absolute_url(),
        }
        core_services.enqueue_email(
            key=f"request-transition:{record.pk}:{person.pk}",
            to=[person.email],
            reply_to=[record.actor.email] if record.actor.email else [],
            subject=f"{'New request' if not record.from_state else state.label}: {request.title}",
            body_text=render_to_string("engagements/email/transition.txt", context),
            body_html=render_to_string("engagements/email/transition.html", context),
        )


def _party_member(request: EngagementRequest, party: rules.Party) -> User | None:
    if party == rules.Party.REQUESTER:
        return request.requested_by
    if party == rules.Party.ASSIGNED_CSE:
        return request.assigned_cse
    # The manager who last acted on it: the one who asked (told of the answer) or
    # the one who qualified it (told when it is complete).
    last = (
        request.transitions.filter(to_state__in=[RequestState.CLARIFICATION, RequestState.STARTED])
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    return last.actor if last else None


@subscribe(RequestFiled)
@subscribe(RequestMoved)
def tell_of_move(event: RequestFiled | RequestMoved) -> None:
    request_moved(event.request, event.transition)
