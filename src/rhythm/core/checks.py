"""System checks that explain a bad deployment (`rhythm check`)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from rhythm.env import redis_url_problem


@register(Tags.database, deploy=False)
def check_database_url(app_configs, **kwargs):
    errors = []
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine not in {"rhythm.core.sqlite", "django.db.backends.postgresql"}:
        errors.append(
            Error(
                f"DATABASE_URL selects {engine!r}; Rhythm supports SQLite and PostgreSQL.",
                hint="Use postgres://user:password@host:5432/name or leave DATABASE_URL unset.",
                id="rhythm.E001",
            )
        )
    return errors


@register()
def check_queue(app_configs, **kwargs):
    errors: list[CheckMessage] = []
    redis_url = settings.REDIS_URL
    problem = redis_url_problem(redis_url) if redis_url else ""
    if problem:
        errors.append(
            Error(
                f"REDIS_URL is not a Redis URL ({problem}); got {redis_url!r}.",
                hint="Use redis://host:6379/0, rediss://… or unix:///path, or unset REDIS_URL.",
                id="rhythm.E002",
            )
        )
    if settings.HUEY.get("immediate"):
        errors.append(
            Warning(
                "The task queue runs in immediate mode: tasks run inside web requests.",
                hint="Immediate mode is for tests only.",
                id="rhythm.W001",
            )
        )
    return errors


@register()
def check_email(app_configs, **kwargs):
    errors = []
    if settings.EMAIL_HOST and not settings.DEFAULT_FROM_EMAIL:
        errors.append(
            Error(
                "EMAIL_HOST is set but DEFAULT_FROM_EMAIL is empty.",
                hint="Set DEFAULT_FROM_EMAIL to the address Rhythm sends from.",
                id="rhythm.E003",
            )
        )
    return errors


@register(deploy=True)
def check_production_secrets(app_configs, **kwargs):
    errors: list[CheckMessage] = []
    if settings.DEBUG:
        errors.append(Warning("RHYTHM_DEBUG is on; turn it off for a team.", id="rhythm.W002"))
    if not settings.SESSION_COOKIE_SECURE:
        errors.append(
            Warning(
                "Cookies are sent over plain HTTP.",
                hint="Behind HTTPS, set RHYTHM_SECURE_COOKIES=1.",
                id="rhythm.W003",
            )
        )
    return errors


@register()
def check_front_end(app_configs, **kwargs):
    bootstrap = settings.NODE_MODULES / "bootstrap" / "dist" / "css" / "bootstrap.min.css"
    if not bootstrap.exists():
        return [
            Error(
                "Front-end packages are missing from node_modules/.",
                hint="Run `npm ci` (make run and make test do it for you).",
                id="rhythm.E004",
            )
        ]
    return []
