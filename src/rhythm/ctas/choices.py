from django.db import models


class CtaStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    CLOSED = "closed", "Closed"

    @property
    def colour(self) -> str:
        return {"open": "primary", "in_progress": "success", "closed": "secondary"}[self.value]


class CtaSource(models.TextChoices):
    REALTIME = "realtime", "Raised with its case"
    RECONCILIATION = "reconciliation", "Raised by the reconciliation"
    REQUEST = "request", "Raised with an engagement request"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    SKIPPED = "skipped", "Skipped"

    @property
    def colour(self) -> str:
        return {"open": "secondary", "done": "success", "skipped": "light"}[self.value]


class StepCondition(models.TextChoices):
    ALWAYS = "always", "Always"
    UNLESS_OPTED_OUT = "unless_opted_out", "Skipped when the case opted out of outreach"
