from rhythm.core import registry
from rhythm.core.registry import EVERYONE, Panel, TimelineKind
from rhythm.people.choices import Role


class FollowupsConfig(registry.RhythmAppConfig):
    name = "rhythm.followups"
    label = "followups"
    verbose_name = "Follow-ups"

    url_prefix = "followups/"
    urls = "rhythm.followups.urls"
    api_router = "rhythm.followups.api.router"
    timeline_kinds = (TimelineKind("followup", "Follow-up", "bi-envelope-check"),)
    panels = (Panel("meetings.meeting", "rhythm.followups.views.meeting_panel", order=40),)
    registers = ("rhythm.followups.subscribers",)
    role_grants = {
        EVERYONE: ("followups.view_followup",),
        Role.CSE: ("followups.change_followup",),
        Role.CSE_MANAGER: ("followups.change_followup",),
        Role.ADMIN: ("followups.change_followup",),
    }
