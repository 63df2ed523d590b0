"""Field validators shared by the model, the forms and the API."""

from __future__ import annotations

import zoneinfo
from functools import cache

import holidays
from django.conf import settings
from django.core.exceptions import ValidationError

from rhythm.core.rules import working_days_problem


@cache
def _supported_holiday_calendars() -> dict[str, list[str]]:
    return holidays.list_supported_countries()


def validate_region(value: str) -> None:
    if value not in settings.RHYTHM_REGIONS:
        raise ValidationError(
            "%(value)s is not a region; choose one of %(regions)s.",
            code="invalid_choice",
            params={"value": value, "regions": ", ".join(settings.RHYTHM_REGIONS)},
        )


def validate_regions(values: list[str]) -> None:
    if not isinstance(values, list):
        raise ValidationError("Give a list of regions.", code="invalid")
    for value in values:
        validate_region(value)


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            "%(value)s is not an IANA time zone (e.g. Europe/Paris).",
            code="invalid_time_zone",
            params={"value": value},
        ) from exc


def validate_holiday_country(value: str) -> None:
    if value and value not in _supported_holiday_calendars():
        raise ValidationError(
            "%(value)s is not a supported ISO 3166 country code for public holidays.",
            code="invalid_country",
            params={"value": value},
        )


def validate_holiday_subdivision(country: str, subdivision: str) -> None:
    if subdivision and subdivision not in _supported_holiday_calendars().get(country, []):
        raise ValidationError(
            {
                "holiday_subdivision": ValidationError(
                    "%(sub)s is not a subdivision of %(country)s.",
                    code="invalid_subdivision",
                    params={"sub": subdivision, "country": country or "(no country)"},
                )
            }
        )


def validate_working_days(values: list[int]) -> None:
    problem = working_days_problem(values)
    if problem:
        raise ValidationError(problem, code="invalid_working_days")


def default_working_days() -> list[int]:
    return [0, 1, 2, 3, 4]


WEEKDAY_CHOICES = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


def region_choices() -> list[tuple[str, str]]:
    return [(code, code) for code in settings.RHYTHM_REGIONS]
