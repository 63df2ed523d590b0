from django.db import models

# Cases and their CTAs share one priority scale; it lives in core, below both.
from rhythm.core.choices import Priority  # noqa: F401


class CaseKind(models.TextChoices):
    CSE_HELP = "cse_help", "CSE help"
    ESCALATION = "escalation", "Escalation"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    CLOSED = "closed", "Closed"

    @property
    def colour(self) -> str:
        return {"open": "primary", "accepted": "success", "closed": "secondary"}[self.value]
