"""Typing for requests that reached a view past the sign-in check."""

from typing import Any

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class AuthedRequest(HttpRequest):
    # The signed-in team member (people.User); typed loosely because core may
    # not import a domain app.
    user: Any
    auth: Any
    htmx: HtmxDetails
