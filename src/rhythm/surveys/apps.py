from rhythm.core import registry
from rhythm.core.registry import EVERYONE, Panel, TimelineKind

_READ = ("surveys.view_survey", "surveys.view_surveyresponse")


class SurveysConfig(registry.RhythmAppConfig):
    name = "rhythm.surveys"
    label = "surveys"
    verbose_name = "Surveys"

    url_prefix = "surveys/"
    urls = "rhythm.surveys.urls"
    api_router = "rhythm.surveys.api.router"
    timeline_kinds = (TimelineKind("survey", "Survey", "bi-chat-heart"),)
    panels = (
        Panel("engagements.engagementrequest", "rhythm.surveys.views.subject_panel", order=40),
        Panel("people.user", "rhythm.surveys.views.member_panel", order=40),
    )
    # Anyone who sees an account sees what its contacts answered; nobody writes one
    # but the contact, through the link.
    role_grants = {EVERYONE: _READ}
    registers = ("rhythm.surveys.subscribers", "rhythm.surveys.checks")
    on_migrate = ("rhythm.surveys.services.ensure_rate_limit_table",)
