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


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERING = "delivering", "Delivering"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class Priority(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"

    @property
    def colour(self) -> str:
        return {"low": "secondary", "medium": "info", "high": "warning", "urgent": "danger"}[
            self.value
        ]
