from django.contrib.auth.signals import user_logged_in
from django.utils import timezone

from rhythm.core import registry
from rhythm.core.registry import EVERYONE, NavItem
from rhythm.people.choices import Role
from rhythm.people.rules import MANAGES_CSES


class PeopleConfig(registry.RhythmAppConfig):
    name = "rhythm.people"
    label = "people"
    verbose_name = "People"

    url_prefix = "team/"
    urls = "rhythm.people.urls"
    api_router = "rhythm.people.api.router"
    navigation = (
        NavItem(
            "people.view_user", "people:team", "Team", group="Team", order=65, icon="bi-people"
        ),
    )
    role_grants = {
        EVERYONE: ("people.view_user",),
        Role.CSE_MANAGER: ("people.change_user", MANAGES_CSES),
        Role.ADMIN: ("people.add_user", "people.change_user", MANAGES_CSES),
    }

    # Permissions exist only after migrate has run, so the role groups are kept in
    # step with what the apps grant then, on every migrate.
    on_migrate = ("rhythm.people.services.sync_role_groups",)

    def ready(self) -> None:
        super().ready()
        # Django saves the user on every sign-in to stamp last_login, and that save
        # wrote a history row with no change in it; the stamp goes in by UPDATE.
        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(record_last_login, dispatch_uid="rhythm.people.record_last_login")


def record_last_login(sender, user, **kwargs) -> None:
    user.last_login = timezone.now()
    type(user)._default_manager.filter(pk=user.pk).update(last_login=user.last_login)
