from django.db import models

from rhythm.core.choices import ColouredChoices


class MeetingKind(models.TextChoices):
    SPOT = "spot", "Spot engagement"
    ENGAGEMENT = "engagement", "Complex engagement"
    CASE = "case", "CS Help case call"


class MeetingStatus(ColouredChoices):
    SCHEDULED = "scheduled", "Scheduled", "primary"
    HELD = "held", "Held", "success"
    CANCELLED = "cancelled", "Cancelled", "secondary"
