"""The API at /api/v1/: one NinjaAPI, one router per domain app."""

from __future__ import annotations

from ninja import NinjaAPI

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


def _register_routers() -> None:
    from rhythm.core.api import router as tokens_router
    from rhythm.customers.api import router as customers_router
    from rhythm.people.api import router as people_router

    api.add_router("", customers_router)
    api.add_router("", people_router)
    api.add_router("", tokens_router)


_register_routers()
