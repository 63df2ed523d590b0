from django.db import models

from rhythm.core.choices import ColouredChoices


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "To send"
    SENT = "sent", "Sent"


class ClockKind(models.TextChoices):
    FOLLOW_UP = "follow_up", "Follow-up"
    QUESTION = "question", "Further question"


class ClockState(ColouredChoices):
    """Where an SLA clock stands (docs/ui.md colours: on time moves, due soon needs
    attention, breached is urgent, paused waits on the customer)."""

    ON_TIME = "on_time", "On time", "success"
    DUE_SOON = "due_soon", "Due soon", "warning"
    BREACHED = "breached", "Breached", "danger"
    PAUSED = "paused", "Paused", "secondary"
