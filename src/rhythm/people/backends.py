"""Django's ModelBackend, reading a person's permissions in one statement.

Every API request authenticates a fresh user object, so the permission cache
Django keeps on it starts empty each time, and ModelBackend fills it with two
ORM queries (the person's own permissions, then their groups'). Building those
two queries cost more CPU than the rest of a one-row write (`make bench`,
"intake CPU"); one fixed statement reads the same set.
"""

from __future__ import annotations

import functools

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from rhythm.people.models import User


class PermissionBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:  # every permission: ModelBackend's own query
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            with connection.cursor() as cursor:
                cursor.execute(_permissions_sql(), [user_obj.pk, user_obj.pk])
                user_obj._perm_cache = {f"{app}.{codename}" for app, codename in cursor}
        return user_obj._perm_cache


@functools.cache
def _permissions_sql() -> str:
    """ "app_label, codename" of the permissions given to a person (first parameter)
    directly or through their groups (second parameter)."""
    qn = connection.ops.quote_name
    permission = qn(Permission._meta.db_table)
    content_type = qn(ContentType._meta.db_table)
    own = User.user_permissions.through._meta
    member = User.groups.through._meta
    granted = Group.permissions.through._meta
    return (
        f"SELECT ct.app_label, p.codename FROM {permission} p"
        f" JOIN {content_type} ct ON ct.id = p.content_type_id"
        f" WHERE p.id IN ("
        f"SELECT {qn(own.get_field('permission').column)} FROM {qn(own.db_table)}"
        f" WHERE {qn(own.get_field('user').column)} = %s"
        f" UNION SELECT g.{qn(granted.get_field('permission').column)}"
        f" FROM {qn(granted.db_table)} g JOIN {qn(member.db_table)} m"
        f" ON m.{qn(member.get_field('group').column)} = g.{qn(granted.get_field('group').column)}"
        f" WHERE m.{qn(member.get_field('user').column)} = %s)"
    )
