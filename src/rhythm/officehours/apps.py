from rhythm.core import registry
from rhythm.core.registry import EVERYONE, NavItem, TimelineKind
from rhythm.people.choices import Role

_SESSIONS = ("officehours.add_officehoursession", "officehours.change_officehoursession")


class OfficehoursConfig(registry.RhythmAppConfig):
    name = "rhythm.officehours"
    label = "officehours"
    verbose_name = "Office hours"

    url_prefix = "office-hours/"
    urls = "rhythm.officehours.urls"
    api_router = "rhythm.officehours.api.router"
    navigation = (
        NavItem(
            "officehours.view_officehoursession",
            "officehours:list",
            "Office hours",
            order=70,
            icon="bi-cup-hot",
        ),
    )
    timeline_kinds = (TimelineKind("question", "Office-hours question", "bi-question-circle"),)
    registers = ("rhythm.officehours.notifications",)
    role_grants = {
        EVERYONE: ("officehours.view_officehoursession", "officehours.view_question"),
        Role.CSM: ("officehours.add_question",),
        Role.CSE: (*_SESSIONS, "officehours.change_question"),
        Role.CSE_MANAGER: _SESSIONS,
        Role.ADMIN: (*_SESSIONS, "officehours.add_question", "officehours.change_question"),
    }
