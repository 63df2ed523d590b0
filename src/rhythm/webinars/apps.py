from rhythm.core import registry
from rhythm.core.registry import EVERYONE, NavItem
from rhythm.people.choices import Role

_VIEW = ("webinars.view_webinar", "webinars.view_labtemplate", "webinars.view_environmentrequest")
# The program manager plans the month, publishes, records attendance and sends the
# post-event email; they see the codes (the live redemption count is theirs too).
_PLAN = (
    "webinars.add_webinar",
    "webinars.change_webinar",
    "webinars.add_labtemplate",
    "webinars.change_labtemplate",
    "webinars.view_registration",
    "webinars.change_registration",
    "webinars.view_redemption",
    "webinars.view_invitation_codes",
)
# CSEs sign up as DRI or helper; the DRI's own event shows them its codes (services).
_SIGN_UP = ("webinars.add_signup", "webinars.add_environmentrequest", "webinars.view_registration")
_FULFIL = (
    "webinars.change_environmentrequest",
    "webinars.view_invitation_codes",
    "webinars.view_redemption",
)


class WebinarsConfig(registry.RhythmAppConfig):
    name = "rhythm.webinars"
    label = "webinars"
    verbose_name = "Webinars and labs"

    url_prefix = "webinars/"
    urls = "rhythm.webinars.urls"
    api_router = "rhythm.webinars.api.router"
    navigation = (
        NavItem(
            "webinars.view_webinar",
            "webinars:list",
            "Webinars & labs",
            "Engagements",
            75,
            "bi-easel",
        ),
        NavItem(
            "webinars.change_environmentrequest",
            "webinars:board",
            "Lab requests",
            "Engagements",
            76,
            "bi-kanban",
        ),
        # Kept by the program manager, beside the other things set up once and reused.
        NavItem(
            "webinars.change_labtemplate",
            "webinars:lab-templates",
            "Lab templates",
            group="Setup",
            order=85,
            icon="bi-collection",
        ),
    )
    role_grants = {
        EVERYONE: _VIEW,
        Role.PROGRAM_MANAGER: _PLAN,
        Role.CSE: _SIGN_UP,
        Role.CSE_MANAGER: _SIGN_UP,
        Role.DEMO_ARCHITECT: _FULFIL,
    }
    open_work = "rhythm.webinars.services.open_work"
    registers = (
        "rhythm.webinars.notifications",
        "rhythm.webinars.gitlab",
        "rhythm.webinars.checks",
    )
