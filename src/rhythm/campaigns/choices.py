from django.db import models

from rhythm.core.choices import ColouredChoices


class CampaignState(ColouredChoices):
    DRAFT = "draft", "Draft", "secondary"
    APPROVED = "approved", "Approved", "info"
    ACTIVE = "active", "Active", "success"
    PAUSED = "paused", "Paused", "warning"


class CampaignSchedule(models.TextChoices):
    DAILY = "daily", "Daily at a time"
    ONCE = "once", "Once, on a day at a time"


class CampaignExclusion(ColouredChoices):
    """Why an account of the target group gets no email, in the order they are told."""

    SUPPRESSED = "suppressed", "Suppressed (opted out or in an open escalation)", "danger"
    ALREADY_RECEIVED = "already_received", "Already received this campaign", "secondary"
    NO_COVERING_CSE = "no_covering_cse", "No covering CSE", "warning"
    NO_ELIGIBLE_CONTACT = "no_eligible_contact", "No eligible contact", "warning"
