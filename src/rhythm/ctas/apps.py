from rhythm.core import registry
from rhythm.core.registry import EVERYONE, NavItem, TimelineKind
from rhythm.people.choices import Role

_WORK = ("ctas.change_cta", "ctas.change_ctatask")
_PLAYBOOKS = (
    "ctas.add_playbook",
    "ctas.change_playbook",
    "ctas.add_playbookstep",
    "ctas.change_playbookstep",
)


class CtasConfig(registry.RhythmAppConfig):
    name = "rhythm.ctas"
    label = "ctas"
    verbose_name = "Calls to action"

    url_prefix = "ctas/"
    urls = "rhythm.ctas.urls"
    api_router = "rhythm.ctas.api.router"
    navigation = (
        NavItem("ctas.view_cta", "ctas:list", "CTAs", order=30, icon="bi-megaphone"),
        # Everyone may read a playbook from its CTA; those who edit them get the link.
        NavItem(
            "ctas.change_playbook",
            "ctas:playbooks",
            "Playbooks",
            group="Setup",
            order=90,
            icon="bi-list-check",
        ),
    )
    timeline_kinds = (TimelineKind("cta", "CTA", "bi-flag"),)
    registers = ("rhythm.ctas.notifications", "rhythm.ctas.subscribers")
    open_work = "rhythm.ctas.services.open_work"
    role_grants = {
        EVERYONE: ("ctas.view_cta", "ctas.view_playbook"),
        Role.CSE: _WORK,
        Role.CSE_MANAGER: (*_WORK, "ctas.assign_cta"),
        Role.CS_OPERATIONS: _PLAYBOOKS,
        Role.ADMIN: (*_WORK, "ctas.assign_cta", *_PLAYBOOKS),
    }
    # The data migration seeds a new database; this seeds it again after a flush
    # (test databases), and only ever when the table is empty.
    on_migrate = ("rhythm.ctas.playbooks.ensure_playbooks",)
