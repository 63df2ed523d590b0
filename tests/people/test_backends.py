"""The permission backend reads what Django's ModelBackend reads, in one statement."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rhythm.people.backends import PermissionBackend
from rhythm.people.models import User
from tests.factories import UserFactory


def _fresh(user):
    return User.objects.get(pk=user.pk)  # no permission cache yet


@pytest.mark.parametrize("member", ["account_owner", "csm", "cse", "manager", "admin", "outsider"])
def test_each_role_gets_the_permissions_model_backend_gives(cast, member):
    user = getattr(cast, member)
    expected = ModelBackend().get_all_permissions(_fresh(user))
    fresh = _fresh(user)
    with CaptureQueriesContext(connection) as queries:
        assert PermissionBackend().get_all_permissions(fresh) == expected
        assert PermissionBackend().get_all_permissions(fresh) == expected  # cached on the user
    assert len(queries) == 1


def test_direct_and_group_permissions_together(db):
    user = UserFactory()
    direct = Permission.objects.get(codename="view_account")
    shared = Permission.objects.get(codename="add_case")
    group = Group.objects.create(name="Both ways")
    group.permissions.add(direct, shared)  # one permission given twice, counted once
    user.user_permissions.add(direct)
    user.groups.add(group)
    fresh = _fresh(user)
    assert PermissionBackend().get_all_permissions(fresh) == {
        "customers.view_account",
        "cases.add_case",
    }
    assert fresh.has_perm("cases.add_case")


def test_inactive_people_and_objects_get_nothing_and_superusers_everything(db):
    inactive = UserFactory(is_active=False)
    inactive.user_permissions.add(Permission.objects.get(codename="view_account"))
    assert PermissionBackend().get_all_permissions(_fresh(inactive)) == set()
    superuser = UserFactory(is_superuser=True)
    everything = ModelBackend().get_all_permissions(_fresh(superuser))
    assert PermissionBackend().get_all_permissions(_fresh(superuser)) == everything
    assert PermissionBackend().get_all_permissions(_fresh(superuser), obj=object()) == set()
