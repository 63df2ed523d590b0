from rhythm.core import registry
from rhythm.core.registry import NavItem, TimelineKind
from rhythm.people.choices import Role

_READ = ("campaigns.view_campaign", "campaigns.view_campaignsend")
_DEFINE = (
    *_READ,
    "campaigns.add_campaign",
    "campaigns.change_campaign",
    "campaigns.approve_campaign",
)


class CampaignsConfig(registry.RhythmAppConfig):
    name = "rhythm.campaigns"
    label = "campaigns"
    verbose_name = "Campaigns"

    url_prefix = "campaigns/"
    urls = "rhythm.campaigns.urls"
    api_router = "rhythm.campaigns.api.router"
    navigation = (
        NavItem(
            "campaigns.view_campaign",
            "campaigns:list",
            "Campaigns",
            "Customers",
            40,
            "bi-megaphone",
        ),
    )
    timeline_kinds = (TimelineKind("campaign", "Campaign", "bi-megaphone"),)
    # CS operations define campaigns; a second person approves: another CS operations
    # member (the lead) or a CSE manager. The CSE organisation reads them.
    role_grants = {
        Role.CS_OPERATIONS: _DEFINE,
        Role.CSE_MANAGER: (*_READ, "campaigns.approve_campaign"),
        Role.ADMIN: _DEFINE,
        Role.CSE: _READ,
        Role.PROGRAM_MANAGER: _READ,
    }
