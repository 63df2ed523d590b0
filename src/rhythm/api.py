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
    from rhythm.cases.api import router as cases_router
    from rhythm.catalog.api import router as catalog_router
    from rhythm.core.api import router as tokens_router
    from rhythm.ctas.api import router as ctas_router
    from rhythm.customers.api import router as customers_router
    from rhythm.engagements.api import router as engagements_router
    from rhythm.engagements.services import TransitionConflict
    from rhythm.meetings.api import router as meetings_router
    from rhythm.officehours.api import router as officehours_router
    from rhythm.people.api import router as people_router
    from rhythm.timeline.api import router as timeline_router

    for router in (
        customers_router,
        people_router,
        tokens_router,
        catalog_router,
        cases_router,
        ctas_router,
        engagements_router,
        meetings_router,
        officehours_router,
        timeline_router,
    ):
        api.add_router("", router)

    @api.exception_handler(TransitionConflict)
    def _transition_conflict(request, exc: TransitionConflict):
        # 409 with where the request is now, so a client can reload and decide again.
        return api.create_response(
            request,
            {
                "detail": exc.message,
                "errors": [{"field": "to", "rule": "conflict", "message": exc.message}],
                "current_state": exc.current_state.value,
            },
            status=409,
        )


_register_routers()
