from rhythm.core import registry
from rhythm.core.registry import AccountTab, TimelineKind
from rhythm.people.choices import Role

_READ = ("timeline.view_timelineentry",)
_WRITE = ("timeline.view_timelineentry", "timeline.add_timelineentry")


class TimelineConfig(registry.RhythmAppConfig):
    name = "rhythm.timeline"
    label = "timeline"
    verbose_name = "Timeline"

    url_prefix = "timeline/"
    urls = "rhythm.timeline.urls"
    api_router = "rhythm.timeline.api.router"
    timeline_kinds = (TimelineKind("note", "Note", "bi-journal-text"),)
    account_tabs = (
        AccountTab(
            "timeline",
            "Timeline",
            "rhythm.timeline.views.account_tab",
            "timeline.view_timelineentry",
            order=70,
        ),
    )
    # Every event's timeline lines are written by one subscriber, in its transaction.
    registers = ("rhythm.timeline.subscribers",)
    role_grants = {
        Role.ACCOUNT_OWNER: _WRITE,
        Role.CSM: _WRITE,
        Role.CSE: _WRITE,
        Role.CSE_MANAGER: _WRITE,
        Role.PROGRAM_MANAGER: _READ,
        Role.CS_OPERATIONS: _WRITE,
        Role.DEMO_ARCHITECT: _READ,
        Role.ADMIN: _WRITE,
    }
