"""The API's shared parts: authentication, the one error shape, small helpers.

Every error the API returns has the shape
``{"detail": "<summary>", "errors": [{"field": ..., "rule": ..., "message": ...}]}``
so a client can always point at the field and the rule that refused it.
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from rhythm.core import services
from rhythm.core.http import AuthedRequest

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class FieldError(Schema):
    field: str
    rule: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []


# --- Authentication ---------------------------------------------------------


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; a wrong token is a 401, never a fallback."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = services.authenticate_token(token.strip())
        if found is None:
            raise AuthenticationError(401, "The API token is invalid or revoked.")
        # Acting as the token's user: permissions and the history's "who" follow.
        request.user = found.user
        return found.user


class BrowserSession(APIKeyCookie):
    """The signed-in browser session; unsafe methods need the CSRF token too."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)  # checked below, and only for a signed-in user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header.")
        return user


# --- Errors -----------------------------------------------------------------


def error_body(detail: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or []}


def field_errors_from_django(exc: DjangoValidationError) -> list[dict[str, str]]:
    items: Iterable[tuple[str, list[DjangoValidationError]]]
    if hasattr(exc, "error_dict"):
        items = exc.error_dict.items()
    else:
        items = [("__all__", exc.error_list)]
    out = []
    for field, errors in items:
        for error in errors:
            message = error.message % error.params if error.params else error.message
            out.append(
                {
                    "field": "non_field_errors" if field == "__all__" else field,
                    "rule": error.code or "invalid",
                    "message": str(message),
                }
            )
    return out


def field_errors_from_pydantic(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        # Drop the location ("body", "query") and the parameter name ("payload").
        parts = [p for p in loc if p not in {"body", "query", "path", "payload", "filters"}]
        out.append(
            {
                "field": ".".join(parts) or (loc[0] if loc else "body"),
                "rule": str(error.get("type", "invalid")),
                "message": str(error.get("msg", "Invalid value.")),
            }
        )
    return out


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(NinjaValidationError)
    def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return api.create_response(
            request,
            error_body("The request is not valid.", field_errors_from_pydantic(exc.errors)),
            status=422,
        )

    @api.exception_handler(DjangoValidationError)
    def _rule(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return api.create_response(
            request,
            error_body("The request breaks a rule.", field_errors_from_django(exc)),
            status=422,
        )

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = exc.message if exc.message != "Unauthorized" else "Sign in or send a token."
        response = api.create_response(request, error_body(message), status=401)
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(
            request, error_body(str(exc) or "Your role does not allow this."), status=403
        )

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, error_body("Not found."), status=404)

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return api.create_response(request, error_body(str(exc)), status=exc.status_code)

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(
            request,
            error_body(
                "The request body is too large.",
                [{"field": "body", "rule": "max_size", "message": "At most 1 MB."}],
            ),
            status=413,
        )

    @api.exception_handler(RawPostDataException)
    def _raw(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(request, error_body("The body could not be read."), status=400)

    @api.exception_handler(IntegrityError)
    def _conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        # Reached only when two writers race past the same uniqueness check.
        return api.create_response(
            request,
            error_body("The change conflicts with another one; reload and retry."),
            status=409,
        )


# --- Helpers ------------------------------------------------------------------


def require_perm(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied(f"Your role does not allow this ({perm}).")


def validation_error(field: str, message: str, rule: str = "invalid") -> DjangoValidationError:
    return DjangoValidationError({field: DjangoValidationError(message, code=rule)})


ERROR_RESPONSES: dict[int, type[Schema]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
}


# --- Personal tokens and the current user -------------------------------------

from datetime import datetime  # noqa: E402

from django.shortcuts import get_object_or_404  # noqa: E402
from ninja import Router  # noqa: E402

from rhythm.core.models import ApiToken  # noqa: E402

router = Router(tags=["tokens"])


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str


class TokenIn(Schema):
    name: str = ""


@router.get("/tokens", response={200: list[TokenOut], **ERROR_RESPONSES})
def list_tokens(request: AuthedRequest):
    """Your own personal API tokens (their secrets are never shown again)."""
    return ApiToken.objects.filter(user=request.user)


@router.post("/tokens", response={201: TokenCreated, **ERROR_RESPONSES})
def create_token(request: AuthedRequest, payload: TokenIn):
    """Create a personal token; the `token` field is shown this once."""
    token, plain = services.create_token(request.user, payload.name)
    return 201, {**TokenOut.from_orm(token).dict(), "token": plain}


@router.post("/tokens/{token_id}/revoke", response={200: TokenOut, **ERROR_RESPONSES})
def revoke_token(request: AuthedRequest, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    return services.revoke_token(token)
