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

from django.apps import apps
from django.db import models
from django.db.models import BooleanField, F, Func, Q, Subquery

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
    builds its SQL once per reach: core.prepared).

    Rows of another model are matched by their account's id against the accounts
    the person owns or manages, read by a subquery (InAccounts), rather than by a
    JOIN with an OR across both tables: the planner can then walk the list's own
    order index and test each row's account against a short set, instead of
    sorting every row it may see.
    """
    if reach == SEES_ALL:
        return None
    if reach == SEES_NOTHING:
        return NOTHING
    own = Q(account_owner=user_id) | Q(csm=user_id)
    if not path:
        return own
    # By name: customers.models builds its querysets from this module.
    accounts = apps.get_model("customers", "Account").objects.filter(own).order_by().values("pk")
    return Q(InAccounts(F(path), Subquery(accounts)))


class InAccounts(Func):
    """`account_id IN (SELECT id FROM accounts …)`, written for each database.

    On PostgreSQL as `account_id = ANY(ARRAY(SELECT …))`: the subquery runs once,
    as an initplan, and the planner chooses its plan for the outer list knowing
    it filters by a handful of ids, where a semi-join's row estimate misleads it
    into hashing the whole table.
    """

    output_field = BooleanField()
    conditional = True
    arity = 2
    template = "%(expressions)s"

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[override]
        column, subquery = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        subquery_sql, subquery_params = compiler.compile(subquery)
        return f"{column_sql} IN {subquery_sql}", (*column_params, *subquery_params)

    def as_postgresql(self, compiler, connection, **extra_context):
        column, subquery = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        subquery_sql, subquery_params = compiler.compile(subquery)
        return (
            f"{column_sql} = ANY(ARRAY{subquery_sql})",
            (*column_params, *subquery_params),
        )


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
