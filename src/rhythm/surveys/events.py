"""What happens to CSAT and NPS surveys (core.events). The link's secret never
travels with an event: it is only in the email the survey sent."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rhythm.core.events import Entry, Event, event


@event
@dataclass(frozen=True)
class SurveySent(Event):
    """A survey went to a contact or an address (its email is in the outbox)."""

    name = "survey.sent"
    survey: Any
    actor: Any  # who caused it, None for the system

    def timeline(self) -> Iterator[Entry]:
        survey = self.survey
        if survey.account_id is None:
            return  # sent to an address alone (a webinar's attendee): no account's line
        yield Entry(
            account_id=survey.account_id,
            kind="survey",
            title=f"{survey.get_kind_display()} survey sent to {survey.recipient_name}: "
            f"{survey.about}",
            actor=self.actor,
            link=survey.link,
            occurred_at=survey.sent_at,
        )


@event
@dataclass(frozen=True)
class SurveyAnswered(Event):
    """Its recipient answered, through the survey's link."""

    name = "survey.answered"
    survey: Any
    response: Any

    def timeline(self) -> Iterator[Entry]:
        survey, response = self.survey, self.response
        if survey.account_id is None:
            return
        low, high = survey.scale
        yield Entry(
            account_id=survey.account_id,
            kind="survey",
            title=f"{survey.recipient_name} answered the {survey.get_kind_display()} survey: "
            f"{response.score} of {high}",
            body=response.comment,
            link=survey.link,
            occurred_at=response.created_at,
        )
