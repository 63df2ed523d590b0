from django.db import models

from rhythm.core.choices import ColouredChoices


class CaseKind(models.TextChoices):
    CSE_HELP = "cse_help", "CSE help"
    ESCALATION = "escalation", "Escalation"


class Priority(ColouredChoices):
    LOW = "low", "Low", "secondary"
    MEDIUM = "medium", "Medium", "info"
    HIGH = "high", "High", "warning"
    URGENT = "urgent", "Urgent", "danger"


class CaseStatus(ColouredChoices):
    OPEN = "open", "Open", "primary"
    ACCEPTED = "accepted", "Accepted", "success"
    CLOSED = "closed", "Closed", "secondary"
