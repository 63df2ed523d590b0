from django.db import models

from rhythm.core.choices import ColouredChoices


class CtaStatus(ColouredChoices):
    OPEN = "open", "Open", "primary"
    IN_PROGRESS = "in_progress", "In progress", "success"
    CLOSED = "closed", "Closed", "secondary"


class CtaSource(models.TextChoices):
    REALTIME = "realtime", "Raised with its case"
    RECONCILIATION = "reconciliation", "Raised by the reconciliation"
    REQUEST = "request", "Raised with an engagement request"


class TaskStatus(ColouredChoices):
    OPEN = "open", "Open", "secondary"
    DONE = "done", "Done", "success"
    SKIPPED = "skipped", "Skipped", "light"


class StepCondition(models.TextChoices):
    ALWAYS = "always", "Always"
    UNLESS_OPTED_OUT = "unless_opted_out", "Skipped when the case opted out of outreach"
