"""Who may see which rows: one rule for everything that belongs to an account.

The CSE organisation (the VIEW_ALL_ACCOUNTS right) sees every account; account
owners and CSMs see the accounts they own or manage, and everything on them. Each
model that belongs to an account gets `Model.objects.visible_to(user)` from here,
through the path from its row to the account (`account_path`, default
"account"), and views, API, board, exports and search fetch through it; an object
outside it is a 404. A person who sees everything gets no filter at all, so the
database can use the list's own index.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from rhythm.core.models import ArchivableQuerySet
from rhythm.people.rules import VIEW_ALL_ACCOUNTS

NOTHING = Q(pk__in=[])


# How much of the customer base a person sees: the shape of their filter.
SEES_ALL, SEES_NOTHING, SEES_OWN = "all", "nothing", "own"


def reach(user) -> str:
    """SEES_ALL (the CSE organisation), SEES_OWN (account owners and CSMs: the
    accounts they own or manage) or SEES_NOTHING."""
    if not user.is_authenticated or not user.is_active:
        return SEES_NOTHING
    if user.is_superuser or user.has_perm(VIEW_ALL_ACCOUNTS):
        return SEES_ALL
    if not user.has_perm("customers.view_account"):
        return SEES_NOTHING
    return SEES_OWN


def account_scope(user, path: str) -> Q | None:
    """The filter for rows whose account (reached by `path`, "" for the account
    itself) `user` may see; None when they may see them all."""
    return scope_of(reach(user), user.pk, path)


def scope_of(reach: str, user_id: int | None, path: str) -> Q | None:
    """The filter of `account_scope`, from a person's reach and id (a prepared read
    builds its SQL once per reach: core.prepared)."""
    if reach == SEES_ALL:
        return None
    if reach == SEES_NOTHING:
        return NOTHING
    prefix = f"{path}__" if path else ""
    return Q(**{f"{prefix}account_owner": user_id}) | Q(**{f"{prefix}csm": user_id})


class _AccountScoped:
    """Rows that belong to an account; the model names the way there as
    `account_path` ("account" unless it says otherwise)."""

    def visible_to(self: Any, user):
        scope = account_scope(user, getattr(self.model, "account_path", "account"))
        return self if scope is None else self.filter(scope)

    def visible_as(self: Any, reach: str, user_id: int):
        """`visible_to` for a person known by their reach and id."""
        scope = scope_of(reach, user_id, getattr(self.model, "account_path", "account"))
        return self if scope is None else self.filter(scope)


class AccountScopedQuerySet(_AccountScoped, models.QuerySet):
    pass


class ArchivableAccountScopedQuerySet(_AccountScoped, ArchivableQuerySet):
    pass
