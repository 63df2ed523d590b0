from rhythm.core import registry
from rhythm.core.registry import EVERYONE, AccountTab, NavItem, Panel, TimelineKind
from rhythm.people.choices import Role


class EscalationsConfig(registry.RhythmAppConfig):
    name = "rhythm.escalations"
    label = "escalations"
    verbose_name = "Escalations"

    url_prefix = "escalations/"
    urls = "rhythm.escalations.urls"
    api_router = "rhythm.escalations.api.router"
    navigation = (
        NavItem(
            "escalations.view_escalation",
            "escalations:list",
            "Escalations",
            "Customers",
            25,
            "bi-exclamation-octagon",
        ),
    )
    timeline_kinds = (TimelineKind("escalation", "Escalation", "bi-exclamation-octagon"),)
    account_tabs = (
        AccountTab(
            "escalations",
            "Escalations",
            "rhythm.escalations.views.account_tab",
            "escalations.view_escalation",
            order=45,
            figures="rhythm.escalations.views.account_figures",
        ),
    )
    # The escalation case's page shows its escalation, or the way to raise it.
    panels = (Panel("cases.case", "rhythm.escalations.views.case_panel", order=30),)
    registers = ("rhythm.escalations.notifications",)
    # The account team raises an escalation (the account owner from the case, the CSM
    # on the account), as may a CSE who hears of it; a CSE manager decides.
    _RAISE = ("escalations.add_escalation", "escalations.change_escalation")
    role_grants = {
        EVERYONE: ("escalations.view_escalation",),
        Role.ACCOUNT_OWNER: _RAISE,
        Role.CSM: _RAISE,
        Role.CSE: _RAISE,
        Role.CSE_MANAGER: (*_RAISE, "escalations.decide_escalation"),
        Role.ADMIN: (*_RAISE, "escalations.decide_escalation"),
    }
