from django.db import models


class CaseKind(models.TextChoices):
    CSE_HELP = "cse_help", "CSE help"
    ESCALATION = "escalation", "Escalation"


class Priority(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"

    @property
    def colour(self) -> str:
        return {"low": "secondary", "medium": "info", "high": "warning", "urgent": "danger"}[
            self.value
        ]


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    CLOSED = "closed", "Closed"

    @property
    def colour(self) -> str:
        return {"open": "primary", "accepted": "success", "closed": "secondary"}[self.value]
