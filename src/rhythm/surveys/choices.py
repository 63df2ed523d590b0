from rhythm.core.choices import ColouredChoices


class SurveyKind(ColouredChoices):
    """What a survey asks: CSAT after a follow-up email, NPS after a complex engagement."""

    CSAT = "csat", "CSAT", "info"
    NPS = "nps", "NPS", "primary"


class SurveyState(ColouredChoices):
    """Where a survey stands, read from its times (never stored)."""

    SENT = "sent", "Waiting for an answer", "primary"
    ANSWERED = "answered", "Answered", "success"
    EXPIRED = "expired", "Expired", "secondary"
