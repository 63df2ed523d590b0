from django.db import models


class MessageChannel(models.TextChoices):
    EMAIL = "email", "Email"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"

    @property
    def colour(self) -> str:
        return {
            "pending": "secondary",
            "sending": "info",
            "sent": "success",
            "failed": "danger",
        }[self.value]
