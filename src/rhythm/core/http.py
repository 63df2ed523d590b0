"""Requests that reached a view past the sign-in check, and that check for HTMX."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails


class AuthedRequest(HttpRequest):
    # The signed-in team member (people.User); typed loosely because core may
    # not import a domain app.
    user: Any
    auth: Any
    htmx: HtmxDetails


def sign_in_first(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """login_required that, for an HTMX request, sends the whole page to sign-in.

    A plain redirect would be followed by the XHR and the sign-in page swapped
    into a fragment of the page; HX-Redirect makes the browser navigate instead.
    """
    guarded = login_required(view)

    @wraps(view)
    def wrapper(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.htmx and not request.user.is_authenticated:
            return HttpResponseClientRedirect(redirect_to_login(request.get_full_path()).url)
        return guarded(request, *args, **kwargs)

    return wrapper


def post_only(
    page: Callable[..., str],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """require_POST for a form's target, that sends a GET to the page the form is on.

    A GET reaches such a URL when sign-in sends someone back to it (``next=`` is
    the form's target once a session has expired) or when the address is opened
    from the history; a blank 405 helps nobody, the page with the form does.
    ``page`` takes the view's URL arguments and returns that page's address.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in ("GET", "HEAD"):
                return HttpResponseRedirect(page(*args, **kwargs))
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
