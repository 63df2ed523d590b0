from __future__ import annotations

from django.http import HttpRequest

from rhythm.core import registry


def navigation(request: HttpRequest) -> dict:
    """The navigation bar: each app's entries (core.registry) that the person may use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    items = [
        (item.url_name, item.label)
        for item in registry.navigation()
        if not item.permission or user.has_perm(item.permission)
    ]
    return {"nav": items}
