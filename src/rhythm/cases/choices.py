from django.db import models

# Cases and their CTAs share one priority scale; it lives in core, below both.
from rhythm.core.choices import (
    ColouredChoices,
    Priority,  # noqa: F401
)


class CaseKind(models.TextChoices):
    CSE_HELP = "cse_help", "CSE help"
    ESCALATION = "escalation", "Escalation"


class CaseStatus(ColouredChoices):
    OPEN = "open", "Open", "primary"
    ACCEPTED = "accepted", "Accepted", "success"
    CLOSED = "closed", "Closed", "secondary"
