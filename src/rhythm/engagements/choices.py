from django.db import models

from rhythm.core.choices import ColouredChoices


class RequestState(ColouredChoices):
    """The handbook's review diagram, as states (see rules.TRANSITIONS)."""

    REVIEW = "review", "Review", "primary"
    CLARIFICATION = "clarification", "Clarification", "warning"
    REJECTED = "rejected", "Rejected", "danger"
    STARTED = "started", "Started", "success"
    COMPLETE = "complete", "Complete", "info"
    CLOSED = "closed", "Closed", "secondary"


class EffortKind(models.TextChoices):
    ONE_OFF = "one_off", "One-off"
    DURATION = "duration", "A duration in weeks"


class RejectionReason(models.TextChoices):
    OUT_OF_SCOPE = "out_of_scope", "Out of CSE scope"
    NOT_ELIGIBLE = "not_eligible", "Account does not qualify"
    NO_CAPACITY = "no_capacity", "No CSE capacity"
    DUPLICATE = "duplicate", "Duplicate of another request"
    OTHER = "other", "Other"
