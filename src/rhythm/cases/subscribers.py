"""A case follows its CTA. The CTA's app never writes a case: the case's app hears
the CTA move and moves the case through its own service (cases.rules.WORKFLOW)."""

from __future__ import annotations

from rhythm.cases import services
from rhythm.cases.choices import CaseStatus
from rhythm.core.events import subscribe
from rhythm.ctas.events import CtaAccepted, CtaClosed


@subscribe(CtaAccepted)
def case_accepted(event: CtaAccepted) -> None:
    if event.cta.case_id is not None and event.cta.case.status == CaseStatus.OPEN:
        services.follow_cta(event.cta.case_id, CaseStatus.ACCEPTED, actor=event.actor)


@subscribe(CtaClosed)
def case_closed(event: CtaClosed) -> None:
    if event.cta.case_id is not None:
        services.follow_cta(event.cta.case_id, CaseStatus.CLOSED, actor=event.actor)
