from django.db import models


class RequestState(models.TextChoices):
    """The handbook's review diagram, as states (see rules.TRANSITIONS)."""

    REVIEW = "review", "Review"
    CLARIFICATION = "clarification", "Clarification"
    REJECTED = "rejected", "Rejected"
    STARTED = "started", "Started"
    COMPLETE = "complete", "Complete"
    CLOSED = "closed", "Closed"

    @property
    def colour(self) -> str:
        return {
            "review": "primary",
            "clarification": "warning",
            "rejected": "danger",
            "started": "success",
            "complete": "info",
            "closed": "secondary",
        }[self.value]


class EffortKind(models.TextChoices):
    ONE_OFF = "one_off", "One-off"
    DURATION = "duration", "A duration in weeks"


class RejectionReason(models.TextChoices):
    OUT_OF_SCOPE = "out_of_scope", "Out of CSE scope"
    NOT_ELIGIBLE = "not_eligible", "Account does not qualify"
    NO_CAPACITY = "no_capacity", "No CSE capacity"
    DUPLICATE = "duplicate", "Duplicate of another request"
    OTHER = "other", "Other"
