from rhythm.core import registry
from rhythm.core.registry import EVERYONE, NavItem, Panel, TimelineKind
from rhythm.people.choices import Role


class FollowupsConfig(registry.RhythmAppConfig):
    name = "rhythm.followups"
    label = "followups"
    verbose_name = "Follow-ups"

    url_prefix = "followups/"
    urls = "rhythm.followups.urls"
    api_router = "rhythm.followups.api.router"
    timeline_kinds = (TimelineKind("followup", "Follow-up", "bi-envelope-check"),)
    navigation = (
        NavItem(
            "followups.view_furtherquestion",
            "followups:questions",
            "Further questions",
            order=37,
            icon="bi-chat-square-text",
        ),
    )
    panels = (Panel("meetings.meeting", "rhythm.followups.views.meeting_panel", order=40),)
    registers = ("rhythm.followups.subscribers",)
    # Whoever hears a customer's further question enters it (the CSE, the AE, the
    # CSM); it goes to the CSE who held the call, who answers it.
    _ASK = ("followups.add_furtherquestion",)
    _RUN = ("followups.change_followup", "followups.change_furtherquestion", *_ASK)
    role_grants = {
        EVERYONE: ("followups.view_followup", "followups.view_furtherquestion"),
        Role.ACCOUNT_OWNER: _ASK,
        Role.CSM: _ASK,
        Role.CSE: _RUN,
        Role.CSE_MANAGER: _RUN,
        Role.ADMIN: _RUN,
    }
