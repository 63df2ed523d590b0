from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone


class RequestSizeLimitMiddleware:
    """Refuse an oversized body with 413 before anything reads it.

    Django itself raises RequestDataTooBig only when the body is read, and turns
    it into a 400; a client deserves to know the size was the problem.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
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
        zone_name = getattr(getattr(request, "user", None), "time_zone", "") or ""
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone_name)) if zone_name else timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        return self.get_response(request)
