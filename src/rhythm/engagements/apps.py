from rhythm.core import registry
from rhythm.core.registry import EVERYONE, AccountTab, NavItem, TimelineKind
from rhythm.people.choices import Role

VIEW = "engagements.view_engagementrequest"


class EngagementsConfig(registry.RhythmAppConfig):
    name = "rhythm.engagements"
    label = "engagements"
    verbose_name = "Engagements"

    url_prefix = "engagements/"
    urls = "rhythm.engagements.urls"
    api_router = "rhythm.engagements.api.router"
    navigation = (
        NavItem(VIEW, "engagements:list", "Requests", order=40, icon="bi-inboxes"),
        NavItem(VIEW, "engagements:board", "Board", order=50, icon="bi-kanban"),
        NavItem(
            VIEW, "engagements:capacity", "Capacity", group="Team", order=60, icon="bi-speedometer2"
        ),
    )
    timeline_kinds = (
        TimelineKind("request", "Engagement request", "bi-briefcase"),
        TimelineKind("transition", "Review step", "bi-arrow-right-circle"),
    )
    account_tabs = (
        AccountTab(
            "requests",
            "Engagement requests",
            "rhythm.engagements.views.account_tab",
            VIEW,
            order=50,
            figures="rhythm.engagements.views.account_figures",
        ),
    )
    registers = ("rhythm.engagements.notifications",)
    open_work = "rhythm.engagements.services.open_work"
    role_grants = {
        EVERYONE: (VIEW,),
        Role.CSM: ("engagements.add_engagementrequest",),
        Role.CSE_MANAGER: ("engagements.review_engagementrequest",),
        Role.ADMIN: ("engagements.add_engagementrequest", "engagements.review_engagementrequest"),
    }
