"""What sends surveys without anyone asking: the NPS survey of a completed complex
engagement, in the transaction that completes it. Follow-ups (meetings) call
`services.send_survey` themselves for their CSAT."""

from __future__ import annotations

from rhythm.core.events import subscribe
from rhythm.engagements.events import RequestCompleted
from rhythm.surveys import rules, services
from rhythm.surveys.choices import SurveyKind


@subscribe(RequestCompleted)
def send_nps(event: RequestCompleted) -> None:
    """Each stakeholder of the engagement who is a contact of the account gets the
    NPS survey, once (a request completed again after a reopening sends nothing)."""
    request = event.request
    # Read through the request's own fields: no import of engagements' models.
    people = [(s.contact_id, s.email, s.name) for s in request.stakeholders.all()]
    contacts = {c.pk: c for c in request.account.contacts.active().order_by("pk")}
    chosen = rules.nps_recipients(people, [(pk, c.email, c.name) for pk, c in contacts.items()])
    for contact_id in chosen:
        services.send_survey(
            SurveyKind.NPS,
            request,
            contacts[contact_id],
            cse=request.assigned_cse,
            about=request.title,
            actor=event.transition.actor,
        )
