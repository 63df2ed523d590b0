from rhythm.core import registry
from rhythm.core.registry import EVERYONE, AccountTab, NavItem, TimelineKind
from rhythm.people.choices import Role


class CasesConfig(registry.RhythmAppConfig):
    name = "rhythm.cases"
    label = "cases"
    verbose_name = "CS Help cases"

    url_prefix = "cases/"
    urls = "rhythm.cases.urls"
    api_router = "rhythm.cases.api.router"
    navigation = (
        NavItem("cases.view_case", "cases:list", "Cases", "Customers", 20, "bi-life-preserver"),
    )
    timeline_kinds = (TimelineKind("case", "Case", "bi-life-preserver"),)
    account_tabs = (
        AccountTab(
            "cases",
            "Cases and CTAs",
            "rhythm.cases.views.account_tab",
            "cases.view_case",
            order=40,
            figures="rhythm.cases.views.account_figures",
        ),
    )
    # A case follows its CTA (accepted, closed): cases hears the CTA's events.
    registers = ("rhythm.cases.subscribers",)
    role_grants = {
        EVERYONE: ("cases.view_case",),
        Role.ACCOUNT_OWNER: ("cases.add_case",),
        Role.ADMIN: ("cases.add_case",),
    }
