from rhythm.core import registry
from rhythm.core.registry import EVERYONE, AccountTab, NavItem, TimelineKind
from rhythm.people.choices import Role


class MeetingsConfig(registry.RhythmAppConfig):
    name = "rhythm.meetings"
    label = "meetings"
    verbose_name = "Meetings"

    url_prefix = "meetings/"
    urls = "rhythm.meetings.urls"
    api_router = "rhythm.meetings.api.router"
    timeline_kinds = (TimelineKind("meeting", "Meeting", "bi-camera-video"),)
    account_tabs = (
        AccountTab(
            "meetings",
            "Meetings",
            "rhythm.meetings.views.account_tab",
            "meetings.view_meeting",
            order=60,
            figures="rhythm.meetings.views.account_figures",
        ),
    )
    on_migrate = ("rhythm.meetings.services.ensure_checklist_template",)
    navigation = (
        NavItem(
            "meetings.view_meeting",
            "meetings:mine",
            "My calls",
            group="Engagements",
            order=35,
            icon="bi-camera-video",
        ),
    )
    role_grants = {
        EVERYONE: ("meetings.view_meeting",),
        Role.CSE: ("meetings.add_meeting",),
        Role.CSE_MANAGER: ("meetings.add_meeting",),
        Role.ADMIN: ("meetings.add_meeting",),
    }
