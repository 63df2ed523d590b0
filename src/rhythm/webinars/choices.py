from django.db import models

from rhythm.core.choices import ColouredChoices


class Kind(ColouredChoices):
    """Webinars are pre-recorded with CSEs on Q&A; in a lab each attendee works in an
    environment of their own."""

    WEBINAR = "webinar", "Webinar", "info"
    LAB = "lab", "Hands-on lab", "primary"


class Region(models.TextChoices):
    AMER = "AMER", "AMER"
    EMEA = "EMEA", "EMEA"
    APAC = "APAC", "APAC"


class WebinarStatus(ColouredChoices):
    DRAFT = "draft", "Draft", "secondary"
    PUBLISHED = "published", "Published", "primary"
    DELIVERED = "delivered", "Delivered", "info"
    CLOSED = "closed", "Closed", "secondary"
    CANCELLED = "cancelled", "Cancelled", "danger"


class RegistrationStatus(ColouredChoices):
    PENDING = "pending", "Waiting for confirmation", "warning"
    CONFIRMED = "confirmed", "Confirmed", "success"
    WAITLISTED = "waitlisted", "On the waiting list", "info"
    CANCELLED = "cancelled", "Cancelled", "secondary"


class RequestStatus(ColouredChoices):
    """The demo architects' fulfilment board, left to right."""

    REQUESTED = "requested", "Requested", "primary"
    IN_PROGRESS = "in_progress", "In progress", "success"
    READY = "ready", "Ready", "info"
    VERIFIED = "verified", "Verified", "success"


class SignUpRole(models.TextChoices):
    HOST = "host", "DRI (host)"
    HELPER = "helper", "Q&A helper"


class AccessDays(models.IntegerChoices):
    TWO = 2, "2 days"
    FOUR = 4, "4 days"
