"""The API at /api/v1/: one NinjaAPI, one router per domain app (each app names
its router in its apps.py: core.registry)."""

from __future__ import annotations

from ninja import NinjaAPI

from rhythm.core import registry
from rhythm.core.api import BearerToken, BrowserSession, install_error_handlers

api = NinjaAPI(
    title="Rhythm API",
    version="1",
    description=(
        "Everything a person can do in Rhythm's UI. Authenticate with a browser "
        "session (send X-CSRFToken on writes) or `Authorization: Bearer <token>`; "
        "create a token with `rhythm token create USERNAME`. Errors always carry "
        "`detail` and a list of `errors`, each naming a `field` and a `rule`."
    ),
    auth=[BearerToken(), BrowserSession()],
    urls_namespace="api",
)
install_error_handlers(api)

for _label, router in registry.api_routers():
    api.add_router("", router)
