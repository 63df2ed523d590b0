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


# The CTAs of CS Help cases (a request's CTA moves with its request): told by their
# source, a column an index can hold, rather than by `request IS NULL`.
CASE_SOURCES = (CtaSource.REALTIME, CtaSource.RECONCILIATION)


class TaskStatus(ColouredChoices):
    OPEN = "open", "Open", "secondary"
    DONE = "done", "Done", "success"
    SKIPPED = "skipped", "Skipped", "light"


class StepCondition(models.TextChoices):
    ALWAYS = "always", "Always"
    UNLESS_OPTED_OUT = "unless_opted_out", "Skipped when the case opted out of outreach"


class OutreachState(models.TextChoices):
    """Where a CTA's outreach email is (ctas.services.outreach_stage)."""

    SENT = "sent", "Sent"
    DRAFT = "draft", "Drafted, waiting for its owner to send it"
    UNASSIGNED = "unassigned", "Waiting for someone to accept the CTA"
    OPTED_OUT = "opted_out", "The account owner opted out"
    CLOSED = "closed", "Closed before it was sent"
    NONE = "none", "No outreach: the CTA tracks a complex engagement"
