"""An app made to be thrown away: it proves a new app plugs into the navigation,
the API, the timeline and the account page by declaring itself, editing no other
app's files.
Installed only by tests/throwaway/settings.py."""

from rhythm.core import registry
from rhythm.core.registry import AccountTab, NavItem, TimelineKind


class ThrowawayConfig(registry.RhythmAppConfig):
    name = "tests.throwaway"
    label = "throwaway"

    url_prefix = "throwaway/"
    urls = "tests.throwaway.urls"
    api_router = "tests.throwaway.api.router"
    navigation = (NavItem("", "throwaway:index", "Throwaway", order=75),)
    timeline_kinds = (TimelineKind("ping", "Ping", "bi-bell"),)
    account_tabs = (
        AccountTab(
            "pings",
            "Pings",
            "tests.throwaway.views.account_tab",
            order=80,
            figures="tests.throwaway.views.account_figures",
        ),
    )
