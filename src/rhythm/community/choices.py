from django.db import models


class CommunityEventKind(models.TextChoices):
    """Events of a customer's developer community, beyond the team's own webinars."""

    CONFERENCE = "conference", "Conference"
    MEETUP = "meetup", "Meetup"
    HACKATHON = "hackathon", "Hackathon"


class Contribution(models.TextChoices):
    """What the CSEs brought to it."""

    TALK = "talk", "Talk"
    WORKSHOP = "workshop", "Workshop"
    BOOTH = "booth", "Booth"


class Period(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"
    YEAR = "year", "Year"
