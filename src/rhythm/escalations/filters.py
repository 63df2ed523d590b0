"""One filter definition for the escalation list page and `GET /escalations`."""

from typing import Annotated

from ninja import FilterLookup, FilterSchema
from pydantic import Field

from rhythm.core.api import Id, Text
from rhythm.escalations.choices import EscalationKind, EscalationState, VerdictOutcome


class EscalationFilter(FilterSchema):
    account: Annotated[Id | None, FilterLookup("account_id")] = None
    state: EscalationState | None = None
    kind: EscalationKind | None = None
    segment: Annotated[Id | None, FilterLookup("segment_id")] = None
    region: Annotated[Text | None, FilterLookup("region"), Field(None, max_length=16)] = None
    verdict: VerdictOutcome | None = None
