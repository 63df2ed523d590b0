from rhythm.core import registry
from rhythm.core.registry import AccountTab, NavItem
from rhythm.people.rules import MANAGES_CSES


class KpisConfig(registry.RhythmAppConfig):
    """The KPI dashboards (DESIGN rule 13). It stands on the top floor beside home: it
    reads what every workflow app records, and nothing imports it. It has no models
    of its own: every figure is counted from the rows the other apps keep."""

    name = "rhythm.kpis"
    label = "kpis"
    verbose_name = "KPIs"

    url_prefix = "kpis/"
    urls = "rhythm.kpis.urls"
    api_router = "rhythm.kpis.api.router"
    navigation = (
        NavItem(
            MANAGES_CSES,
            "kpis:dashboard",
            "Team KPIs",
            group="Team",
            order=85,
            icon="bi-bar-chart-line",
        ),
        NavItem(
            "followups.change_followup",
            "kpis:mine",
            "My KPIs",
            group="Team",
            order=86,
            icon="bi-graph-up",
        ),
        # The program manager's way in (CSE managers open it from the team's KPIs).
        NavItem(
            "webinars.change_webinar",
            "kpis:webinars",
            "Webinars dashboard",
            group="Engagements",
            order=77,
            icon="bi-bar-chart",
        ),
    )
    # The QBR reads the account's engagements, surveys, plans and work: for those who
    # read engagements (every role does; a bare account reader does not).
    account_tabs = (
        AccountTab(
            "qbr",
            "QBR",
            "rhythm.kpis.views.account_tab",
            "engagements.view_engagementrequest",
            order=90,
        ),
    )
