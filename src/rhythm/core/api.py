"""The API's shared parts: authentication, the one error shape, small helpers.

Every error the API returns has the shape
``{"detail": "<summary>", "errors": [{"field": ..., "rule": ..., "message": ...}]}``
so a client can always point at the field and the rule that refused it.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf
from pydantic import AfterValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from rhythm.core import rules, services
from rhythm.core.http import AuthedRequest
from rhythm.core.models import ApiToken
from rhythm.core.paging import COUNT_AHEAD, bounded_count
from rhythm.core.workflow import TransitionConflict

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

# Errors that are about the request as a whole name this field, as Django's forms do.
NON_FIELD = "non_field_errors"


class FieldError(Schema):
    field: str
    rule: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []


# --- Authentication ---------------------------------------------------------


class InvalidToken(AuthenticationError):
    """A bearer token was sent and it is wrong, revoked or its member archived."""

    def __init__(self) -> None:
        super().__init__(401, "The API token is invalid or revoked.")


class ApiError(HttpError):
    """An error that knows which field and rule it is about."""

    def __init__(self, status_code: int, message: str, *, field: str = NON_FIELD, rule: str):
        super().__init__(status_code, message)
        self.field = field
        self.rule = rule


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; a wrong token is a 401, never a fallback."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = services.authenticate_token(token.strip())
        if found is None:
            raise InvalidToken()
        # Acting as the token's user: permissions and the history's "who" follow.
        request.user = found.user
        return found.user


class BrowserSession(APIKeyCookie):
    """The signed-in browser session; unsafe methods need the CSRF token too."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        # csrf=True tells the interactive docs to send the token with "Try it out";
        # the check itself is made in authenticate, and only for a signed-in user.
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise ApiError(
                403,
                "CSRF check failed: send the X-CSRFToken header.",
                field="X-CSRFToken",
                rule="csrf",
            )
        return user


# --- Errors -----------------------------------------------------------------


def error_body(detail: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or []}


def one_error(detail: str, field: str, rule: str, message: str | None = None) -> dict[str, Any]:
    return error_body(detail, [{"field": field, "rule": rule, "message": message or detail}])


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
                    "field": NON_FIELD if field == "__all__" else field,
                    "rule": error.code or "invalid",
                    "message": str(message) or "Invalid value.",
                }
            )
    return out


# ninja locates an error by where it was sent ("body", "query", "path"), then by
# the view parameter holding a whole body or filter set; neither is a field the
# client sent: ("body", "payload", "objectives", 1, "progress") -> objectives.1.progress
_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}
_WHOLE_PARAMETERS = {"payload", "filters"}


def field_errors_from_pydantic(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        parts = loc[1:] if loc and loc[0] in _LOCATIONS else loc
        if parts and parts[0] in _WHOLE_PARAMETERS:
            parts = parts[1:]
        out.append(
            {
                "field": ".".join(parts) or (loc[0] if loc else "body"),
                "rule": str(error.get("type") or "invalid"),
                "message": str(error.get("msg") or "Invalid value."),
            }
        )
    return out


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, body: dict[str, Any], status: int) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(NinjaValidationError)
    def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = field_errors_from_pydantic(exc.errors)
        return respond(request, error_body("The request is not valid.", errors), 422)

    @api.exception_handler(DjangoValidationError)
    def _rule(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        errors = field_errors_from_django(exc)
        return respond(request, error_body("The request breaks a rule.", errors), 422)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        if isinstance(exc, InvalidToken):
            body = one_error(exc.message, "authorization", "invalid_token")
        else:
            body = one_error("Sign in or send a token.", "authorization", "not_authenticated")
        response = respond(request, body, 401)
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        message = str(exc) or "Your role does not allow this."
        return respond(request, one_error(message, NON_FIELD, "permission_denied"), 403)

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        message = "No such object, or not one you may see."
        body = one_error("Not found.", NON_FIELD, "not_found", message)
        return respond(request, body, 404)

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc, ApiError):
            body = one_error(exc.message, exc.field, exc.rule)
        elif exc.status_code == 400:
            # ninja's only 400: the body is not the JSON (or form) it expects.
            body = one_error(exc.message, "body", "invalid_json", "Send a JSON object.")
        else:
            body = one_error(exc.message, NON_FIELD, f"http_{exc.status_code}")
        return respond(request, body, exc.status_code)

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
        body = one_error("The request body is too large.", "body", "max_size", "At most 1 MB.")
        return respond(request, body, 413)

    @api.exception_handler(RawPostDataException)
    def _raw(request: HttpRequest, exc: Exception) -> HttpResponse:
        body = one_error("The body could not be read.", "body", "unreadable")
        return respond(request, body, 400)

    @api.exception_handler(TransitionConflict)
    def _transition_conflict(request: HttpRequest, exc: TransitionConflict) -> HttpResponse:
        # 409 with where the row is now, so a client can reload and decide again.
        body = {**one_error(exc.message, "to", "conflict"), "current_state": exc.current_state}
        return respond(request, body, 409)

    @api.exception_handler(IntegrityError)
    def _conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        # Reached only when two writers race past the same uniqueness check.
        body = one_error(
            "The change conflicts with another one; reload and retry.", NON_FIELD, "conflict"
        )
        return respond(request, body, 409)


