"""The rate limits' cache must be shared by every process that serves the public pages."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

# Caches every process and machine of a deployment share. django-ratelimit's own check
# refuses the database cache for its read-then-write increments; Rhythm accepts that
# (settings.py, "Caches", says why) and refuses only caches that count per process.
SHARED = {
    "django.core.cache.backends.db.DatabaseCache",
    "django.core.cache.backends.redis.RedisCache",
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
}


@register()
def check_rate_limit_cache(app_configs, **kwargs):
    alias = getattr(settings, "RATELIMIT_USE_CACHE", "default")
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    if backend in SHARED:
        return []
    return [
        Error(
            f"The rate limits of the public survey pages count in cache {alias!r} "
            f"({backend or 'not configured'}), which the processes of a deployment do not share.",
            hint="Set CACHES[RATELIMIT_USE_CACHE] to the database cache or Redis (settings.py).",
            id="rhythm.surveys.E001",
        )
    ]
