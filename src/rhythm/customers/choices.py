from django.db import models


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


class HealthStatus(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"

    @property
    def colour(self) -> str:
        return {"green": "success", "amber": "warning", "red": "danger"}[self.value]
