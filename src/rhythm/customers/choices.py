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


class ContactRole(models.TextChoices):
    """The part a customer's contact plays for the account team (the handbook's
    "key personas"): who a campaign or an engagement addresses."""

    UNSPECIFIED = "", "Not set"
    ECONOMIC_BUYER = "economic_buyer", "Economic buyer"
    EXECUTIVE_SPONSOR = "executive_sponsor", "Executive sponsor"
    TECHNICAL_CHAMPION = "technical_champion", "Technical champion"
    ADMIN = "admin", "GitLab admin"
    DEVELOPER_LEAD = "developer_lead", "Developer lead"
    SECURITY_LEAD = "security_lead", "Security lead"