# --- Helpers ------------------------------------------------------------------


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text; SQLite can, but the data should not differ.
    if "\x00" in value:
        raise PydanticCustomError("null_characters", "NUL characters are not allowed.")
    return value


class Body(Schema):
    """A request body. A field it does not know is a mistake (a typo, a field that
    is read-only) and is named in the 422, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


# Every string the API takes in: plain text, without NUL characters, stripped of
# surrounding whitespace before its length is checked, so "   " is not a name.
Text = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_no_nul)]

# A reference to a row: a positive 64-bit integer, as every supported database
# stores ids. Past that, SQLite's driver overflows instead of finding nothing.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def unchanged(**constraints: Any) -> Any:
    """A PATCH field for a NOT NULL column: leave it out to keep the value; null is refused.

    The field is typed without `| None`, so pydantic answers an explicit null with
    a 422 naming the field, instead of the database refusing the row later.
    """
    return Field(None, json_schema_extra=_no_default, **constraints)


# Past this, an offset is a mistake, not a page: it also keeps offset + limit
# far inside the 64-bit integers databases accept.
MAX_OFFSET = 1_000_000_000


class Pagination(LimitOffsetPagination):
    """`limit` (at most API_MAX_PAGE_SIZE) and `offset`; the page carries `count`,
    counted no further than COUNT_AHEAD rows past `offset` (core.paging)."""

    class Input(Schema):
        limit: int = Field(settings.API_PAGE_SIZE, ge=1, le=settings.API_MAX_PAGE_SIZE)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    class Output(Schema):
        items: list[Any]
        count: int | None = Field(
            description=f"How many there are in all; null when there are more than"
            f" offset + {COUNT_AHEAD:,} (then count_capped is true: counting them all"
            " would read them all; page on with offset)."
        )
        count_capped: bool = Field(
            description=f"There are more than offset + {COUNT_AHEAD:,}; count is null."
        )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=settings.API_MAX_PAGE_SIZE, **kwargs)

    def paginate_queryset(self, queryset, pagination, request, **params: Any) -> Any:
        offset = pagination.offset
        limit = min(pagination.limit, self.max_limit)
        counted, capped = bounded_count(queryset, offset)
        return {
            self.items_attribute: queryset[offset : offset + limit],
            "count": None if capped else counted,
            "count_capped": capped,
        }


class AgingOut(Schema):
    """Whether the work is late today (core.rules.Aging), and why."""

    overdue: bool = Field(description="Past its due date.")
    aging: bool = Field(description="Longer in its state than the team's norm.")
    reasons: list[str]


def aging_out(verdict: rules.Aging) -> AgingOut:
    return AgingOut(overdue=verdict.overdue, aging=verdict.aging, reasons=verdict.reasons)


def require_perm(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied(f"Your role does not allow this ({perm}).")


def validation_error(field: str, message: str, rule: str = "invalid") -> DjangoValidationError:
    return DjangoValidationError({field: DjangoValidationError(message, code=rule)})


ERROR_RESPONSES: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
}


# --- Personal tokens and the current user -------------------------------------

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


class TokenIn(Body):
    name: Text = Field("", max_length=100)


@router.get("/tokens", response={200: list[TokenOut], **ERROR_RESPONSES})
def list_tokens(request: AuthedRequest):
    """Your own personal API tokens (their secrets are never shown again)."""
    return ApiToken.objects.filter(user=request.user)


@router.post("/tokens", response={201: TokenCreated, **ERROR_RESPONSES})
def create_token(request: AuthedRequest, payload: TokenIn):
    """Create a personal token; the `token` field is shown this once."""
    token, plain = services.create_token(request.user, payload.name)
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": plain})


@router.post("/tokens/{token_id}/revoke", response={200: TokenOut, **ERROR_RESPONSES})
def revoke_token(request: AuthedRequest, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    return services.revoke_token(token)
