from rhythm.core import registry
from rhythm.core.registry import EVERYONE, AccountTab, TimelineKind
from rhythm.people.choices import Role


class CommunityConfig(registry.RhythmAppConfig):
    """Customers' own developer-community events where CSEs contribute."""

    name = "rhythm.community"
    label = "community"
    verbose_name = "Community events"

    url_prefix = "community/"
    urls = "rhythm.community.urls"
    api_router = "rhythm.community.api.router"
    timeline_kinds = (TimelineKind("community", "Community event", "bi-megaphone"),)
    account_tabs = (
        AccountTab(
            "community",
            "Community",
            "rhythm.community.views.account_tab",
            "community.view_communityevent",
            order=75,
            figures="rhythm.community.views.account_figures",
        ),
    )
    _LOG = ("community.add_communityevent", "community.change_communityevent")
    role_grants = {
        EVERYONE: ("community.view_communityevent",),
        Role.CSE: _LOG,
        Role.CSE_MANAGER: _LOG,
        Role.PROGRAM_MANAGER: _LOG,
        Role.ADMIN: _LOG,
    }
