"""Use cases for team members and roles. The only place that changes them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rhythm.core import registry
from rhythm.core.rules import BusinessCalendar, zone_named
from rhythm.people import rules
from rhythm.people.choices import Role
from rhythm.people.models import CompanyHoliday, User

MEMBER_FIELDS = {
    "username",
    "first_name",
    "last_name",
    "email",
    "title",
    "region",
    "time_zone",
    "holiday_country",
    "holiday_subdivision",
    "working_days",
    "weekly_capacity_hours",
    "covered_regions",
    "booking_url",
}


def sync_role_groups(**kwargs: Any) -> None:
    """Make each role's group hold exactly the permissions the apps grant it."""
    by_key = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type")
    }
    for role_value, codes in registry.role_grants(list(Role.values)).items():
        role = Role(role_value)
        group, _ = Group.objects.get_or_create(name=role.label)
        wanted = [by_key[code] for code in codes if code in by_key]
        group.permissions.set(wanted)


def set_roles(user: User, roles: Iterable[Role]) -> None:
    groups = [Group.objects.get_or_create(name=Role(role).label)[0] for role in roles]
    user.groups.set(groups)


@transaction.atomic
def create_member(
    data: dict[str, Any],
    *,
    roles: Iterable[Role] = (),
    segment_ids: Iterable[int] | None = None,
    password: str | None = None,
) -> User:
    user = User(**{k: v for k, v in data.items() if k in MEMBER_FIELDS})
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    _check_email_is_theirs(user)
    user.save()
    set_roles(user, roles)
    if segment_ids is not None:
        _set_segments(user, segment_ids)
    return user


@transaction.atomic
def update_member(
    user: User,
    data: dict[str, Any],
    *,
    roles: Iterable[Role] | None = None,
    segment_ids: Iterable[int] | None = None,
) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    for key, value in data.items():
        if key in MEMBER_FIELDS:
            setattr(user, key, value)
    user.full_clean()
    _check_email_is_theirs(user)
    user.save()
    if roles is not None:
        set_roles(user, roles)
    if segment_ids is not None:
        _set_segments(user, segment_ids)
    return user


@transaction.atomic
def archive_member(user: User) -> User:
    """A member who leaves is archived: they can no longer sign in, history stays.
    Every app is asked what open work they still hold (core.registry.open_work)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    refusal = rules.archive_refusal(str(user), registry.open_work(user))
    if refusal and user.archived_at is None:
        raise ValidationError({"member": ValidationError(refusal, code="has_open_work")})
    if user.archived_at is None:
        user.archived_at = timezone.now()
        user.is_active = False
        user.save(update_fields=["archived_at", "is_active"])
    return user


def _check_email_is_theirs(user: User) -> None:
    """One active member per address: a password reset mails the address's owner,
    and with two it could go to either."""
    if not user.email:
        return
    taken = (
        User.objects.filter(is_active=True, email__iexact=user.email).exclude(pk=user.pk).first()
    )
    if taken is not None:
        raise ValidationError(
            {"email": ValidationError(f"{taken} already has this address.", code="unique")}
        )


def _set_segments(user: User, segment_ids: Iterable[int]) -> None:
    # The segments are customers' model; people stands below customers and names
    # it only through its own field.
    Segment: Any = User.covered_segments.field.related_model
    wanted = set(segment_ids)
    found = set(Segment.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    missing = sorted(wanted - found)
    if missing:
        raise ValidationError(
            {
                "covered_segments": ValidationError(
                    "No segment with id %(ids)s.",
                    code="does_not_exist",
                    params={"ids": ", ".join(map(str, missing))},
                )
            }
        )
    user.covered_segments.set(found)


# --- Calendars -------------------------------------------------------------------


def company_holidays(region: str) -> frozenset:
    """The company's days off for a member of this region (one query)."""
    return frozenset(
        CompanyHoliday.objects.active()
        .filter(region__in=("", region))
        .values_list("date", flat=True)
    )


def calendar_of(user: User, *, company: frozenset | None = None) -> BusinessCalendar:
    """A member's business-day calendar: their working week and zone, their
    country's public holidays and the company's. Pass `company` (from
    `company_holidays`) to build many calendars of one region without asking again."""
    return BusinessCalendar(
        working_days=frozenset(user.working_days or (0, 1, 2, 3, 4)),
        zone=zone_named(user.time_zone) or BusinessCalendar().zone,
        country=user.holiday_country,
        subdivision=user.holiday_subdivision,
        company_holidays=company_holidays(user.region) if company is None else company,
    )
