from django.contrib.auth.models import Permission

from rhythm.core import registry
from rhythm.people import rules
from rhythm.people.choices import Role


def test_every_role_has_permissions_that_exist(db):
    existing = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.select_related("content_type")
    }
    grants = registry.role_grants(list(Role.values))
    assert set(grants) == set(Role.values)
    for role, codes in grants.items():
        assert codes, role
        assert set(codes) <= existing, (role, set(codes) - existing)


def test_apps_grant_only_to_roles_that_exist():
    for config in registry.rhythm_apps():
        assert set(config.role_grants) <= {*Role.values, registry.EVERYONE}, config.label


def test_archive_refusal_names_every_kind_of_work_held():
    held = [(2, "open CTA"), (0, "running engagement"), (1, "account")]
    assert (
        rules.archive_refusal("Ana", held)
        == "Ana still has 2 open CTAs, 1 account: reassign them first."
    )
    assert rules.archive_refusal("Ana", [(0, "open CTA")]) is None
