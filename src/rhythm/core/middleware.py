from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from rhythm.core.api import one_error
from rhythm.core.rules import zone_named


class RequestSizeLimitMiddleware:
    """Refuse an oversized body with 413 before anything reads it.

    Django itself raises RequestDataTooBig only when the body is read, and turns
    it into a 400; a client deserves to know the size was the problem.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # A page that takes a large file (streamed to disk by Django's upload
        # handlers, never held in memory) names its own limit in settings.
        limit = settings.REQUEST_SIZE_LIMITS.get(
            request.path_info, settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            return JsonResponse(
                {
                    "detail": "The request body is too large.",
                    "errors": [
                        {
                            "field": "body",
                            "rule": "max_size",
                            "message": f"The body may be at most {limit} bytes; got {length}.",
                        }
                    ],
                },
                status=413,
            )
        return self.get_response(request)


class UserTimezoneMiddleware:
    """Times are stored in UTC and shown in the signed-in person's own zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = zone_named(getattr(getattr(request, "user", None), "time_zone", ""))
        timezone.activate(zone) if zone else timezone.deactivate()
        return self.get_response(request)


class ApiErrorShapeMiddleware:
    """Under /api/, an address nothing answers (404) and a method an address does not
    take (405) come back in the API's one error shape, as every other error does,
    instead of Django's HTML page or a bare text line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not request.path.startswith("/api/")
            or response.status_code not in (404, 405)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        if response.status_code == 404:
            body = one_error(
                "Nothing answers at this address.",
                "path",
                "not_found",
                f"No API operation at {request.path}; /api/v1/docs lists them.",
            )
        else:
            allowed = response.get("Allow", "")
            body = one_error(
                f"{request.method} is not taken here.",
                "method",
                "method_not_allowed",
                f"{request.path} takes {allowed or 'other methods'}.",
            )
        shaped = JsonResponse(body, status=response.status_code)
        if response.has_header("Allow"):
            shaped["Allow"] = response["Allow"]
        return shaped
