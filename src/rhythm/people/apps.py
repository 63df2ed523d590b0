from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate


class PeopleConfig(AppConfig):
    name = "rhythm.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from rhythm.people.services import sync_role_groups

        # Permissions exist only after migrate has run, so the role groups are
        # kept in step with the role table then, on every migrate.
        post_migrate.connect(sync_role_groups, dispatch_uid="rhythm.people.sync_role_groups")
        # Django saves the user on every sign-in to stamp last_login, and that save
        # wrote a history row with no change in it; the stamp goes in by UPDATE.
        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(record_last_login, dispatch_uid="rhythm.people.record_last_login")


def record_last_login(sender, user, **kwargs) -> None:
    from django.utils import timezone

    user.last_login = timezone.now()
    type(user)._default_manager.filter(pk=user.pk).update(last_login=user.last_login)
