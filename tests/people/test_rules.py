from django.contrib.auth.models import Permission

from rhythm.people.choices import Role
from rhythm.people.rules import ROLE_PERMISSIONS


def test_every_role_has_permissions_that_exist(db):
    existing = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.select_related("content_type")
    }
    assert set(ROLE_PERMISSIONS) == set(Role)
    for role, codes in ROLE_PERMISSIONS.items():
        assert set(codes) <= existing, (role, set(codes) - existing)
