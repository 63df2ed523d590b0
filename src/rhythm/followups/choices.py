from django.db import models


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "To send"
    SENT = "sent", "Sent"
