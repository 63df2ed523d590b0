from django.db import models

from rhythm.core.choices import ColouredChoices


class EscalationKind(models.TextChoices):
    """The handbook's two kinds (DESIGN rule 10)."""

    SUPPORT = "support", "Support escalation"
    ACCOUNT = "account", "Account escalation"


class EscalationRisk(models.TextChoices):
    """What an account escalation puts at risk, in the handbook's words."""

    BLOCKING = "blocking_use_case", "Blocking a critical use case"
    VENDORS = "evaluating_vendors", "Evaluating other vendors"
    CHURN = "churn", "Churn risk"
    CONTRACTION = "contraction", "Contraction risk"


class EscalationState(ColouredChoices):
    RAISED = "raised", "Raised", "primary"
    APPROVED = "approved", "Approved", "success"
    DECLINED = "declined", "Declined", "danger"
    ACTIVE = "active", "Active", "success"
    RESOLVED = "resolved", "Resolved", "info"
    CLOSED = "closed", "Closed", "secondary"


class VerdictOutcome(ColouredChoices):
    """The qualification's answer, as the list filters by it."""

    QUALIFIES = "qualifies", "Qualifies", "success"
    DOES_NOT_QUALIFY = "does_not_qualify", "Does not qualify", "danger"
