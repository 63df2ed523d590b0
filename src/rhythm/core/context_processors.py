from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from rhythm.core import registry


@dataclass(frozen=True)
class NavEntry:
    label: str
    url: str
    icon: str
    active: bool


def navigation(request: HttpRequest) -> dict:
    """The menu: each app's entries (core.registry) that the person may use, under
    their groups; the current one is the entry whose address is the longest prefix
    of the page's (a CTA's page is under "CTAs", the board under "Board")."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_groups": []}
    items = [
        item
        for item in registry.navigation()
        if not item.permission or user.has_perm(item.permission)
    ]
    urls = {item: reverse(item.url_name) for item in items}
    matching = [url for url in urls.values() if _under(request.path, url)]
    current = max(matching, key=len, default=None)
    return {
        "nav_groups": [
            (group, [NavEntry(i.label, urls[i], i.icon, urls[i] == current) for i in entries])
            for group, entries in registry.navigation_groups(items)
        ]
    }


def _under(path: str, url: str) -> bool:
    return path == url if url == "/" else path.startswith(url)
