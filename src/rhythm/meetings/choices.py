from django.db import models


class MeetingKind(models.TextChoices):
    SPOT = "spot", "Spot engagement"
    ENGAGEMENT = "engagement", "Complex engagement"
    CASE = "case", "CS Help case call"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"
