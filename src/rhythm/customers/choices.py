from django.db import models

from rhythm.core.choices import ColouredChoices


class OpportunityStage(models.TextChoices):
    QUALIFICATION = "qualification", "Qualification"
    DISCOVERY = "discovery", "Discovery"
    SCOPING = "scoping", "Scoping"
    PROPOSAL = "proposal", "Proposal"
    NEGOTIATING = "negotiating", "Negotiating"
    CLOSED_WON = "closed_won", "Closed won"
    CLOSED_LOST = "closed_lost", "Closed lost"

    @property
    def is_closed(self) -> bool:
        return self in (OpportunityStage.CLOSED_WON, OpportunityStage.CLOSED_LOST)


class HealthStatus(ColouredChoices):
    GREEN = "green", "Green", "success"
    AMBER = "amber", "Amber", "warning"
    RED = "red", "Red", "danger"
