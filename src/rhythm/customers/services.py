"""Use cases for customers: the only place that creates or changes them.

Each function runs in one transaction, validates the whole row (field rules and
cross-field rules) before writing, and names the field that broke a rule.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q

from rhythm.core import services as core_services
from rhythm.core.models import ArchivableModel
from rhythm.customers.models import (
    Account,
    Contact,
    Objective,
    Opportunity,
    Segment,
    SuccessPlan,
)
from rhythm.people.choices import Role
from rhythm.people.models import User

M = TypeVar("M", bound=models.Model)

SEGMENT_FIELDS = {"name", "arr_floor", "arr_ceiling", "eligible_for_cse"}
ACCOUNT_FIELDS = {
    "name",
    "crm_id",
    "segment",
    "region",
    "arr",
    "lam",
    "renewal_date",
    "employees",
    "licenses_purchased",
    "licenses_used",
    "industry",
    "account_owner",
    "csm",
}
CONTACT_FIELDS = {"account", "name", "email", "title", "role", "phone"}
OPPORTUNITY_FIELDS = {
    "account",
    "crm_id",
    "name",
    "stage",
    "amount",
    "close_date",
    "owner",
    "is_open",
}
SUCCESS_PLAN_FIELDS = {"account", "name", "summary"}
OBJECTIVE_FIELDS = {"title", "status", "progress", "due_date"}


def _resolve(model: type[M], pk: Any, field: str, queryset: models.QuerySet | None = None) -> M:
    """Turn an id into a row, or a validation error naming the field."""
    if isinstance(pk, model):
        return pk
    qs = queryset if queryset is not None else model._default_manager.all()
    try:
        return qs.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise ValidationError(
            {
                field: ValidationError(
                    "No %(model)s with id %(pk)s.",
                    code="does_not_exist",
                    params={"model": model._meta.verbose_name, "pk": pk},
                )
            }
        ) from None


def _resolve_user(pk: Any, field: str, role: Role | None = None) -> User | None:
    """An active member by id; with `role`, one who holds it, since who sees an
    account (and who may open its cases) follows these fields."""
    if pk is None:
        return None
    user = _resolve(User, pk, field, User.objects.filter(is_active=True))
    if role is not None and not user.groups.filter(name=role.label).exists():
        raise ValidationError(
            {field: ValidationError(f"{user} is not {ROLE_NAMES[role]}.", code="wrong_role")}
        )
    return user


# The role each person field of an account asks for, and how to say it.
ACCOUNT_ROLES = {"account_owner": Role.ACCOUNT_OWNER, "csm": Role.CSM}
ROLE_NAMES = {
    Role.ACCOUNT_OWNER: "an account owner (AE, SAE or Renewals Manager)",
    Role.CSM: "a CSM",
}


def _apply(instance: M, data: dict[str, Any], allowed: set[str]) -> M:
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError(
            {name: ValidationError("Unknown field.", code="unknown_field") for name in unknown}
        )
    for key, value in data.items():
        setattr(instance, key, value)
    instance.full_clean()
    instance.save()
    return instance


def _visible_accounts(actor: User) -> models.QuerySet[Account]:
    return Account.objects.visible_to(actor).active()


# --- Segments -----------------------------------------------------------------


@transaction.atomic
def save_segment(data: dict[str, Any], segment: Segment | None = None) -> Segment:
    segment = Segment.objects.select_for_update().get(pk=segment.pk) if segment else Segment()
    return _apply(segment, data, SEGMENT_FIELDS)


# --- Accounts -----------------------------------------------------------------


@transaction.atomic
def save_account(data: dict[str, Any], account: Account | None = None) -> Account:
    data = dict(data)
    if "segment" in data:
        data["segment"] = _resolve(Segment, data["segment"], "segment", Segment.objects.active())
    wrong: dict[str, Any] = {}
    for field, role in ACCOUNT_ROLES.items():
        if field in data:
            try:
                data[field] = _resolve_user(data[field], field, role)
            except ValidationError as exc:
                wrong |= exc.error_dict
    if wrong:
        raise ValidationError(wrong)
    account = Account.objects.select_for_update().get(pk=account.pk) if account else Account()
    return _apply(account, data, ACCOUNT_FIELDS)


# --- Contacts, opportunities, success plans -----------------------------------


@transaction.atomic
def save_contact(actor: User, data: dict[str, Any], contact: Contact | None = None) -> Contact:
    data = dict(data)
    if "account" in data:
        data["account"] = _resolve(Account, data["account"], "account", _visible_accounts(actor))
    contact = Contact.objects.select_for_update().get(pk=contact.pk) if contact else Contact()
    return _apply(contact, data, CONTACT_FIELDS)


@transaction.atomic
def save_opportunity(
    actor: User, data: dict[str, Any], opportunity: Opportunity | None = None
) -> Opportunity:
    data = dict(data)
    if "account" in data:
        data["account"] = _resolve(Account, data["account"], "account", _visible_accounts(actor))
    if "owner" in data:
        data["owner"] = _resolve_user(data["owner"], "owner")
    opportunity = (
        Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        if opportunity
        else Opportunity()
    )
    return _apply(opportunity, data, OPPORTUNITY_FIELDS)


@transaction.atomic
def save_success_plan(
    actor: User,
    data: dict[str, Any],
    plan: SuccessPlan | None = None,
    objectives: list[dict[str, Any]] | None = None,
) -> SuccessPlan:
    data = dict(data)
    if "account" in data:
        data["account"] = _resolve(Account, data["account"], "account", _visible_accounts(actor))
    plan = SuccessPlan.objects.select_for_update().get(pk=plan.pk) if plan else SuccessPlan()
    _apply(plan, data, SUCCESS_PLAN_FIELDS)
    for index, objective in enumerate(objectives or []):
        try:
            _apply(Objective(success_plan=plan), objective, OBJECTIVE_FIELDS)
        except ValidationError as exc:
            # Name the objective too: objectives.1.progress, not just progress.
            raise ValidationError(
                {f"objectives.{index}.{field}": errors for field, errors in exc.error_dict.items()}
            ) from None
    return plan


@transaction.atomic
def save_objective(
    data: dict[str, Any], objective: Objective | None = None, plan: SuccessPlan | None = None
) -> Objective:
    if objective:
        objective = Objective.objects.select_for_update().get(pk=objective.pk)
    else:
        assert plan is not None, "a new objective needs its success plan"
        objective = Objective(success_plan=plan)
    return _apply(objective, data, OBJECTIVE_FIELDS)


# --- Archiving ----------------------------------------------------------------


@transaction.atomic
def archive(obj: ArchivableModel) -> ArchivableModel:
    obj = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    if isinstance(obj, Segment) and obj.accounts.active().exists():
        raise ValidationError(
            {
                "segment": ValidationError(
                    "Move or archive its %(count)s active accounts first.",
                    code="in_use",
                    params={"count": obj.accounts.active().count()},
                )
            }
        )
    return core_services.archive(obj)


def open_work(user) -> list[tuple[int, str]]:
    """The accounts a member still owns or manages, for the archive check
    (core.registry): handed over first, they stay in sight of those who work them."""
    held = Account.objects.active().filter(Q(account_owner=user) | Q(csm=user)).count()
    return [(held, "account")]
